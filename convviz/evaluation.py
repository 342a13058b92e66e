"""How the exercise 4 network does on held-out digits: the confusion matrix and its mistakes."""

import numpy as np


def confusion_matrix(true, predicted, classes=10):
    """Counts (classes, classes): entry [t, p] is how many digits of class t were called p."""
    true, predicted = np.asarray(true), np.asarray(predicted)
    if true.shape != predicted.shape or true.ndim != 1:
        raise ValueError(
            f"true and predicted must be 1-D of one length, got {true.shape} and {predicted.shape}"
        )
    for name, labels in (("true", true), ("predicted", predicted)):
        if labels.dtype.kind not in "iu" or (labels.size and (labels.min() < 0 or labels.max() >= classes)):
            raise ValueError(f"{name} must hold whole numbers from 0 to {classes - 1}")
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (true, predicted), 1)
    return counts


def misclassified(true, predicted):
    """Indices of the digits whose prediction is wrong, in order."""
    return np.flatnonzero(np.asarray(true) != np.asarray(predicted))
