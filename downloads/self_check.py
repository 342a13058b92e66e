"""The self-check shared by the exercise starters (cnn_starter.py, tiny_cnn_starter.py).

Keep this file in the folder of the starter you work on: the starter imports it.
It runs your functions on small probe inputs and compares what they return with
the right answer and with the answers that common mistakes give, so that it can
name the mistake. When no known mistake fits, it says what is wrong with the
numbers instead of guessing. The starters compute those answers with
whole-array NumPy operations (no loops), their own way. A function that does not
return within TIME_LIMIT_S seconds on these tiny inputs is reported, not waited
for. Needs numpy only.
"""

import threading
from pathlib import Path

import numpy as np

#: Seconds a learner's function may take on one probe input (a right answer takes milliseconds).
TIME_LIMIT_S = 10


class TodoNotDone(Exception):
    """Raised by a TODO of a starter that is still waiting for your code."""


def todo(number, task):
    raise TodoNotDone(f"TODO {number} is still open: {task}")


class TimeLimitExceeded(Exception):
    """The learner's function did not return within TIME_LIMIT_S seconds."""


def call_with_time_limit(function, args, kwargs):
    """function(*args, **kwargs), raising TimeLimitExceeded if it runs past TIME_LIMIT_S.

    The call runs in a daemon thread: a loop that never ends keeps that thread
    busy, but the check goes on and the program can still exit.
    """
    outcome = {}

    def call():
        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as error:  # noqa: B036 (the learner's code may even call sys.exit)
            outcome["error"] = error

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(TIME_LIMIT_S)
    if thread.is_alive():
        raise TimeLimitExceeded
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def probe(shape, start):
    """Fixed, irregular numbers in steps of 0.25 from -3 to 3 (the same on every computer)."""
    count = int(np.prod(shape))
    return ((np.arange(start, start + count) * 37 % 25) - 12).reshape(shape) / 4


def same(a, b):
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))


def _shapes_in(text):
    """The shapes, like (3, 3, 2), that an error message mentions."""
    shapes = []
    for part in text.split("(")[1:]:
        try:
            shapes.append(tuple(int(v) for v in part.split(")")[0].split(",") if v.strip()))
        except ValueError:
            pass
    return shapes


def _plain(error, case):
    """What an exception says, in plain words."""
    text = " ".join(str(error).split()) or "(no message)"
    shapes, kernel = _shapes_in(text), case.get("kernel")
    window = f"; every window must have the kernel's shape {kernel}" if kernel else ""
    if "could not be broadcast together" in text and len(shapes) >= 2:
        first, second = shapes[:2]
        plain = f"arrays of shapes {first} and {second} cannot be combined element by element"
        pairs = ((first, second), (second, first))
        if kernel and any(a[-len(kernel) :] == kernel and len(b) == len(kernel) for a, b in pairs):
            plain += window
        return plain
    if "could not broadcast input array from shape" in text and len(shapes) >= 2:
        return f"an array of shape {shapes[0]} does not fit into a place of shape {shapes[1]}"
    if "setting an array element with a sequence" in text:
        return "a whole array was stored where one number goes"
    if "shape-mismatch for sum" in text:
        return "np.tensordot got arrays whose summed axes have different lengths" + window
    if "mismatch in its core dimension" in text:
        return "a matrix product (@ or np.dot) got arrays whose inner sizes differ"
    if "zero-size array to reduction operation" in text:
        return "a maximum (or other reduction) of an empty window was asked for"
    if "cannot be interpreted as an integer" in text:
        return (
            "a number with a fraction (a float) was used where a whole number is needed, as in range() "
            "or an array's shape; // divides to a whole number"
        )
    return text


def failure(name, function, error, case):
    """One line naming the function, the probe, the line of the learner's code and the exception."""
    filename = getattr(getattr(function, "__code__", None), "co_filename", None)
    line, trace = None, error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == filename:
            line = trace.tb_lineno
        trace = trace.tb_next
    where = ""
    if line:
        try:
            code = Path(filename).read_text(encoding="utf-8").splitlines()[line - 1].strip()
        except (OSError, IndexError, UnicodeDecodeError):
            code = ""
        code = code if len(code) <= 80 else code[:77] + "..."
        where = f" at line {line}" + (f" (`{code}`)" if code else "")
    return f"{name} fails on {case['text']}{where}: {_plain(error, case)} ({type(error).__name__})"


def run_function(name, function, case):
    """Call the learner's function on copies of a probe: (output, problem, changed arguments, raised)."""
    args = [np.array(value) for value in case["args"]]
    try:
        out = call_with_time_limit(function, args, case["kwargs"])
    except TodoNotDone as error:
        return None, str(error), [], False
    except TimeLimitExceeded:
        return (
            None,
            f"{name} did not return within {TIME_LIMIT_S} s on {case['text']}, where the right code takes "
            "a few milliseconds: it may be caught in a loop that never ends",
            [],
            False,
        )
    except Exception as error:  # the learner's code may fail in any way; say how, never raise
        return None, failure(name, function, error, case), [], True
    changed = [arg for arg, given, kept in zip(case["names"], args, case["args"]) if not same(given, kept)]
    if out is None:
        return (
            None,
            f"{name} returns None for {case['text']}; it must return the output array",
            changed,
            False,
        )
    try:
        values = np.asarray(out, dtype=float)
    except Exception:
        kind = type(out).__name__
        return (
            None,
            f"{name} returns a {kind} that is not an array of numbers for {case['text']}",
            changed,
            False,
        )
    return values, None, changed, False


