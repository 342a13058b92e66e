"""The self-check of the exercise starters (cnn_starter.py, tiny_cnn_starter.py, occlusion_starter.py).

Keep this file in the folder of the starter you work on: the starter imports it.
It runs your functions on small probe inputs and compares what they return with
the right answer and with the answers that common mistakes give, so that it can
name the mistake. When no known mistake fits, it says what is wrong with the
numbers instead of guessing. The starters compute those answers with
whole-array NumPy operations (no loops), their own way. A function that does not
return within TIME_LIMIT_S seconds on these tiny inputs is reported, not waited
for, and so is one that calls sys.exit() or returns complex numbers; once the
checks pass, the starter runs your functions on the real data in the same way.

It also holds what the starters share with the other downloads: one-line
messages for every way a run can stop, output files written whole or not at
all, and the checked loading of the weights file. Run on its own, it says which
starter to run. Needs numpy only.
"""

import argparse
import contextlib
import os
import signal
import stat
import sys
import threading
import uuid
import zipfile
import zlib
from pathlib import Path

try:
    import fcntl  # lets one run at a time rename its files into a folder; Windows has none
except ImportError:
    fcntl = None
try:
    import numpy as np
except ModuleNotFoundError as missing:  # name the package to install, in one line
    package = str(missing.name).partition(".")[0].replace("PIL", "pillow")
    sys.exit(f"{Path(sys.argv[0]).name}: needs the Python package {package}: pip install {package}")

#: Seconds a learner's function may take on one probe input (a right answer takes milliseconds).
TIME_LIMIT_S = 10
#: Threads of learner's functions that ran past their time limit and still run.
STILL_RUNNING = []
#: The signals that stop a run: Ctrl-C, and where the system has them, termination and hang-up.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
#: The arrays of the weights file and their shapes; test_images and test_labels come with them.
WEIGHT_SHAPES = {"W1": (4, 3, 3, 1), "b1": (4,), "W2": (8, 3, 3, 4), "b2": (8,), "W3": (10, 392), "b3": (10,)}
#: Trained weights stay within about ±2 (Adam moves each by about its learning rate, 0.005, a step).
MAX_WEIGHT = 100
#: The course's weights file holds a few hundred test digits.
MAX_TEST_DIGITS = 10_000


class TodoNotDone(Exception):
    """Raised by a TODO of a starter that is still waiting for your code."""


def todo(number, task):
    raise TodoNotDone(f"TODO {number} is still open: {task}")


class TimeLimitExceeded(Exception):
    """The learner's function did not return within its time limit."""


class EndsTheProgram(Exception):
    """The learner's function raised what ends a program: error, the SystemExit of sys.exit(), say."""

    def __init__(self, error):
        super().__init__(error)
        self.error = error


def call_with_time_limit(function, args, kwargs, limit=None):
    """function(*args, **kwargs), raising TimeLimitExceeded if it runs past limit (TIME_LIMIT_S) seconds.

    The call runs in a daemon thread: a loop that never ends keeps that thread
    busy, but the check goes on and the program can still exit. sys.exit() in the
    learner's code becomes EndsTheProgram, so that it cannot end the check silently.
    """
    outcome = {}

    def call():
        try:
            with np.errstate(all="ignore"):  # NaN and infinity are reported, not warned about
                outcome["value"] = function(*args, **kwargs)
        except BaseException as error:  # noqa: B036 (the learner's code may even call sys.exit)
            outcome["error"] = error

    # The learner's prints pass through a gate, so that a call past its limit can be silenced at once,
    # even in the middle of a print: what it prints from then on would bury the report.
    sys.stdout, sys.stderr = (SilenceableStream.around(stream) for stream in (sys.stdout, sys.stderr))
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(TIME_LIMIT_S if limit is None else limit)
    if thread.is_alive():
        STILL_RUNNING.append(thread)
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, SilenceableStream):
                stream.silence(thread)
        raise TimeLimitExceeded
    if isinstance(outcome.get("error"), Exception):
        raise outcome["error"]
    if "error" in outcome:
        raise EndsTheProgram(outcome["error"])
    return outcome["value"]


