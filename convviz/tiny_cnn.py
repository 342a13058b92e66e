"""The tiny CNN of exercise 4, and its training on real handwritten digits in NumPy.

Architecture (channels last): 28×28×1 -> conv 4×3×3 'same' + ReLU -> max-pool 2
-> conv 8×3×3 'same' + ReLU -> max-pool 2 -> flatten 392 -> dense -> 10 logits.

Data: the 1,797 8×8 digits that ship with scikit-learn (``load_digits``, a
copy of the UCI "Optical Recognition of Handwritten Digits" test set, CC BY
4.0), enlarged to 28×28 with bilinear interpolation and stored as 0-255 uint8,
so the downloads can work on exactly the same pixels.
"""

import functools
import gzip
import importlib.util
import inspect
import io
import time
import zipfile
from pathlib import Path

import numpy as np

from convviz.augmentation import COUNT as DISTORTION_UNIFORMS
from convviz.augmentation import RANGES, distort
from convviz.drawing import enlarge as enlarge_counts
from convviz.layers import conv2d, finite_numbers, maxpool2d, relu
from convviz.seeded_random import SeededRandom

SEED = 2026
EPOCHS = 20
LEARNING_RATE = 0.005
BATCH_SIZE = 32
IMAGE_SIZE = 28
TEST_FRACTION = 0.2
PARAMETER_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")
# Timestamp of every member of the weights archive (the earliest a zip file can hold).
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def enlarge(digits_8x8):
    """8×8 digits with values 0-16 -> 28×28 uint8 images with values 0-255.

    Bilinear interpolation written out in :func:`convviz.drawing.enlarge`, the
    same operations the network explorer applies to a drawn digit.
    """
    return enlarge_counts(digits_8x8)


#: Where scikit-learn keeps the digits in its package, which ``load_digits`` reads with
#: ``np.loadtxt``. Importing scikit-learn takes about 0.5 s, and every process that trains or
#: draws a digit would pay it: load_digit_counts reads the file itself (tests/test_tiny_cnn.py
#: compares the result with load_digits()'s, and checks that this file is still where it was).
DIGITS_FILE = ("datasets", "data", "digits.csv.gz")


def digits_file():
    """The path of scikit-learn's digits file, found without importing scikit-learn, or None."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0], *DIGITS_FILE)
    return path if path.is_file() else None


def load_digit_counts():
    """scikit-learn's digits as (N, 64) uint8 block counts 0-16 and (N,) int64 labels, in its order.

    The form they travel in to the network explorer, which enlarges them as :func:`enlarge` does.
    """
    path = digits_file()
    if path is None:  # scikit-learn moved its file: ask it, the slower way
        from sklearn.datasets import load_digits

        digits = load_digits()
        return digits.data.astype(np.uint8), digits.target.astype(np.int64)
    with gzip.open(path, "rt", encoding="utf-8") as text:
        table = np.loadtxt(text, delimiter=",")
    return table[:, :-1].astype(np.uint8), table[:, -1].astype(np.int64)


def load_digit_split(seed=SEED):
    """(train_images, train_labels, test_images, test_labels): a fixed, shuffled 80/20 split.

    The order is :meth:`SeededRandom.permutation` of the digits for seed; the first
    20 % are the test digits.
    """
    counts, labels = load_digit_counts()
    images = enlarge(counts)
    order = np.array(SeededRandom(seed).permutation(len(images)))
    n_test = round(len(images) * TEST_FRACTION)
    test, train = order[:n_test], order[n_test:]
    return images[train], labels[train], images[test], labels[test]


def as_input(images_uint8):
    """uint8 (N, 28, 28) -> float64 (N, 28, 28, 1) in [0, 1]: the network's input."""
    return (np.asarray(images_uint8, dtype=np.float64) / 255.0)[..., None]


#: The weights of each layer, in the order they are drawn: (name, shape, fan-in).
WEIGHT_SHAPES = (("W1", (4, 3, 3, 1), 9), ("W2", (8, 3, 3, 4), 36), ("W3", (10, 7 * 7 * 8), 392))


