"""Write the values the Node tests of the explorers' modules compare with (tests/js/*.test.js).

Every expected value comes from the Python twin of a module (convviz) or from an independent
computation here (SciPy's binary dilation for receptive fields, NumPy's interpolation for colours);
the inputs are seeded, so the files are the same on every run. ``tests/test_js.py`` writes them
into a temporary folder and runs ``node --test`` on them; by hand:

    .venv/bin/python tests/js/write_fixtures.py _build/js-fixtures
    JS_FIXTURES=_build/js-fixtures node --test tests/js/*.test.js
"""

import base64
import io
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from support.npz_files import npz_bytes  # noqa: E402
from support.oracles import influence_box  # noqa: E402

from convviz import augmentation, display, drawing, patterns  # noqa: E402
from convviz.attribution import input_gradient, occlusion_map  # noqa: E402
from convviz.attribution_checks import randomised, rank_correlation  # noqa: E402
from convviz.attribution_methods import (  # noqa: E402
    grad_cam,
    gradient_times_input,
    integrated_gradients,
    smoothgrad,
)
from convviz.drawn_digits import drawings  # noqa: E402
from convviz.fooling import fool_towards  # noqa: E402
from convviz.plotting import SIGNED_STOPS  # noqa: E402
from convviz.seeded_random import SeededRandom  # noqa: E402
from convviz.tiny_cnn import (  # noqa: E402
    forward_layers,
    init_parameters,
    load_digit_counts,
    load_digit_split,
    save_weights,
    train,
)
from coursesite.explorer_data import explorer_data  # noqa: E402
from coursesite.network_data import drawing_constants, network_data  # noqa: E402

LAYER_NAMES = ("input", "conv1", "pool1", "conv2", "pool2", "logits", "probabilities")


def pixels(array):
    """uint8 array -> base64 of its bytes, row by row."""
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.uint8).tobytes()).decode()


def test_network():
    """Seeded He-uniform weights with nonzero biases (the arithmetic needs no training), and test digits."""
    rng = np.random.default_rng(7)
    params = init_parameters(seed=11)
    for name in ("b1", "b2", "b3"):
        params[name] = rng.normal(0, 0.1, params[name].shape)
    _, _, test_x, test_y = load_digit_split()
    return params, test_x[:40], test_y[:40]


def strokes_cases():
    """{name: strokes}: odd strokes, random ones, and drawn digits of the project's dev set."""
    rng = np.random.default_rng(3)
    cases = {
        "a dot": [[[3.0, 4.0]]],
        "a line across": [[[0.0, 14.0], [28.0, 14.2]]],
        "a line down": [[[14.0, 0.0], [13.5, 28.0]]],
        "outside and back": [[[5.0, 5.0], [-40.0, 14.0], [60.0, 20.0], [20.0, 25.0]]],
        "far outside": [[[1e6, 1e6], [1e6 + 3, 1e6 + 12]], [[1e6 + 1, 1e6 + 6]]],
        "at ±1e308": [[[-1e308, -1e308], [1e308, 1e308]], [[0.0, 1e308]]],
        "at ±MAX": [[[-1.7976931348623157e308, 3.0], [1.7976931348623157e308, 9.0]]],
        "a scribble": [rng.uniform(0, 28, (120, 2)).tolist()],
    }
    for n in range(12):
        cases[f"random {n}"] = [rng.uniform(-5, 33, (int(k), 2)).tolist() for k in rng.integers(1, 9, 3)]
    for n, drawn in enumerate(drawings("dev")[:30]):
        cases[f"drawn {n}"] = drawn.strokes
    return cases


def drawing_fixture():
    cases = []
    for name, strokes in strokes_cases().items():
        cases.append(
            {
                "name": name,
                "strokes": strokes,
                "normalised": [placed.tolist() for placed in drawing.normalise(strokes)],
                "scaled": drawing.prepare(strokes).ravel().tolist(),
                "drawn": drawing.prepare(strokes, normalised=False).ravel().tolist(),
            }
        )
    rng = np.random.default_rng(4)
    segments = []
    for _ in range(300):
        ends = [
            *(rng.uniform(-1, 1, 2) * 10.0 ** rng.integers(0, 309)),
            *(rng.uniform(-1, 1, 2) * 10.0 ** rng.integers(0, 5)),
        ]
        clipped = drawing.clip_segment(*ends, -3.25, 31.25)
        segments.append({"ends": ends, "clipped": None if clipped is None else [float(v) for v in clipped]})
    _, images, _ = test_network()
    inputs = []
    for digit, shift, strokes in [
        (3, [0, 0], []),
        (3, [2, -1], []),
        (7, [-30, 5], []),
        (7, [1, 1], cases[1]["strokes"]),
        (0, [-3, 4], strokes_cases()["drawn 2"]),
    ]:
        dx, dy = shift
        moved = np.zeros((28, 28), dtype=np.uint8)
        rows, cols = slice(max(dy, 0), 28 + min(dy, 0)), slice(max(dx, 0), 28 + min(dx, 0))
        source_rows, source_cols = slice(max(-dy, 0), 28 + min(-dy, 0)), slice(max(-dx, 0), 28 + min(-dx, 0))
        if abs(dx) < 28 and abs(dy) < 28:
            moved[rows, cols] = images[digit][source_rows, source_cols]
        if strokes:
            moved = np.maximum(moved, drawing.prepare(strokes, normalised=False))
        inputs.append({"digit": digit, "shift": shift, "strokes": strokes, "image": moved.ravel().tolist()})
    return {
        "drawing": drawing_constants(),
        "cases": cases,
        "segments": segments,
        "images": pixels(images),
        "inputs": inputs,
    }


