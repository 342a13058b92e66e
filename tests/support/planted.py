"""Run the self-check of a starter copy in which a test planted a learner's mistake."""

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