def init_parameters(seed=SEED, random=None):
    """He-uniform weights and zero biases: W1, W2, W3 in turn, each in C order, one uniform u per
    weight, ``(2u − 1) · sqrt(6 / fan_in)`` (exact IEEE operations, so JavaScript gets the same bits).

    The uniforms come from random (a :class:`SeededRandom`), or from SeededRandom(seed + 1),
    the generator :func:`train` starts with.
    """
    random = SeededRandom(seed + 1) if random is None else random
    params = {}
    for name, shape, fan_in in WEIGHT_SHAPES:
        limit = np.sqrt(6.0 / fan_in)
        params[name] = (2.0 * np.array(random.uniforms(int(np.prod(shape)))) - 1.0).reshape(shape) * limit
        params["b" + name[1]] = np.zeros(shape[0])
    return {name: params[name] for name in PARAMETER_NAMES}


#: The shape of each of the network's arrays, as :func:`init_parameters` creates them.
PARAMETER_SHAPES = {
    **{name: shape for name, shape, _ in WEIGHT_SHAPES},
    **{"b" + name[1]: (shape[0],) for name, shape, _ in WEIGHT_SHAPES},
}


def check_params(params, name="params"):
    """The network's six arrays as finite float64 of PARAMETER_SHAPES, or ValueError naming the argument."""
    if not hasattr(params, "keys"):
        raise ValueError(f"{name} must map W1, b1, W2, b2, W3, b3 to arrays, got {type(params).__name__}")
    checked = {}
    for key in PARAMETER_NAMES:
        shape = PARAMETER_SHAPES[key]
        if key not in params:
            raise ValueError(f"{name} has no {key}")
        value = np.asarray(params[key])
        if value.dtype.kind not in "biuf" or value.shape != shape:
            raise ValueError(f"{name}[{key!r}] must be numbers of shape {shape}, got {value.shape}")
        checked[key] = value.astype(np.float64, copy=False)
        if not np.isfinite(checked[key]).all():
            raise ValueError(f"{name}[{key!r}] contains NaN or infinity")
    return checked


def check_batch(x, name="x"):
    """x as finite float64 of shape (N, 28, 28, 1), N ≥ 1, or ValueError naming the argument."""
    array = finite_numbers(x, name)
    if array.ndim != 4 or array.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE, 1) or len(array) == 0:
        raise ValueError(f"{name} must have shape (N, 28, 28, 1) with N ≥ 1, got {array.shape}")
    return array


def forward(params, x):
    """Logits (N, 10) for a batch (N, 28, 28, 1): the pass of :func:`forward_pass` after the
    arguments are checked."""
    params, x = check_params(params), check_batch(x)
    with np.errstate(over="ignore", invalid="ignore"):
        logits, (_, z1, _, _, z2, _, _) = forward_pass(params, x)
    if not (np.isfinite(z1).all() and np.isfinite(z2).all() and np.isfinite(logits).all()):
        raise ValueError("x and params: the network's values exceed the float64 range (about 1.8e308)")
    return logits


def forward_layers(params, x):
    """Every layer's values for a batch (N, 28, 28, 1), by name, in the order the data flows.

    conv1 and conv2 are after ReLU; probabilities are softmax(logits).
    """
    layers = {"input": np.asarray(x, dtype=np.float64)}
    layers["conv1"] = relu(conv2d(layers["input"], params["W1"], params["b1"]))
    layers["pool1"] = maxpool2d(layers["conv1"])
    layers["conv2"] = relu(conv2d(layers["pool1"], params["W2"], params["b2"]))
    layers["pool2"] = maxpool2d(layers["conv2"])
    layers["logits"] = layers["pool2"].reshape(len(layers["input"]), -1) @ params["W3"].T + params["b3"]
    layers["probabilities"] = softmax(layers["logits"])
    return layers


