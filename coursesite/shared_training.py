"""Each network the figure scripts train, trained once for all the processes of a build, in their idle time.

Most part 2 and part 3 figure scripts, the quiz and the explorers' data call
``convviz.tiny_cnn.trained_network()``, and a few ask for variants of that network
(``trained_network(frozen=("W1", "b1"))`` and the like; :func:`trainings` lists them).
Every process that asks trains once (about 4 s each). When the figure scripts run in
worker processes (``make html`` runs two), each worker trained the same network on
the critical path of its gallery section, and a script that asked for a variant
trained it while the other worker waited for the section to end. Instead:

* :func:`start`, in the build's process before the workers start, locks a file
  of its own for each training and starts :data:`PROCESSES` processes at the
  lowest CPU priority (nice 19) that train them (training i in process
  i mod PROCESSES, in order), save each result (:func:`save`) and free its lock.
  They get a core only when the figure scripts leave one idle (the build
  starting, the end of a gallery section, scripts waiting for them); two of
  them make the default network and the first variant at the same time when
  both workers wait;
* :func:`attach` has ``trained_network()`` of a process wait for the training's
  lock and load the saved result; when there is none (the training failed or
  was stopped), or the training is not one the build shares, that process
  trains as before;
* :func:`stop`, when the build ends, stops the trainings still running (no
  script asked for them) and removes the folder.

Training is deterministic, and the file holds its arrays bit for bit (``.npy``),
so every process gets what it would have computed itself.

    python -m coursesite.shared_training FOLDER MODULE:FUNCTION INDEX:LOCK_FD ...

is a training process: ``MODULE:FUNCTION`` is ``convviz.tiny_cnn:trained_network``
(a stand-in in tests), called with the changes of each training it makes.
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

TRAIN = "convviz.tiny_cnn:trained_network"
#: How many training processes run at once: the default network and the variant asked right
#: after it (by the same part 2 script) train at the same time while both workers wait.
PROCESSES = 2
#: The folder holding this package (the project's root), where the training process finds it.
PACKAGE_PARENT = Path(__file__).resolve().parents[1]

#: (training processes, folder) of the build running in this process, or None.
_running = None


def trainings():
    """The trainings the build shares, as trained_network()'s keyword arguments, in the order
    the figure scripts first ask for them ({} is the default network).

    tests/test_shared_training.py checks that the figure scripts ask for these and no others."""
    from convviz.tiny_cnn import SEED

    return ({}, {"frozen": ("W1", "b1")}, {"seed": SEED + 1}, {"augment": False})


def lock_path(folder, index):
    return Path(folder) / f"training-{index}.lock"


def result_path(folder, index):
    return Path(folder) / f"training-{index}.npz"


def start(train=TRAIN, root=None):
    """Start the training processes; return their folder (for the workers: :func:`attach`).

    train names the training function as ``module:function``; root is the folder the processes
    run in, where they find that module (default: the project's root). This process's own
    ``trained_network()`` loads the results too.
    """
    global _running
    stop()
    count = len(trainings())
    folder = Path(tempfile.mkdtemp(prefix="course-shared-training-"))
    root = PACKAGE_PARENT if root is None else Path(root)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PACKAGE_PARENT), os.environ.get("PYTHONPATH", "")]),
    }
    processes = []
    try:
        for first in range(min(PROCESSES, count)):
            indices = range(first, count, PROCESSES)
            locks = [open(lock_path(folder, index), "w") for index in indices]  # noqa: SIM115
            try:
                for lock in locks:
                    fcntl.flock(lock, fcntl.LOCK_EX)  # held from here on by the training process's copy
                named = [f"{index}:{lock.fileno()}" for index, lock in zip(indices, locks)]
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "coursesite.shared_training", str(folder), train, *named],
                        cwd=root,
                        env=env,
                        pass_fds=[lock.fileno() for lock in locks],
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,  # a failed training fails again where it is asked for
                    )
                )
            finally:
                for lock in locks:
                    lock.close()
    except BaseException:
        for process in processes:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _running = processes, folder
    attach(folder)
    return str(folder)


def attach(folder):
    """trained_network() of this process loads the trainings from folder (None: trains here)."""
    from convviz import tiny_cnn

    source = None if folder is None else lambda changes: load_when_ready(Path(folder), changes)
    tiny_cnn.take_trainings_from(source)


def stop():
    """Stop the training processes still running, and remove their folder (the end of a build)."""
    global _running
    if _running is None:
        return
    (processes, folder), _running = _running, None
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()
    attach(None)
    shutil.rmtree(folder, ignore_errors=True)


def load_when_ready(folder, changes):
    """The training with changes saved in folder once its lock is free, or None if there is none
    (the build shares no such training, it failed, or the build ended)."""
    shared = trainings()
    if changes not in shared:
        return None
    index = shared.index(changes)
    try:
        lock = open(lock_path(folder, index))  # noqa: SIM115 (closed by the with below)
    except FileNotFoundError:  # the build ended
        return None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_SH)  # waits while the training process holds its lock
        path = result_path(folder, index)
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
    """A training process: at the lowest priority, make each training named, save it and free
    its lock (its file descriptor), in order."""
    folder, name, indexed = Path(argv[0]), argv[1], argv[2:]
    os.nice(19)
    module, function = name.split(":")
    train = getattr(importlib.import_module(module), function)
    shared = trainings()
    for pair in indexed:
        index, lock_fd = (int(part) for part in pair.split(":"))
        save(result_path(folder, index), train(**shared[index]))
        os.close(lock_fd)


if __name__ == "__main__":
    main(sys.argv[1:])