class SilenceableStream:
    """An output stream that passes on what every thread writes, except threads it was told to silence.

    A write and :meth:`silence` never overlap, so nothing a silenced thread writes comes after it
    was silenced, and a line it had begun is ended, so that the next output starts a line of its own.
    """

    def __init__(self, stream):
        self.stream = stream
        self.silenced = set()
        self.lock = threading.Lock()
        self.line_open = False

    @classmethod
    def around(cls, stream):
        return stream if isinstance(stream, cls) else cls(stream)

    def write(self, text):
        with self.lock:
            if threading.current_thread() in self.silenced:
                return len(text)
            written = self.stream.write(text)
            if text:
                self.line_open = not text.endswith("\n")
            return written

    def silence(self, thread):
        with self.lock:
            self.silenced.add(thread)
            if self.line_open:
                self.stream.write("\n")
                self.line_open = False

    def __getattr__(self, name):
        return getattr(self.stream, name)


def missing_beside(error, bundle):
    """What to say when an import of a file that bundle puts beside the script fails (error)."""
    if isinstance(error, ModuleNotFoundError) and error.name:
        return f"{error.name}.py is missing: unzip {bundle} again and keep this file in its folder"
    return f"a file beside this one is from another version ({error}): unzip {bundle} again"


def exit_program(status):
    """End the program with status. While a learner's function that never returned still runs in its
    thread, end it at once, once the output is out: Python's own shutdown could wait on it for ever
    (in input(), say) or stop with a fatal error."""
    if any(thread.is_alive() for thread in STILL_RUNNING):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)
    sys.exit(status)


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


#: Names the learner's loops over output positions usually take.
LOOP_NAMES = ("row", "col", "i", "j", "r", "c")


def _cut_short(window, kernel):
    """True if window is the kernel's shape cut short along some axis (as at the image's edge)."""
    return len(window) == len(kernel) and window != kernel and all(w <= k for w, k in zip(window, kernel))


def _plain(error, case, moved=False):
    """What an exception says, in plain words.

    moved: the learner's loops had left the first position when it was raised (a window cut
    short there has run past the image's edge).
    """
    text = " ".join(str(error).split()) or "(no message)"
    shapes, kernel = _shapes_in(text), case.get("kernel")
    window = f"; every window must have the kernel's shape {kernel}" if kernel else ""
    if "could not be broadcast together" in text and len(shapes) >= 2:
        first, second = shapes[:2]
        plain = f"arrays of shapes {first} and {second} cannot be combined element by element"
        pairs = ((first, second), (second, first))
        if kernel and any(a[-len(kernel) :] == kernel and len(b) == len(kernel) for a, b in pairs):
            plain += window
            if moved and any(_cut_short(b, a[-len(kernel) :]) for a, b in pairs):
                plain += (
                    "; your loop runs past the edge: where the kernel no longer fits the window is cut "
                    "short, so loop over the output's positions, range(out_rows) and range(out_cols)"
                )
        return plain
    if "as a data type" in text:
        return (
            "np.zeros read its second number as a data type: pass the shape as one tuple, "
            "np.zeros((rows, cols)), with two pairs of parentheses"
        )
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
    """One line naming the function, the probe, the line of the learner's code and the exception.

    The line is the last one of the learner's file that the error passed through, before it entered
    a function the check gave the learner's code (case["given"], such as a stand-in network).
    """
    filename = getattr(getattr(function, "__code__", None), "co_filename", None)
    given = {getattr(other, "__code__", None) for other in case.get("given", ())}
    line, trace, moved = None, error.__traceback__, False
    while trace is not None and trace.tb_frame.f_code not in given:
        if trace.tb_frame.f_code.co_filename == filename:
            line = trace.tb_lineno
            loops = [trace.tb_frame.f_locals.get(name) for name in LOOP_NAMES]
            moved = any(isinstance(value, int) and value > 0 for value in loops)
        trace = trace.tb_next
    where = ""
    if line:
        try:
            code = Path(filename).read_text(encoding="utf-8").splitlines()[line - 1].strip()
        except (OSError, IndexError, UnicodeDecodeError):
            code = ""
        code = code if len(code) <= 80 else code[:77] + "..."
        where = f" at line {line}" + (f" (`{code}`)" if code else "")
    return f"{name} fails on {case['text']}{where}: {_plain(error, case, moved)} ({type(error).__name__})"