def softmax(logits):
    """Class probabilities from logits (N, classes), computed stably."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


#: The layers that hold parameters, with the names of their weights and biases.
PARAMETER_LAYERS = (("conv1", "W1", "b1"), ("conv2", "W2", "b2"), ("dense", "W3", "b3"))


def parameter_counts(params):
    """How many numbers each layer learns, read from the shapes of params.

    Returns a list of dicts, one per layer in PARAMETER_LAYERS order, with the
    keys layer, weight_shape, weights, biases and total.
    """
    counts = []
    for layer, weight_name, bias_name in PARAMETER_LAYERS:
        missing = [name for name in (weight_name, bias_name) if name not in params]
        if missing:
            raise ValueError(f"params has no {' or '.join(missing)}; it needs {PARAMETER_NAMES}")
        weights, biases = np.shape(params[weight_name]), np.shape(params[bias_name])
        count = {
            "layer": layer,
            "weight_shape": weights,
            "weights": int(np.prod(weights)),
            "biases": int(np.prod(biases)),
        }
        count["total"] = count["weights"] + count["biases"]
        counts.append(count)
    return counts


def loss_and_gradients(params, x, labels, answers=False):
    """Mean cross-entropy of softmax(logits) and its gradient for every parameter.

    With answers=True also the network's answer (the largest logit) for each input.

    The training step, written for speed: x (N, 28, 28, 1) is what :func:`train` made itself, so
    nothing is checked, and inside, every layer is held channels first (C, N, H, W), where NumPy
    works on whole rows of pixels instead of on runs of 4 or 8 channels. The arithmetic is
    that of :func:`forward` and the backward passes of :mod:`convviz.layers` (tests/test_tiny_cnn.py
    compares the two); only sums may be added up in another order.
    """
    n = len(x)
    logits, (windows1, z1, p1, windows2, z2, p2, flat) = forward_pass(params, x)
    said = logits.argmax(axis=1)
    probs = softmax(logits)
    loss = -np.log(probs[np.arange(n), labels] + 1e-12).mean()
    dlogits = probs
    dlogits[np.arange(n), labels] -= 1.0
    dlogits /= n
    grads = {"W3": dlogits.T @ flat, "b3": dlogits.sum(axis=0)}
    dp2 = (dlogits @ params["W3"]).reshape(n, *p2.shape[2:], len(p2)).transpose(3, 0, 1, 2)
    dz2 = _relu_pool_backward(dp2, z2, p2)
    grads["W2"], grads["b2"], dwindows2 = _conv_backward(dz2, windows2, params["W2"])
    dz1 = _relu_pool_backward(_unwindow(dwindows2, p1.shape), z1, p1)
    grads["W1"], grads["b1"], _ = _conv_backward(dz1, windows1, params["W1"], input_gradient=False)
    return (loss, grads, said) if answers else (loss, grads)


def forward_pass(params, x):
    """(logits (N, 10), what the backward passes need) for a batch x (N, 28, 28, 1), unchecked.

    The network's arithmetic written for speed, every layer held channels first (C, N, H, W);
    for arrays the caller made or checked itself (:func:`forward` checks first).
    :func:`loss_and_gradients` and :func:`input_gradient_pass` take what it keeps."""
    windows1 = _windows(_pad_one(np.moveaxis(x, -1, 0)))
    z1 = _conv_forward(windows1, params["W1"], params["b1"], (len(x), *x.shape[1:3]))
    p1 = _relu_pool(z1)
    windows2 = _windows(_pad_one(p1))
    z2 = _conv_forward(windows2, params["W2"], params["b2"], p1.shape[1:])
    p2 = _relu_pool(z2)
    flat = p2.transpose(1, 2, 3, 0).reshape(len(x), -1)  # channels last again, as W3 expects
    logits = flat @ params["W3"].T + params["b3"]
    return logits, (windows1, z1, p1, windows2, z2, p2, flat)


def input_gradient_pass(params, kept, dflat):
    """The gradient of the input (N, 28, 28) from that of the flattened pool2 output dflat (N, 392),
    through the values forward_pass kept (for a class's logit, dflat holds that class's row of W3)."""
    windows1, z1, p1, windows2, z2, p2, _ = kept
    n = len(dflat)
    dp2 = dflat.reshape(n, *p2.shape[2:], len(p2)).transpose(3, 0, 1, 2)
    dz2 = _relu_pool_backward(dp2, z2, p2)
    _, _, dwindows2 = _conv_backward(dz2, None, params["W2"], weight_gradient=False)
    dz1 = _relu_pool_backward(_unwindow(dwindows2, p1.shape), z1, p1)
    _, _, dwindows1 = _conv_backward(dz1, None, params["W1"], weight_gradient=False)
    return _unwindow(dwindows1, (1, n, IMAGE_SIZE, IMAGE_SIZE))[0]


def conv2_gradient_pass(kept, dflat):
    """conv2's maps after ReLU (N, 14, 14, 8) and the gradient of dflat · pool2 with respect to them
    (N, 14, 14, 8), channels last, from what forward_pass kept: what Grad-CAM weighs."""
    _, _, _, _, z2, p2, _ = kept
    n = len(dflat)
    dp2 = dflat.reshape(n, *p2.shape[2:], len(p2)).transpose(3, 0, 1, 2)
    gradient = _relu_pool_backward(dp2, z2, p2, through_relu=False)
    return np.maximum(z2, 0.0).transpose(1, 2, 3, 0), gradient.transpose(1, 2, 3, 0)


# The layers of the training step, channels first: one map is a (C, N, H, W) array.
def _pad_one(maps):
    """maps (C, N, H, W) inside a frame of zeros one pixel wide: the 'same' padding of 3×3 filters."""
    c, n, h, w = maps.shape
    padded = np.zeros((c, n, h + 2, w + 2))
    padded[:, :, 1:-1, 1:-1] = maps
    return padded


def _windows(padded):
    """im2col of padded maps (C, N, H + 2, W + 2) for 3×3 filters: (9·C, N·H·W), one column per output
    position, its rows in the order of a filter (K, 3, 3, C) flattened."""
    c, n, h, w = padded.shape[0], padded.shape[1], padded.shape[2] - 2, padded.shape[3] - 2
    windows = np.empty((3, 3, c, n, h, w))
    for u in range(3):
        for v in range(3):
            windows[u, v] = padded[:, :, u : u + h, v : v + w]
    return windows.reshape(9 * c, n * h * w)


def _conv_forward(windows, weights, bias, size):
    """The layer's output (K, N, H, W) before ReLU."""
    out = weights.reshape(len(weights), -1) @ windows
    out += bias[:, None]
    return out.reshape(len(weights), *size)