def smoothgrad_case(params, image, label, samples, noise, seed):
    """{samples, noise, seed, map}: convviz's SmoothGrad of image with these settings."""
    found = smoothgrad(params, image, label, samples, noise, seed)
    return {"samples": samples, "noise": noise, "seed": seed, "map": found.ravel().tolist()}


def network_fixture():
    params, images, labels = test_network()
    x = images / 255.0
    layers = forward_layers(params, x[..., None])
    chosen = [0, 5, 17]
    attribution = []
    for n in chosen:
        label = int(layers["logits"][n].argmax())
        attribution.append(
            {
                "index": n,
                "label": label,
                "gradient": input_gradient(params, x[n], label).ravel().tolist(),
                "occlusion": occlusion_map(params, x[n], label).ravel().tolist(),
                "gradient_times_input": gradient_times_input(params, x[n], label).ravel().tolist(),
                "integrated_gradients": integrated_gradients(params, x[n], label, steps=16).ravel().tolist(),
                "grad_cam": grad_cam(params, x[n], label).ravel().tolist(),
                # A few noisy copies of each digit, another seed each.
                "smoothgrad": smoothgrad_case(
                    params, x[n], label, 3 + n % 4, 0.1 + 0.05 * n / 17, 1000 * n + 7
                ),
            }
        )
    first = attribution[0]
    first["smoothgrad_defaults"] = smoothgrad(params, x[first["index"]], first["label"]).ravel().tolist()
    fooled = []
    for n, target in [(0, 3), (5, 8), (17, 1), (2, int(layers["logits"][2].argmax()))]:
        found = fool_towards(params, images[n], target)
        fooled.append(
            {
                "index": n,
                "target": target,
                "reached": bool(found["reached"]),
                "steps": found["steps"],
                "delta": found["delta"].ravel().tolist(),
                "image": found["image"].ravel().tolist(),
                "probabilities": found["probabilities"].tolist(),
            }
        )
    rng = np.random.default_rng(5)
    ranked = [rng.random(50), np.round(rng.random(60), 1), np.maximum(rng.normal(size=80), 0)]
    ranked = [{"a": a.tolist(), "b": rng.permutation(a).tolist()} for a in ranked]
    for pair in ranked:
        pair["rho"] = rank_correlation(pair["a"], pair["b"])
    initial = init_parameters(seed=12)
    off = {"conv1": [1, 3], "conv2": [0, 6, 7]}
    switched = {name: value.copy() for name, value in params.items()}
    for indices, (w, b) in zip(off.values(), [("W1", "b1"), ("W2", "b2")]):
        switched[w][indices] = 0.0
        switched[b][indices] = 0.0
    fields = [
        {"layer": layer, "row": row, "col": col, "box": list(influence_box(layer, row, col))}
        for layer, size in (("conv1", 28), ("pool1", 14), ("conv2", 14), ("pool2", 7))
        for row in range(size)
        for col in range(size)
    ]
    return {
        "params": {
            name: {"shape": list(value.shape), "values": value.ravel().tolist()}
            for name, value in params.items()
        },
        "images": pixels(images),
        "labels": labels.tolist(),
        "layers": [
            {name: layers[name][n].ravel().tolist() for name in LAYER_NAMES} for n in range(len(images))
        ],
        "predictions": layers["logits"].argmax(axis=1).tolist(),
        "off": off,
        "switched_predictions": forward_layers(switched, x[..., None])["logits"].argmax(axis=1).tolist(),
        "attribution": attribution,
        "fooled": fooled,
        "ranked": ranked,
        "initial": {name: value.ravel().tolist() for name, value in initial.items()},
        "randomised": {
            name: randomised(params, initial, ("dense", "conv2"))[name].ravel().tolist() for name in params
        },
        "fields": fields,
    }