def stopped(name, function, error, case, limit=None):
    """What it means, in one line, that a call of the learner's function raised error."""
    text = case["text"]
    if isinstance(error, TodoNotDone):
        return str(error)
    if isinstance(error, TimeLimitExceeded):
        seconds = TIME_LIMIT_S if limit is None else limit
        return (
            f"{name} did not return within {seconds:g} s on {text}, where the right code takes "
            f"{case.get('usual', 'a few milliseconds')}: it may be caught in a loop that never ends"
        )
    if isinstance(error, EndsTheProgram):
        code = getattr(error.error, "code", None)
        how = (
            f"calls sys.exit({'' if code is None else repr(code)})"
            if isinstance(error.error, SystemExit)
            else f"raises {type(error.error).__name__}"
        )
        return f"{name} {how} on {text}, which would end the whole program; return its result instead"
    return failure(name, function, error, case)


def as_numbers(name, out, text):
    """(out as an array of floats, None), or (None, what is wrong) if out is not real numbers."""
    if out is None:
        return None, f"{name} returns None for {text}; it must return the output array"
    try:
        values = np.asarray(out)
    except Exception:  # a ragged list, or an object NumPy cannot take
        values = np.empty(0, dtype=object)
    if values.dtype.kind == "c":
        return None, f"{name} returns complex numbers for {text}; every value must be a real number"
    if values.dtype.kind not in "biuf":
        if isinstance(out, np.ndarray):
            return None, f"{name} returns an array of {out.dtype}, not of numbers, for {text}"
        return None, f"{name} returns a {type(out).__name__} that is not an array of numbers for {text}"
    return values.astype(float), None


def not_finite(name, values, text):
    """The problem with values that are not all finite, in one line."""
    count = int((~np.isfinite(values)).sum())
    return f"{name} returns {count} values that are NaN or infinite for {text}; every value must be a number"


def run_function(name, function, case, limit=None):
    """Call the learner's function on copies of a probe: (output, problem, changed arguments, raised)."""
    args = [np.array(value) for value in case["args"]]
    try:
        out = call_with_time_limit(function, args, case["kwargs"], limit)
    except Exception as error:  # the learner's code may fail in any way; say how, never raise
        raised = not isinstance(error, (TodoNotDone, TimeLimitExceeded, EndsTheProgram))
        return None, stopped(name, function, error, case, limit), [], raised
    changed = [arg for arg, given, kept in zip(case["names"], args, case["args"]) if not same(given, kept)]
    values, problem = as_numbers(name, out, case["text"])
    return values, problem, changed, False


def checked(name, function, text, limit=None, usual="a few milliseconds", given=()):
    """function, made to run on real data as the self-check runs it: every call within the time limit,
    and a Failure in one line if it raises, ends the program or returns anything but real, finite numbers.
    given: the functions the call passes to the learner's code (an error inside one of them is named at
    the learner's line that called it).
    """

    def call(*args, **kwargs):
        case = {"args": args, "kwargs": kwargs, "names": (), "text": text, "usual": usual, "given": given}
        values, problem, _, _ = run_function(name, function, case, limit)
        if problem is None and not np.isfinite(values).all():
            problem = not_finite(name, values, text)
        if problem:
            raise Failure(f"{problem} (the self-check's small probes pass; the real data brings this out)")
        return values

    return call


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
        return not_finite(name, got, text)
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
    summary = "Every check passed." if not problems else f"{len(problems)} check(s) failed."
    print("\n".join([*(f"- {problem}" for problem in problems), summary]))  # in one piece, between the
    return 1 if problems else 0  # lines of a learner's function that still prints after its time ran out


# ---------------------------------------------------------------- shared with the other downloads
# Each download runs on its own, so cnn_visualization.py and the solutions hold copies of these;
# tests/test_downloads.py keeps every copy identical.


class Failure(Exception):
    """A problem the script reports in one line; status is its exit status."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


class OneLineParser(argparse.ArgumentParser):
    """An argument parser that reports a bad argument in one line and exits with status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def one_line_errors(main):
    """main, made to say in one line on stderr why it stopped, and to return the exit status.

    A Failure gives its message and status. Ctrl-C, SIGTERM and SIGHUP stop the
    run once its clean-up code has run (status 128 + the signal's number); any
    other error is named with its type. The signal handlers are restored afterwards.
    """

    def run(*args, **kwargs):
        def stop(number, frame):  # Ctrl-C's KeyboardInterrupt for all three, so that clean-up code runs
            raise KeyboardInterrupt(number)

        previous = {}
        if threading.current_thread() is threading.main_thread():
            for number in STOP_SIGNALS:
                if signal.getsignal(number) in (signal.SIG_DFL, signal.default_int_handler):
                    previous[number] = signal.signal(number, stop)
        try:
            status = main(*args, **kwargs)
            sys.stdout.flush()
            return status
        except Failure as problem:
            message, status = str(problem), problem.status
        except KeyboardInterrupt as interrupt:  # stop() gives the signal's number; Ctrl-C alone gives none
            number = next((n for n in interrupt.args if n in STOP_SIGNALS), signal.SIGINT)
            name = signal.Signals(number).name
            message = "interrupted (Ctrl-C)" if name == "SIGINT" else f"stopped by {name}"
            status = 128 + number
        except BrokenPipeError:  # the program reading the output (| head) stopped reading: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        except Exception as error:  # an error nobody foresaw still gets one line
            message, status = f"stopped by an unexpected error: {type(error).__name__}: {error}", 1
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        print(f"{Path(sys.argv[0]).name}: {message}", file=sys.stderr)
        return status

    return run