def _where(wrong):
    """Where the wrong values of a (rows, cols) map of booleans are, in words."""
    if wrong.all():
        return " at every position"
    last_row, last_col = wrong.shape[0] - 1, wrong.shape[1] - 1
    rows, cols = np.flatnonzero(wrong.any(axis=1)), np.flatnonzero(wrong.any(axis=0))
    if len(rows) == 1:
        return f" only in row {rows[0]}" + {0: " (the first)", last_row: " (the last)"}.get(rows[0], "")
    if len(cols) == 1:
        return f" only in column {cols[0]}" + {0: " (the first)", last_col: " (the last)"}.get(cols[0], "")
    for side, row, col in (("last", last_row, last_col), ("first", 0, 0)):
        inside = np.delete(np.delete(wrong, row, axis=0), col, axis=1)
        if not inside.any():
            return f" only in the {side} row and the {side} column"
    if min(wrong.shape) > 2 and not wrong[1:-1, 1:-1].any():
        return " only along the border"
    return f" at {int(wrong.sum())} of {wrong.size} positions"


def _describe(name, case, got, want):
    """What is wrong with the numbers, without guessing a cause."""
    text = case["text"]
    if got.ndim == 0:
        return f"{name} returns a single number for {text}; expected an array of shape {want.shape}"
    if got.shape != want.shape:
        return f"{name} returns shape {got.shape} for {text}; expected {want.shape}"
    if not np.isfinite(got).all():
        count = int((~np.isfinite(got)).sum())
        return (
            f"{name} returns {count} values that are NaN or infinite for {text}; every value must be a number"
        )
    wrong = ~np.isclose(got, want, rtol=1e-6, atol=1e-9)
    where = _where(wrong if wrong.ndim == 2 else wrong.any(axis=tuple(range(2, wrong.ndim))))
    detail = ""
    if got.ndim == 3:
        maps = [c for c in range(got.shape[2]) if wrong[..., c].any()]
        if len(maps) < got.shape[2]:
            detail = f", only in {case['part']} {', '.join(map(str, maps))}"
    offsets = (got - want).reshape(-1, got.shape[-1]) if got.ndim == 3 else (got - want).reshape(-1, 1)
    if np.ptp(offsets, axis=0).max() < 1e-9:
        amounts = ", ".join(f"{value:+g}" for value in offsets[0])
        detail += f"; every value is off by the same amount ({amounts})"
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    cell = ", ".join(map(str, index))
    return (
        f"{name} returns the right shape {got.shape} for {text}, but {int(wrong.sum())} of {got.size} "
        f"values are wrong{where}{detail}: out[{cell}] is {got[index]:g}, expected {want[index]:g}"
    )


def _explain(results, cases, answer, mistakes):
    """The one known mistake (or pair of mistakes) that gives exactly these results, or None.

    A result of None stands for a probe on which the learner's code failed; a
    mistake explains it only if code with that mistake could not run that probe.
    """

    def fits(choice):
        for case, got in zip(cases, results):
            try:
                with np.errstate(all="ignore"):
                    expected = answer(case, dict(choice))
            except Exception:  # code with this mistake could not have run this probe
                expected = None
            if (got is None) != (expected is None) or (got is not None and not same(got, expected)):
                return False
        return True

    singles = [message for slot, kind, message in mistakes if fits([(slot, kind)])]
    if singles:
        return singles[0] if len(singles) == 1 else None
    pairs = [
        f"has two mistakes: it {first[2]}; and it {second[2]}"
        for n, first in enumerate(mistakes)
        for second in mistakes[n + 1 :]
        if first[0] != second[0] and fits([first[:2], second[:2]])
    ]
    return pairs[0] if len(pairs) == 1 else None


def parse_mistakes(table, **parts):
    """(slot, kind, message) from lines "slot kind: message"; indented lines continue a message."""
    rows = []
    for line in table.strip().splitlines():
        if line.startswith(" "):
            rows[-1][2] += " " + line.strip()
        else:
            head, message = line.split(": ", 1)
            rows.append([*head.split(), message])
    return [(slot, kind, message.format(**parts)) for slot, kind, message in rows]


def check_function(name, function, cases, answer, mistakes):
    """Plain-language problems with one function; an empty list when it is right."""
    results, failures, changed = [], [], []
    for case in cases:
        values, problem, moved, raised = run_function(name, function, case)
        if problem and not raised:
            return [problem]
        results.append(values)
        failures += [problem] if raised else []
        changed += [arg for arg in moved if arg not in changed]
    expected = [answer(case, {}) for case in cases]
    wrong = [n for n, (got, want) in enumerate(zip(results, expected)) if got is None or not same(got, want)]
    problems = []
    if wrong:
        ran = any(got is not None for got in results)
        named = _explain(results, cases, answer, mistakes) if ran else None
        if named:
            problems.append(f"{name} {named}")
        elif failures:
            problems.append(failures[0])
        else:
            first = wrong[0]
            problems.append(_describe(name, cases[first], results[first], expected[first]))
    if changed:
        problems.append(
            f"{name} changes its argument {changed[0]} in place; leave the inputs as they are and write "
            "the result into a new array"
        )
    return problems


def check_all(found, checks):
    """Problems found by checks ((name, check) pairs) in the functions of namespace found."""
    problems = []
    for name, check in checks:
        try:
            if not callable(found.get(name)):
                problems.append(f"{name} is missing: keep its def line and fill in its body")
                continue
            problems += check(found[name])
        except Exception as error:  # a safety net: the check itself must never stop with a traceback
            problems.append(f"the self-check of {name} could not finish: {type(error).__name__}: {error}")
    return problems


def report(problems):
    """Print the problems of --check as a list; return the exit status (1 if any)."""
    for problem in problems:
        print(f"- {problem}")
    print("Every check passed." if not problems else f"{len(problems)} check(s) failed.")
    return 1 if problems else 0
