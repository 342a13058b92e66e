"""Run a learner download as a learner's computer would: short of disk space or memory, without a package,
stopped by a signal; and check that it said what went wrong in one line."""

import os
import resource
import subprocess
import sys
import time

#: Runs a script with some packages missing: sys.modules[name] = None makes "import name" fail
#: with ModuleNotFoundError, as on a computer without them.
WITHOUT = (
    "import os, runpy, sys\n"
    "for name in sys.argv[1].split(','):\n"
    "    sys.modules[name] = None\n"
    "sys.argv = sys.argv[2:]\n"
    "sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


def command(script, *args, without=()):
    if without:
        return [sys.executable, "-c", WITHOUT, ",".join(without), str(script), *map(str, args)]
    return [sys.executable, str(script), *map(str, args)]


def limits(file_size=None, memory=None):
    """A preexec_fn: no file larger than file_size bytes (a write past it fails as on a full disk),
    at most memory bytes of address space."""

    def apply():
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return apply


def run(script, *args, cwd, without=(), file_size=None, memory=None, timeout=120):
    """The script run in cwd under the given limits; the CompletedProcess."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(
        command(script, *args, without=without),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        preexec_fn=limits(file_size, memory),
    )


def start(script, *args, cwd):
    """The script started in cwd, its output piped, line-buffered."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        command(script, *args), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def wait_for(condition, timeout=60, what="the condition"):
    """Poll condition() until it is true; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def assert_one_line(result, status, *fragments):
    """The run ended with status and said why in exactly one line on stderr, containing fragments."""
    assert result.returncode == status, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def hidden_files(folder):
    """Files a run left behind under a hidden name (its temporary files)."""
    return sorted(p.name for p in folder.rglob(".*"))
