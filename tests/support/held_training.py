"""A stand-in for ``convviz.tiny_cnn.train`` in tests/test_shared_training.py, run by the training
process: it says it started, waits until the test releases it (a file), then returns a small fixed
result, or fails when the test asked for that (another file). HELD_TRAINING_DIR names the folder."""

import os
import time
from pathlib import Path

import numpy as np

PARAMETER_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


def result():
    """What train() returns, in small: (params, initial params, history, data)."""
    random = np.random.default_rng(5)
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


def train():
    folder = Path(os.environ["HELD_TRAINING_DIR"])
    (folder / "started").touch()
    while not (folder / "release").exists():
        time.sleep(0.005)
    if (folder / "fail").exists():
        raise RuntimeError("the training failed")
    return result()