def random_fixture():
    out = []
    for seed in (0, 1, 2027, 4294967295):
        random = SeededRandom(seed)
        out.append(
            {
                "seed": seed,
                "raw": [random.next_uint32() for _ in range(300)],
                "uniforms": random.uniforms(100),
                "below": [random.below(n) for n in (1, 3, 10, 1438, 2097152)],
                "permutation": random.permutation(1438),
                "normals": random.normals(1001),  # an odd count: the last pair's sine dropped
                "after_normals": random.next_uint32(),
            }
        )
    return out


def augmentation_fixture():
    _, _, test_x, _ = load_digit_split()
    images = test_x[:10] / 255.0
    uniforms = np.array(SeededRandom(31).uniforms(len(images) * augmentation.COUNT)).reshape(len(images), -1)
    uniforms[0] = 0.5  # no distortion at all
    uniforms[1] = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]  # every range at one end
    uniforms[2] = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0]  # and at the other
    return {
        "ranges": augmentation.RANGES,
        "images": [image.ravel().tolist() for image in images],
        "uniforms": uniforms.tolist(),
        "distorted": [image.ravel().tolist() for image in augmentation.distort(images, uniforms)],
    }


#: (settings of train, how many training and test digits: None for all): the default recipe's first
#: epoch on every digit, then short runs on a few that change one thing each (no augmentation and
#: conv1 frozen, a batch that does not divide the digits, a constant learning rate).
TRAINING_CASES = (
    ({"seed": 2026, "epochs": 1}, None),
    ({"seed": 7, "epochs": 3, "augment": False, "frozen": ("W1", "b1")}, (200, 50)),
    ({"seed": 11, "epochs": 2, "decay": False, "learning_rate": 0.01, "batch_size": 24}, (100, 40)),
)