def _conv_backward(dout, windows, weights, input_gradient=True, weight_gradient=True):
    """(dweights, dbias, dwindows) from the gradient of the layer's output (K, N, H, W); the ones
    not asked for are None."""
    dout = dout.reshape(len(weights), -1)
    dweights = (dout @ windows.T).reshape(weights.shape) if weight_gradient else None
    dbias = dout.sum(axis=1) if weight_gradient else None
    dwindows = weights.reshape(len(weights), -1).T @ dout if input_gradient else None
    return dweights, dbias, dwindows


def _unwindow(dwindows, shape):
    """col2im: the gradient of the windows (9·C, N·H·W) added back onto the maps (C, N, H, W)."""
    c, n, h, w = shape
    dwindows = dwindows.reshape(3, 3, c, n, h, w)
    dpadded = np.zeros((c, n, h + 2, w + 2))
    for u in range(3):
        for v in range(3):
            dpadded[:, :, u : u + h, v : v + w] += dwindows[u, v]
    return dpadded[:, :, 1:-1, 1:-1]


#: The four positions of a 2×2 pooling window, row by row: ties go to the first.
_POOL_TAPS = ((0, 0), (0, 1), (1, 0), (1, 1))


def _relu_pool(z):
    """relu, then 2×2 max-pooling of z (C, N, H, W)."""
    taps = [z[:, :, u::2, v::2] for u, v in _POOL_TAPS]
    return np.maximum(np.maximum(np.maximum(taps[0], taps[1]), np.maximum(taps[2], taps[3])), 0.0)


