"""A small mutation tester: change one operator or constant at a time and see whether the tests notice.

Usage (from the repository root):
    .venv/bin/python tools/mutate.py convviz/layers.py tests/test_layers.py tests/test_properties.py
    .venv/bin/python tools/mutate.py MODULE TESTS... [--jobs 2] [--report outcomes.tsv]

Each mutant is one change to the module's source (an arithmetic, comparison or
boolean operator swapped, a number moved by one, a string or keyword constant
replaced, a `not` or a unary minus removed, a slice bound or step dropped, an
`if` condition forced true or false). The repository is copied to a scratch
folder per worker, the mutant written there, and pytest run with -x on the
given tests. A mutant is killed when pytest fails or runs past the time limit
(three times the unmutated run, plus 20 s). Survivors are listed with their
line so that a person can judge whether each one is equivalent (changes no
observable behaviour) or a gap in the tests. Not part of `make test`.
"""

import argparse
import ast
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("convviz", "tests", "downloads", "docs", "scripts", "pyproject.toml", "conf.py")

SWAPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.MatMult: ast.Mult,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.And: ast.Or,
    ast.Or: ast.And,
}


def replacements(node):
    """Yield (description, replacement source) for one AST node."""
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in SWAPS:
        new = type(node.op).__name__, SWAPS[type(node.op)].__name__
        if isinstance(node, ast.AugAssign):
            mutated = ast.AugAssign(node.target, SWAPS[type(node.op)](), node.value)
        else:
            mutated = ast.BinOp(node.left, SWAPS[type(node.op)](), node.right)
        yield f"{new[0]} -> {new[1]}", ast.unparse(mutated)
    elif isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            if type(op) in SWAPS:
                ops = list(node.ops)
                ops[index] = SWAPS[type(op)]()
                yield (
                    f"{type(op).__name__} -> {type(ops[index]).__name__}",
                    ast.unparse(ast.Compare(node.left, ops, node.comparators)),
                )
    elif isinstance(node, ast.BoolOp):
        yield (
            f"{type(node.op).__name__} -> {SWAPS[type(node.op)].__name__}",
            ast.unparse(ast.BoolOp(SWAPS[type(node.op)](), node.values)),
        )
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        yield f"drop {type(node.op).__name__}", "(" + ast.unparse(node.operand) + ")"
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            yield f"{value} -> {not value}", repr(not value)
        elif isinstance(value, int):
            yield f"{value} -> {value + 1}", repr(value + 1)
            yield f"{value} -> {value - 1}", repr(value - 1)
        elif isinstance(value, float):
            yield f"{value} -> {value * 2 or 1.0}", repr(value * 2 or 1.0)
        elif isinstance(value, str) and value:
            yield f"{value[:20]!r} -> 'XX'", repr("XX")
        elif value is None:
            return
    elif isinstance(node, ast.Slice):
        for part in ("lower", "upper", "step"):
            if getattr(node, part) is not None:
                parts = {name: getattr(node, name) for name in ("lower", "upper", "step")}
                parts[part] = None
                yield f"drop slice {part}", ast.unparse(ast.Slice(**parts))
    elif isinstance(node, ast.If):
        test = node.test
        yield "if -> True", ("test", "True", test)
        yield "if -> False", ("test", "False", test)


def is_docstring(node, parents):
    parent = parents.get(node)
    return (
        isinstance(parent, ast.Expr)
        and isinstance(parents.get(parent), (ast.Module, ast.FunctionDef, ast.ClassDef))
        and parents[parent].body[0] is parent
    )


