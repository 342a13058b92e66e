"""Independent computations the tests compare with: plain loops, no vectorization."""

import numpy as np


def direct_maxpool(x, size, stride):
    """Max pooling of an (H, W, C) array by four nested loops."""
    rows, cols = (x.shape[0] - size) // stride + 1, (x.shape[1] - size) // stride + 1
    out = np.empty((rows, cols, x.shape[2]))
    for i in range(rows):
        for j in range(cols):
            for c in range(x.shape[2]):
                out[i, j, c] = max(
                    x[i * stride + u, j * stride + v, c] for u in range(size) for v in range(size)
                )
    return out


def influence_box(layer, row, col):
    """(r0, r1, c0, c1): the input pixels a unit of the exercise-4 network depends on, found by
    growing a one-pixel mask backwards through its layers (SciPy's binary dilation for a 3×3
    convolution, a 2×2 block for each pooling)."""
    from scipy import ndimage

    chain = {"conv1": ["conv"], "pool1": ["pool", "conv"], "conv2": ["conv", "pool", "conv"]}
    chain["pool2"] = ["pool", *chain["conv2"]]
    size = {"conv1": 28, "pool1": 14, "conv2": 14, "pool2": 7}[layer]
    mask = np.zeros((size, size), dtype=bool)
    mask[row, col] = True
    for step in chain[layer]:
        if step == "pool":
            mask = np.kron(mask, np.ones((2, 2), dtype=bool))
        else:
            mask = ndimage.binary_dilation(mask, structure=np.ones((3, 3), dtype=bool))
    rows, cols = np.nonzero(mask)
    return int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max())


def layered_loss_and_gradients(params, x, labels, answers=False):
    """convviz.tiny_cnn.loss_and_gradients built from the public, checked layers of convviz.layers
    (channels last, each layer's own backward pass): the training step as it was first written."""
    from convviz.layers import conv2d, conv2d_backward, maxpool2d, maxpool2d_backward, relu
    from convviz.tiny_cnn import softmax

    z1, c1 = conv2d(x, params["W1"], params["b1"], return_cache=True)
    p1, m1 = maxpool2d(relu(z1), return_cache=True)
    z2, c2 = conv2d(p1, params["W2"], params["b2"], return_cache=True)
    p2, m2 = maxpool2d(relu(z2), return_cache=True)
    p2_shape, flat = p2.shape, p2.reshape(len(x), -1)
    logits = flat @ params["W3"].T + params["b3"]
    n = len(x)
    probs = softmax(logits)
    loss = -np.log(probs[np.arange(n), labels] + 1e-12).mean()
    dlogits = probs.copy()
    dlogits[np.arange(n), labels] -= 1.0
    dlogits /= n
    grads = {"W3": dlogits.T @ flat, "b3": dlogits.sum(axis=0)}
    da2 = maxpool2d_backward((dlogits @ params["W3"]).reshape(p2_shape), m2) * (z2 > 0)
    dp1, grads["W2"], grads["b2"] = conv2d_backward(da2, c2)
    da1 = maxpool2d_backward(dp1, m1) * (z1 > 0)
    _, grads["W1"], grads["b1"] = conv2d_backward(da1, c1)
    return (loss, grads, logits.argmax(axis=1)) if answers else (loss, grads)