def _relu_pool_backward(dpooled, z, pooled, through_relu=True):
    """Gradient of z from that of the pooled maps: each pooled value's goes to the first position
    of its window that holds the maximum, unless ReLU made that maximum 0. With through_relu=False,
    the gradient of relu(z) instead: it goes to the first maximum of relu(z) even where that is 0."""
    dz = np.empty(z.shape)
    open_ = pooled > 0 if through_relu else np.ones(pooled.shape, dtype=bool)
    for u, v in _POOL_TAPS:  # the four taps cover every value of z
        wins = (np.maximum(z[:, :, u::2, v::2], 0.0) == pooled) & open_
        open_ ^= wins
        np.multiply(dpooled, wins, out=dz[:, :, u::2, v::2])
    return dz


def accuracy(params, images_uint8, labels, batch=500):
    """Fraction of images whose largest logit is the right class."""
    correct = 0
    for start in range(0, len(labels), batch):
        logits = forward(params, as_input(images_uint8[start : start + batch]))
        correct += int((logits.argmax(axis=1) == labels[start : start + batch]).sum())
    return correct / len(labels)


def train(
    epochs=EPOCHS,
    batch_size=BATCH_SIZE,
    learning_rate=LEARNING_RATE,
    seed=SEED,
    augment=True,
    ranges=RANGES,
    decay=True,
    data=None,
    frozen=(),
    on_step=None,
):
    """Train with Adam on the digit split; return (params, initial params, history, data).

    Every random number comes from one generator, SeededRandom(seed + 1), in this
    order: the initial weights (:func:`init_parameters`), then for each epoch the
    order of the training digits (:meth:`SeededRandom.permutation`) and, with
    augment=True, seven uniforms per digit in that order for its distortion
    (:func:`convviz.augmentation.distort`, with the given ranges). The learning
    rate falls linearly over the epochs (epoch e of E uses ``learning_rate · (E − e) / E``)
    unless decay=False. history holds per epoch the mean training loss and the
    training accuracy, both over the digits as the epoch showed them (distorted),
    the test accuracy; under "seconds", the CPU time of the whole training (a busy machine
    does not inflate it, as it would the time on the clock). Parameters named
    in frozen (e.g. ``("W1", "b1")``) keep their initial values. on_step, if given, is called
    after every Adam step with (epoch, step within the epoch, params): the network explorer's
    training in the page is compared with it step by step.
    """
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    unknown = set(frozen) - set(PARAMETER_NAMES)
    if unknown:
        raise ValueError(f"frozen names unknown parameters {sorted(unknown)}; known: {PARAMETER_NAMES}")
    train_x, train_y, test_x, test_y = data if data is not None else load_digit_split(seed)
    random = SeededRandom(seed + 1)
    params = init_parameters(random=random)
    initial = {name: value.copy() for name, value in params.items()}
    moments = {name: (np.zeros_like(v), np.zeros_like(v)) for name, v in params.items()}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    # Adam's bias corrections need beta1**step and beta2**step: kept as running products
    # (exact IEEE multiplications, the same in every language) rather than powers.
    power1 = power2 = 1.0
    images = np.asarray(train_x, dtype=np.float64) / 255.0
    test_input, test_y = as_input(test_x), np.asarray(test_y)
    history = {"loss": [], "train_accuracy": [], "test_accuracy": []}
    # One BLAS thread: these small products gain nothing from two, and on a busy machine
    # two threads spinning against each other take several times as long.
    with threadpool_limits(limits=1, user_api="blas"):
        started = time.process_time()
        for epoch in range(epochs):
            rate = learning_rate * (epochs - epoch) / epochs if decay else learning_rate
            order = np.array(random.permutation(len(train_y)))
            if augment:
                uniforms = np.array(random.uniforms(len(order) * DISTORTION_UNIFORMS))
                uniforms = uniforms.reshape(len(order), DISTORTION_UNIFORMS)
            losses, right = [], 0
            for start in range(0, len(order), batch_size):
                chosen = order[start : start + batch_size]
                batch = images[chosen]
                if augment:
                    batch = distort(batch, uniforms[start : start + batch_size], ranges)
                labels = train_y[chosen]
                loss, grads, said = loss_and_gradients(params, batch[..., None], labels, answers=True)
                losses.append(loss * len(chosen))
                right += int((said == labels).sum())
                power1 *= beta1
                power2 *= beta2
                for name, grad in grads.items():
                    if name in frozen:
                        continue
                    m, v = moments[name]
                    m *= beta1
                    m += (1 - beta1) * grad
                    v *= beta2
                    v += (1 - beta2) * grad**2
                    m_hat = m / (1 - power1)
                    v_hat = v / (1 - power2)
                    params[name] -= rate * m_hat / (np.sqrt(v_hat) + eps)
                if on_step is not None:
                    on_step(epoch, start // batch_size, params)
            history["loss"].append(float(np.sum(losses) / len(order)))
            history["train_accuracy"].append(right / len(order))
            said = forward_pass(params, test_input)[0].argmax(axis=1)  # as accuracy(), without its checks
            history["test_accuracy"].append(int((said == test_y).sum()) / len(test_y))
    history["seconds"] = time.process_time() - started
    return params, initial, history, (train_x, train_y, test_x, test_y)


#: Where :func:`trained_network` looks first: None, or a callable that takes the changes (a dict)
#: and returns what ``train()`` returns, or None to have this process train. Set with
#: :func:`take_trainings_from`.
_training_source = None


def take_trainings_from(source):
    """Have :func:`trained_network` take its trainings from source(changes) before training here.

    source returns what ``train()`` returns, or None (then this process trains); None as source
    restores training here. A build whose figure scripts run in several processes trains each
    network once and lets the others load the result (``coursesite.shared_training``). It has no
    effect on a training this process already holds.
    """
    global _training_source
    _training_source = source


#: The arguments of train() that trained_network() takes: not data (its trainings all use the
#: default digit split) nor on_step (a training it keeps cannot call back).
CHANGEABLE = tuple(name for name in inspect.signature(train).parameters if name not in ("data", "on_step"))


@functools.cache
def _trained(changes):
    if _training_source is not None:
        found = _training_source(dict(changes))
        if found is not None:
            return found
    return train(**dict(changes), data=load_digit_split(SEED))


def trained_network(**changes):
    """(params, initial params, history, data) of :func:`train` with its defaults, or with changes.

    changes are keyword arguments of train() (e.g. ``frozen=("W1", "b1")`` or ``seed=SEED + 1``),
    apart from data and on_step: every training uses the default digit split. Training is
    deterministic; each result is kept for the rest of the process, so a process trains each
    network once however many figure scripts ask. Callers get copies.
    """
    for name, value in changes.items():
        if name not in CHANGEABLE:
            known = ", ".join(CHANGEABLE)
            raise ValueError(f"trained_network() takes no argument {name!r}; it takes {known}")
        try:
            hash(value)
        except TypeError:
            raise ValueError(f"{name} must be hashable (a tuple, not a list); got {value!r}") from None
    params, initial, history, data = _trained(tuple(sorted(changes.items())))
    copy = {name: value.copy() for name, value in params.items()}
    start = {name: value.copy() for name, value in initial.items()}
    return copy, start, dict(history), tuple(array.copy() for array in data)


def save_weights(path, params, initial, history, data):
    """Write everything the downloads and figures need into one .npz file.

    The archive is written with a fixed timestamp on every member, so the same
    weights always give the same bytes (``np.savez`` would stamp the time).
    """
    _, _, test_x, test_y = data
    arrays = {
        **params,
        **{f"{name}_init": initial[name] for name in ("W1", "W2")},
        "test_images": test_x,
        "test_labels": test_y,
        "loss": np.array(history["loss"]),
        "train_accuracy": np.array(history["train_accuracy"]),
        "test_accuracy": np.array(history["test_accuracy"]),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            member = zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_TIMESTAMP)
            member.compress_type = zipfile.ZIP_DEFLATED
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
            archive.writestr(member, buffer.getvalue())


def load_weights(path):
    """The parameters saved by save_weights, as a dict of arrays."""
    with np.load(path) as stored:
        return {name: stored[name] for name in stored.files}