def mutants(source):
    """Every (line, description, mutated source) of a module's source text."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line.encode()))
    data = source.encode()

    def span(node):
        return offsets[node.lineno - 1] + node.col_offset, offsets[node.end_lineno - 1] + node.end_col_offset

    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and is_docstring(node, parents):
            continue
        if isinstance(node, ast.Constant) and isinstance(parents.get(node), ast.JoinedStr):
            continue
        for description, replacement in replacements(node):
            target = node
            if isinstance(replacement, tuple):  # an if: replace only its condition
                _, replacement, target = replacement
            start, end = span(target)
            mutated = data[:start] + replacement.encode() + data[end:]
            try:
                ast.parse(mutated)
            except SyntaxError:
                continue
            yield (node.lineno, node.end_lineno), description, mutated.decode()


class LineRecorder:
    """A pytest plugin that records, per test, which lines of one file it executed."""

    def __init__(self, path):
        self.path = str(path)
        self.lines = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        hit = set()

        def local(frame, event, arg):
            if event == "line":
                hit.add(frame.f_lineno)
            return local

        def tracer(frame, event, arg):
            if frame.f_code.co_filename == self.path:
                hit.add(frame.f_lineno)
                return local
            return None

        sys.settrace(tracer)
        threading.settrace(tracer)
        try:
            yield
        finally:
            sys.settrace(None)
            threading.settrace(None)
            self.lines[item.nodeid] = sorted(hit)


def in_child(folder, timeout, work):
    """Run work() in a forked child inside folder with fresh repository modules; return (exit code, s)."""
    started = time.perf_counter()
    child = os.fork()
    if child == 0:
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            os.chdir(folder)
            own = ("convviz", "conftest", "browser_support", "chromium")
            for name in list(sys.modules):
                if name.split(".")[0] in own or name.startswith("test_"):
                    del sys.modules[name]
            sys.path[:0] = [str(folder), str(folder / "tests")]
            code = work()
        except BaseException:
            code = 3
        os._exit(int(code))
    deadline = started + timeout
    while True:
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), time.perf_counter() - started
        if time.perf_counter() > deadline:
            os.kill(child, 9)
            os.waitpid(child, 0)
            return None, time.perf_counter() - started
        time.sleep(0.02)


def record_lines(folder, module, tests):
    """Run the tests once, unmutated, and return {test id: lines of module it executed}."""
    result = folder / "lines.json"

    def work():
        recorder = LineRecorder(folder / module)
        code = pytest.main(["-q", "-p", "no:cacheprovider", *tests], plugins=[recorder])
        result.write_text(json.dumps(recorder.lines))
        return code

    code, seconds = in_child(folder, 3600, work)
    if code != 0:
        sys.exit(f"the tests fail without any mutation (exit status {code}); fix them first")
    return json.loads(result.read_text()), seconds


def run_tests(folder, test_ids, timeout, files):
    """Run the given tests with -x in a forked child; return (outcome, seconds).

    If pytest cannot find a test id (exit status 4 or 5), the whole test files run instead,
    so that a selection problem is never counted as a kill.
    """
    options = ["-x", "-q", "-p", "no:cacheprovider"]
    code, seconds = in_child(folder, timeout, lambda: pytest.main([*options, *test_ids]))
    if code in (4, 5):
        code, seconds = in_child(folder, timeout, lambda: pytest.main([*options, *files]))
    if code is None:
        return "timeout", seconds
    return ("survived" if code == 0 else "killed"), seconds


def scratch_copy():
    folder = Path(tempfile.mkdtemp(prefix="mutate-"))
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, folder / name, ignore=shutil.ignore_patterns("__pycache__", "auto_examples")
            )
        elif source.exists():
            shutil.copy2(source, folder / name)
    return folder


def main():
    import numpy  # noqa: F401  (imported once here, shared by every forked test run)
    import PIL.Image  # noqa: F401
    import scipy.ndimage  # noqa: F401
    import scipy.signal  # noqa: F401

    try:
        import hypothesis  # noqa: F401
    except ImportError:
        pass
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", help="the file to mutate, relative to the repository")
    parser.add_argument("tests", nargs="+", help="pytest arguments (test files)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--report", help="write every mutant's outcome to this file")
    parser.add_argument("--lines", help="only mutate these lines, as FIRST-LAST")
    parser.add_argument("--every", type=int, default=1, help="a sample: every N-th mutant only")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    source = (ROOT / args.module).read_text()
    all_mutants = list(mutants(source))
    if args.lines:
        first, last = map(int, args.lines.split("-"))
        all_mutants = [m for m in all_mutants if first <= m[0][0] <= last]
    all_mutants = all_mutants[:: args.every]

    folders = [scratch_copy() for _ in range(args.jobs)]
    lines_of_test, baseline = record_lines(folders[0], args.module, args.tests)
    timeout = 3 * baseline + 20
    print(f"{len(all_mutants)} mutants of {args.module}; unmutated tests take {baseline:.1f} s", flush=True)

    def tests_reaching(first, last):
        """The tests that execute a line of the mutant; every test if none does (module-level code)."""
        chosen = [test for test, hit in lines_of_test.items() if any(first <= n <= last for n in hit)]
        return chosen or list(lines_of_test)

    free = list(folders)
    outcomes = []

    def attempt(mutant):
        folder = free.pop()
        try:
            (folder / args.module).write_text(mutant[2])
            outcome, seconds = run_tests(folder, tests_reaching(*mutant[0]), timeout, args.tests)
        finally:
            (folder / args.module).write_text(source)
            free.append(folder)
        line, description = mutant[0][0], mutant[1]
        print(f"{outcome:8s} line {line:4d}: {description}  ({seconds:.0f} s)", flush=True)
        return line, description, outcome

    try:
        with ThreadPoolExecutor(args.jobs) as pool:
            outcomes = list(pool.map(attempt, all_mutants))
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    killed = sum(outcome != "survived" for _, _, outcome in outcomes)
    print(f"killed {killed} of {len(outcomes)} ({100 * killed / max(1, len(outcomes)):.1f} %)")
    lines = source.splitlines()
    survivors = [(line, description) for line, description, outcome in outcomes if outcome == "survived"]
    for line, description in survivors:
        print(f"  survived line {line}: {description}: {lines[line - 1].strip()}")
    if args.report:
        Path(args.report).write_text(
            "".join(
                f"{outcome}\t{line}\t{description}\t{lines[line - 1].strip()}\n"
                for line, description, outcome in outcomes
            )
        )


if __name__ == "__main__":
    main()