def training_fixture():
    """convviz.tiny_cnn.train's weights at the start, after its first step and at the end, and its
    history, for TRAINING_CASES; the digits as the explorer gets them (counts) and as split."""
    counts, labels = load_digit_counts()
    split = load_digit_split()
    cases = []
    for settings, sizes in TRAINING_CASES:
        data = split if sizes is None else tuple(part[: sizes[i // 2]] for i, part in enumerate(split))
        first = {}

        def keep_first(epoch, step, params, first=first):
            if not first:
                first.update({name: value.copy() for name, value in params.items()})

        params, initial, history, _ = train(data=data, on_step=keep_first, **settings)
        cases.append(
            {
                "settings": {**settings, "frozen": list(settings.get("frozen", ()))},
                "sizes": sizes,
                "initial": {name: value.ravel().tolist() for name, value in initial.items()},
                "first_step": {name: value.ravel().tolist() for name, value in first.items()},
                "final": {name: value.ravel().tolist() for name, value in params.items()},
                "history": {name: history[name] for name in ("loss", "train_accuracy", "test_accuracy")},
            }
        )
    return {
        "counts": pixels(counts),
        "labels": labels.tolist(),
        "test_images": pixels(split[2]),
        "test_labels": split[3].tolist(),
        "train_labels": split[1].tolist(),
        "ranges": augmentation.RANGES,
        "cases": cases,
    }


def npz_base64(arrays, compressed=False):
    """The bytes np.savez (or np.savez_compressed) writes for arrays, base64."""
    return base64.b64encode(npz_bytes(arrays, compressed)).decode()


def npz_fixture():
    """Weights files as NumPy writes them, good and hostile, and the .npy bytes write_array gives."""
    params, images, labels = test_network()
    history = {
        "loss": np.array([2.0, 1.5]),
        "train_accuracy": np.array([0.5, 0.7]),
        "test_accuracy": np.array([0.6, 0.8]),
    }
    initial = {f"{name}_init": params[name] * 0.5 for name in ("W1", "W2")}
    full = {**params, **initial, "test_images": images, "test_labels": labels, **history}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "weights.npz"
        save_weights(
            path, params, {n: full[f"{n}_init"] for n in ("W1", "W2")}, history, (None, None, images, labels)
        )
        saved = base64.b64encode(path.read_bytes()).decode()
    members = {}
    for name, array in full.items():
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
        members[name] = base64.b64encode(buffer.getvalue()).decode()
    big_endian = {name: value.astype(">f8") for name, value in params.items()}
    fortran = {**params, "W3": np.asfortranarray(params["W3"]), "W2": np.asfortranarray(params["W2"])}
    hostile = {
        "a pickled W1": npz_base64({**params, "W1": np.array([object()] * 36, dtype=object)}),
        "W2 of the wrong shape": npz_base64({**params, "W2": np.zeros((8, 4, 3, 3))}),
        "W3 of whole numbers": npz_base64({**params, "W3": np.zeros((10, 392), dtype=np.int64)}),
        "a NaN in b2": npz_base64({**params, "b2": np.array([0, 1, np.nan, 0, 0, 0, 0, 0.0])}),
        "an infinity in W1": npz_base64({**params, "W1": np.full((4, 3, 3, 1), np.inf)}, compressed=True),
        "a weight of 1e6": npz_base64({**params, "W3": np.full((10, 392), 1e6)}),
        "no b3": npz_base64({name: value for name, value in params.items() if name != "b3"}),
        "a text file": base64.b64encode(b"W1,b1\n0.1,0.2\n").decode(),
        "a .npy file": members["W1"],
        "cut short": saved[: len(saved) // 2],
        "a huge W3": npz_base64({**params, "W3": np.zeros((10, 392 * 1000))}, compressed=True),
        "strings for W1": npz_base64({**params, "W1": np.array(["a"] * 36).reshape(4, 3, 3, 1)}),
        "records for b1": npz_base64({**params, "b1": np.zeros(4, dtype=[("x", "<f8")])}),
    }
    return {
        "params": {
            name: {"shape": list(value.shape), "values": value.ravel().tolist()}
            for name, value in params.items()
        },
        "initial": {name: value.ravel().tolist() for name, value in initial.items()},
        "history": {name: value.tolist() for name, value in history.items()},
        "images": pixels(images),
        "labels": labels.tolist(),
        "saved": saved,
        "members": members,
        "stored": npz_base64(params),
        "compressed": npz_base64(params, compressed=True),
        "float32": npz_base64({name: value.astype(np.float32) for name, value in params.items()}),
        "float32_values": {
            name: value.astype(np.float32).astype(np.float64).ravel().tolist()
            for name, value in params.items()
        },
        "big_endian": npz_base64(big_endian),
        "fortran": npz_base64(fortran),
        "hostile": hostile,
    }


def patterns_fixture():
    shapes = {size: pixels(patterns.shapes_pattern(size)) for size in (64, 90, 100, 128, 256)}
    boards = [
        [size, square, pixels(patterns.checkerboard(size, square))] for size, square in ((256, 32), (100, 7))
    ]
    return {"shapes": shapes, "checkerboards": boards}


def pixels_fixture():
    rng = np.random.default_rng(5)
    cases = [
        rng.normal(0, 300, 500),
        rng.uniform(-1, 1, 400),
        np.array([0.0, 0.0, 0.0]),
        np.array([-2.5, 0.5, 1.5, 255.5, 256.0, -0.5, 12.7]),  # halves, ends, fractions
        np.arange(-3.0, 4.0) / 6,  # values whose stretch lands on exact halves
    ]
    display_cases = []
    for values in cases:
        display_cases.append(
            {
                "values": values.tolist(),
                "abs": display.stretch(np.abs(values), 100).tolist(),
                "clip": display.clip_to_uint8(values).tolist(),
                "minmax": display.to_uint8(values).tolist(),
            }
        )
    stops = np.array(
        [[int(colour[i : i + 2], 16) for i in (1, 3, 5)] for colour in SIGNED_STOPS], dtype=float
    )
    signed = rng.normal(0, 1, 300)
    signed[:3] = [0.0, np.abs(signed).max(), -np.abs(signed).max()]
    t = signed / np.abs(signed).max()
    where = np.linspace(-1, 1, len(stops))
    colours = np.stack([np.interp(t, where, stops[:, c]) for c in range(3)], axis=1)
    return {
        "display": display_cases,
        "stops": stops.astype(int).tolist(),
        "signed": {"values": signed.tolist(), "colours": colours.tolist()},
    }


def data_fixture():
    """The two explorers' data as the build writes them (the network's with the seeded weights)."""
    params, images, labels = test_network()
    history = {"loss": [2.0, 1.0], "train_accuracy": [0.5, 0.75], "test_accuracy": [0.625, 0.875]}
    initial = init_parameters()  # the weights file keeps conv1's and conv2's initial weights
    weights = dict(params, **history, test_images=images, test_labels=labels)
    weights.update(W1_init=initial["W1"], W2_init=initial["W2"])
    return {"conv": explorer_data(), "network": network_data(weights)}


def quiz_fixture():
    from coursesite import quiz

    return {qid: quiz.question(qid) for qid in quiz.QUESTION_IDS}


FIXTURES = {
    "drawing": drawing_fixture,
    "network": network_fixture,
    "random": random_fixture,
    "augmentation": augmentation_fixture,
    "training": training_fixture,
    "npz": npz_fixture,
    "patterns": patterns_fixture,
    "pixels": pixels_fixture,
    "data": data_fixture,
    "quiz": quiz_fixture,
}


def write_fixtures(folder):
    """Write <name>.json for every fixture into folder (created); return the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in FIXTURES.items():
        (folder / f"{name}.json").write_text(json.dumps(make(), allow_nan=False))
    return folder


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: write_fixtures.py FOLDER")
    print(write_fixtures(sys.argv[1]))
