"""Run the self-check of a starter copy in which a test planted a mistake; shorten its time limit."""

import importlib.util
import sys


def problems_of(path):
    """run_checks on the functions of the planted file, imported from its own folder like a learner's run."""
    spec = importlib.util.spec_from_file_location(f"planted_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module.run_checks(module)


def with_time_limit(path, seconds):
    """The self_check.py beside path with a time limit of seconds, so that a test waits that long."""
    check = path.parent / "self_check.py"
    text = check.read_text()
    assert "\nTIME_LIMIT_S = 10\n" in text
    check.write_text(text.replace("\nTIME_LIMIT_S = 10\n", f"\nTIME_LIMIT_S = {seconds}\n"))
    return path


def assert_every_mistake_distinct(cases, answer, mistakes, same):
    """Each known mistake's answers on the probes differ from the right ones and from every other
    mistake's, so that a result matching one mistake cannot match the right answer or another mistake."""
    right = [answer(case, {}) for case in cases]
    results = {}
    for slot, kind, _ in mistakes:
        results[slot, kind] = [answer(case, {slot: kind}) for case in cases]
        assert not all(map(same, results[slot, kind], right)), (slot, kind)
    keys = list(results)
    for n, first in enumerate(keys):
        for second in keys[n + 1 :]:
            assert not all(map(same, results[first], results[second])), (first, second)