def prepare_folder(folder, names):
    """The output folder as a Path, created if needed; Failure saying why it cannot take files names."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise Failure(f"{folder!r} is a file, not a folder", 2)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise Failure(f"cannot create folder {folder!r}: {error.strerror or error}", 2) from None
    for name in names:
        if (path / name).is_dir():
            raise Failure(f"cannot write {str(path / name)!r}: a folder of that name is in the way", 2)
    return path


def write_files(folder, files):
    """Write files, (name, bytes, description) triples, into folder: every one of them, or none.

    Each goes to a hidden temporary file beside its place first. Only when all are
    complete are they renamed into place, one run at a time (a lock on the folder,
    where the system has one), with Ctrl-C and termination signals held until the
    last one: so a failed or interrupted run leaves the folder as it was, and two
    runs into one folder never mix their files. Says which files it wrote or replaced.
    """
    folder, temporary, done, held, handlers, lock = Path(folder), [], [], [], {}, None
    try:
        for name, data, _ in files:
            if (folder / name).is_dir():
                raise Failure(f"cannot write {str(folder / name)!r}: a folder of that name is in the way")
            path = folder / f".{name}.{uuid.uuid4().hex[:12]}.partial"
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            handle = os.open(path, flags, 0o666)  # the permissions any new file gets (umask)
            temporary.append(path)
            with open(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(handle)
        if fcntl is not None:
            with contextlib.suppress(OSError):
                lock = os.open(folder, os.O_RDONLY)
                fcntl.flock(lock, fcntl.LOCK_EX)
        if threading.current_thread() is threading.main_thread():
            handlers = {n: signal.signal(n, lambda number, frame: held.append(number)) for n in STOP_SIGNALS}
        for (name, _, description), path in zip(files, temporary):
            verb = "replaced" if (folder / name).exists() else "wrote"
            os.replace(path, folder / name)
            done.append(f"{verb} {folder / name} ({description})")
    except OSError as error:
        left = (
            "nothing written" if not done else f"{len(files) - len(done)} of {len(files)} files not written"
        )
        raise Failure(f"cannot write into {str(folder)!r}: {error.strerror or error}; {left}") from None
    finally:
        for number, handler in handlers.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        for path in temporary:
            with contextlib.suppress(OSError):
                os.unlink(path)
        if lock is not None:
            os.close(lock)
        for line in done:
            print(line)
    for number in held[:1]:
        signal.raise_signal(number)


def open_file(path):
    """path opened for reading bytes; OSError if it cannot be, ValueError if it is a folder, a pipe or
    a device (which a plain open() would read as a file, or wait on for ever)."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    mode = os.fstat(handle).st_mode
    if not stat.S_ISREG(mode):
        os.close(handle)
        kind = "a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode) else "a device"
        raise ValueError(f"it is {kind}, not a file")
    return open(handle, "rb")


