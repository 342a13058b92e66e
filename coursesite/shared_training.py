"""One training of the default network for all the processes of a build, made in their idle time.

Most part 2 and part 3 figure scripts, the quiz and the explorers' data call
``convviz.tiny_cnn.trained_network()``, and every process that calls it trains
once (about 4 s). When the figure scripts run in worker processes (``make html``
runs two), each worker trained the same network, on the critical path of its
gallery section. Instead:

* :func:`start`, in the build's process before the workers start, locks a
  folder of its own and starts a process at the lowest CPU priority (nice 19)
  that trains and saves the result (:func:`save`) there; it holds the lock
  until it is done. It gets a core only when the figure scripts leave one idle
  (the build starting, the end of a gallery section, a script waiting for it);
* :func:`attach` has ``trained_network()`` of a process wait for the lock and
  load the saved training; when there is none (the training failed or was
  stopped), that process trains as before;
* :func:`stop`, when the build ends, stops a training still running (no script
  asked for it) and removes the folder.

Training is deterministic, and the file holds its arrays bit for bit (``.npy``),
so every process gets what it would have computed itself.

    python -m coursesite.shared_training FOLDER LOCK_FD [MODULE:FUNCTION]

is the training process (``MODULE:FUNCTION`` stands in for ``convviz.tiny_cnn:train`` in tests).
"""

import fcntl
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

LOCK_NAME = "training.lock"
RESULT_NAME = "training.npz"
TRAIN = "convviz.tiny_cnn:train"
#: The folder holding this package (the project's root), where the training process finds it.
PACKAGE_PARENT = Path(__file__).resolve().parents[1]

#: (training process, folder) of the build running in this process, or None.
_running = None


def start(train=TRAIN, root=None):
    """Start the training process; return its folder (for the workers: :func:`attach`).

    train names the training function as ``module:function``; root is the folder the process
    runs in, where it finds that module (default: the project's root).
    This process's own ``trained_network()`` loads the result too.
    """
    global _running
    stop()
    folder = Path(tempfile.mkdtemp(prefix="course-shared-training-"))
    root = PACKAGE_PARENT if root is None else Path(root)
    try:
        with open(folder / LOCK_NAME, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # held from here on by the training process's copy
            process = subprocess.Popen(
                [sys.executable, "-m", "coursesite.shared_training", str(folder), str(lock.fileno()), train],
                cwd=root,
                env={
                    **os.environ,
                    "PYTHONPATH": os.pathsep.join([str(PACKAGE_PARENT), os.environ.get("PYTHONPATH", "")]),
                },
                pass_fds=(lock.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # a failed training fails again where it is asked for
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _running = process, folder
    attach(folder)
    return str(folder)


def attach(folder):
    """trained_network() of this process loads the training from folder (None: trains here)."""
    from convviz import tiny_cnn

    tiny_cnn.take_default_training_from(None if folder is None else lambda: load_when_ready(Path(folder)))


def stop():
    """Stop the training process if it still runs, and remove its folder (the end of a build)."""
    global _running
    if _running is None:
        return
    (process, folder), _running = _running, None
    if process.poll() is None:
        process.kill()
    process.wait()
    attach(None)
    shutil.rmtree(folder, ignore_errors=True)


def load_when_ready(folder):
    """The training saved in folder once its lock is free, or None if there is none."""
    try:
        lock = open(folder / LOCK_NAME)  # noqa: SIM115 (closed by the with below)
    except FileNotFoundError:  # the build ended
        return None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_SH)  # waits while the training process holds its lock
        path = folder / RESULT_NAME
        return load(path) if path.is_file() else None


def save(path, result):
    """Write (params, initial params, history, data), as train() returns them, to an .npz file."""
    params, initial, history, data = result
    arrays = {f"params.{name}": value for name, value in params.items()}
    arrays |= {f"initial.{name}": value for name, value in initial.items()}
    arrays |= {f"history.{key}": np.asarray(value) for key, value in history.items()}
    arrays |= {f"data.{index}": value for index, value in enumerate(data)}
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as file:
        np.savez(file, **arrays)
    partial.replace(path)  # a reader finds the whole file or none


def load(path):
    """What :func:`save` wrote, in the form train() returns it (lists and floats in history)."""
    parts = {"params": {}, "initial": {}, "history": {}, "data": {}}
    with np.load(path, allow_pickle=False) as stored:
        for key in stored.files:
            part, name = key.split(".", 1)
            parts[part][name] = stored[key]
    history = {key: value.tolist() for key, value in parts["history"].items()}
    data = tuple(parts["data"][str(index)] for index in range(len(parts["data"])))
    return parts["params"], parts["initial"], history, data


def main(argv):
    """The training process: train at the lowest priority, save, exit (which frees the lock)."""
    folder, lock_fd, name = Path(argv[0]), int(argv[1]), argv[2] if len(argv) > 2 else TRAIN
    os.nice(19)
    module, function = name.split(":")
    result = getattr(importlib.import_module(module), function)()
    save(folder / RESULT_NAME, result)
    os.close(lock_fd)


if __name__ == "__main__":
    main(sys.argv[1:])
