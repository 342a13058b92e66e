"""The confusion matrix and the list of mistakes, against scikit-learn."""

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix

from convviz.evaluation import confusion_matrix, misclassified


def test_confusion_matrix_equals_scikit_learn():
    rng = np.random.default_rng(0)
    true = rng.integers(0, 10, 500)
    predicted = np.where(rng.random(500) < 0.8, true, rng.integers(0, 10, 500))
    expected = sklearn_confusion_matrix(true, predicted, labels=range(10))
    np.testing.assert_array_equal(confusion_matrix(true, predicted), expected)
    wrong = misclassified(true, predicted)
    assert len(wrong) == expected.sum() - np.trace(expected)
    assert np.all(true[wrong] != predicted[wrong])


def test_confusion_matrix_rejects_bad_labels():
    with pytest.raises(ValueError, match="predicted"):
        confusion_matrix(np.array([1, 2]), np.array([1, 10]))
    with pytest.raises(ValueError, match="true and predicted"):
        confusion_matrix(np.array([1, 2]), np.array([1]))