def load_weights(path):
    """The weights (float64), the test images (0-1 floats) and labels of a .npz weights file.

    Every array is checked before it is used: its header before its data is read,
    so that a file declaring huge or wrong arrays costs no time or memory, then its
    values against what training can produce. Failure (status 2) says in one line
    what is wrong.
    """
    try:
        with open_file(path) as file:
            start = file.read(6)
            if start.startswith(b"\x93NUMPY"):
                raise ValueError("it is a single-array .npy file, the weights come as one .npz archive")
            if not start.startswith(b"PK"):
                raise ValueError("it is not a .npz archive; download tiny_cnn_weights.npz from the page")
            with zipfile.ZipFile(file) as archive:
                arrays = {name: read_array(archive, name, shape) for name, shape in WEIGHT_SHAPES.items()}
                labels = read_array(archive, "test_labels", (None,))
                images = read_array(archive, "test_images", (len(labels), 28, 28))
        for name, values in arrays.items():
            if values.dtype.kind != "f":
                raise ValueError(f"array {name} must hold decimal numbers, it holds {values.dtype}")
            if not np.isfinite(values).all():
                raise ValueError(f"array {name} contains NaN or infinity")
            largest = values.flat[np.abs(values).argmax()]
            if abs(largest) > MAX_WEIGHT:
                raise ValueError(
                    f"array {name} holds {largest:g}, which training never gives (trained weights stay "
                    f"within ±{MAX_WEIGHT}); download the file again"
                )
        if len(labels) == 0:
            raise ValueError("the archive holds no test digits")
        if labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() > 9:
            raise ValueError("array test_labels must hold whole numbers from 0 to 9")
        if images.dtype != np.uint8:
            raise ValueError(
                f"array test_images must hold gray levels 0-255 as uint8, it holds {images.dtype}"
            )
        if images.max() <= 1:
            raise ValueError(
                "array test_images holds only the values 0 and 1; it must hold gray levels 0-255"
            )
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        reason = "the archive is damaged or incomplete; download it again"
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
    else:
        weights = {name: values.astype(np.float64) for name, values in arrays.items()}
        return weights, images / 255.0, labels.astype(np.int64)
    raise Failure(f"cannot load weights from {str(path)!r}: {reason}", 2)


def read_array(archive, name, shape):
    """Array name of a .npz archive; its header is checked against shape (None: up to MAX_TEST_DIGITS)
    before its data is read. ValueError naming what is wrong."""
    try:
        info = archive.getinfo(f"{name}.npy")
    except KeyError:
        raise ValueError(f"the archive has no array named {name}") from None
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValueError(f"array {name} is encrypted or compressed in a way NumPy never writes")
    with archive.open(info) as member:
        try:
            version = np.lib.format.read_magic(member)
            read_header = {
                (1, 0): np.lib.format.read_array_header_1_0,
                (2, 0): np.lib.format.read_array_header_2_0,
            }
            declared, fortran, dtype = read_header[version](member)
        except (KeyError, ValueError, SyntaxError):
            raise ValueError(f"array {name} has a damaged header") from None
        if dtype.hasobject:
            raise ValueError(f"array {name} holds Python objects, not numbers")
        if dtype.kind not in "biufc" or dtype.itemsize > 16:
            raise ValueError(f"array {name} must hold numbers, it holds {dtype}")
        if any(d < 0 for d in declared):
            raise ValueError(f"array {name} has a damaged header")
        expected = tuple("N" if n is None else n for n in shape)
        if len(declared) != len(shape) or any(n not in (None, d) for n, d in zip(shape, declared)):
            raise ValueError(f"array {name} has shape {declared}, expected {expected}".replace("'N'", "N"))
        if any(n is None and d > MAX_TEST_DIGITS for n, d in zip(shape, declared)):
            raise ValueError(
                f"array {name} declares {max(declared):,} values; the weights file holds a few hundred"
            )
        size = int(np.prod(declared)) * dtype.itemsize
        data = member.read(size + 1)
        if len(data) != size:
            raise ValueError(f"array {name} is damaged: its data does not have the size its header declares")
    return np.frombuffer(data, dtype).reshape(declared, order="F" if fortran else "C")


@one_line_errors
def main(argv=None):
    """Run on its own, say what this file is for and which starter to run instead."""
    starters = {
        "cnn_starter.py": "exercise 3",
        "tiny_cnn_starter.py": "exercise 4",
        "occlusion_starter.py": "exercise 5",
    }
    OneLineParser(
        description=__doc__.split("\n\n")[0],
        epilog="It does nothing on its own: run python cnn_starter.py --check (exercise 3), "
        "python tiny_cnn_starter.py --check (exercise 4) or python occlusion_starter.py --check "
        "(exercise 5) in its folder.",
    ).parse_args(argv)
    here = Path(__file__).resolve().parent
    beside = [name for name in starters if (here / name).is_file()] or list(starters)
    runs = " or ".join(f"python {name} --check ({starters[name]})" for name in beside)
    raise Failure(
        "this file holds the self-check that the exercise starters import; on its own it does nothing: "
        f"run {runs}",
        2,
    )


if __name__ == "__main__":
    sys.exit(main())
