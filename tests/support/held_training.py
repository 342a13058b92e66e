"""A stand-in for ``convviz.tiny_cnn.trained_network`` in tests/test_shared_training.py, run by the
training processes: for each training it says it started (a file), waits until the test releases
that training or all of them (files), then returns a small result that depends on the training's
changes, or fails when the test asked for that (another file). HELD_TRAINING_DIR names the folder."""

import os
import time
import zlib
from pathlib import Path

import numpy as np

PARAMETER_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


def name_of(changes):
    """A file name for the training with changes: "default", or e.g. "frozen=('W1', 'b1')"."""
    return ",".join(f"{key}={value!r}" for key, value in sorted(changes.items())) or "default"


def result(**changes):
    """What train() returns, in small: (params, initial params, history, data); other for other changes."""
    random = np.random.default_rng(zlib.crc32(name_of(changes).encode()))
    params = {name: random.normal(size=(3, 2)) for name in PARAMETER_NAMES}
    initial = {name: value + 1 for name, value in params.items()}
    history = {
        "loss": [2.5, 0.25],
        "train_accuracy": [0.5, 0.75],
        "test_accuracy": [0.625, 0.875],
        "seconds": 1.5,
    }
    data = (
        np.arange(12, dtype=np.uint8).reshape(3, 2, 2),
        np.array([1, 2, 3]),
        np.zeros((1, 2, 2)),
        np.ones(1),
    )
    return params, initial, history, data


def trained_network(**changes):
    folder, name = Path(os.environ["HELD_TRAINING_DIR"]), name_of(changes)
    (folder / f"started {name}").touch()
    while not ((folder / "release").exists() or (folder / f"release {name}").exists()):
        time.sleep(0.005)
    if (folder / "fail").exists():
        raise RuntimeError("the training failed")
    return result(**changes)
