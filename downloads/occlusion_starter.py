"""Exercise 5 starter: write an occlusion map for the network of exercise 4.

Usage:
    python occlusion_starter.py --check     test your occlusion_map on small cases
    python occlusion_starter.py [--digits N ...] [--patch P] [--stride S] [--fill F]
                                [--network FILE] [--weights tiny_cnn_weights.npz] [--out FOLDER]

Fill in the TODO of occlusion_map. --check runs it on small probe images with a
stand-in network, compares the maps with the right answers and with the
answers of common mistakes, and names in plain words what is still wrong. The
plain run makes the same checks first; once they pass, it maps test digits with
the network of exercise 4, prints where covering lowers each digit's score
most and writes occlusion_maps.png into FOLDER. The network is exercise 4's
solution, copied below; --network ../exercise4/tiny_cnn_starter.py uses your
own forward pass instead. Needs numpy, pillow, and in the same folder
self_check.py and tiny_cnn_weights.npz (exercise5.zip on the module page holds
all three).
"""

import importlib.util
import io
import sys
from pathlib import Path

try:
    from self_check import (
        EndsTheProgram,
        Failure,
        OneLineParser,
        TimeLimitExceeded,
        call_with_time_limit,
        check_all,
        check_function,
        checked,
        exit_program,
        load_weights,
        one_line_errors,
        parse_mistakes,
        prepare_folder,
        probe,
        report,
        todo,
        write_files,
    )
except ImportError as error:  # the starter needs its helper file, of the same version, beside it
    if isinstance(error, ModuleNotFoundError) and error.name == "self_check":
        sys.exit(f"{Path(sys.argv[0]).name}: self_check.py is missing: put it in the folder of this file")
    sys.exit(f"{Path(sys.argv[0]).name}: self_check.py is from another version ({error}): unzip it again")
try:
    import numpy as np
    from PIL import Image
except ModuleNotFoundError as missing:  # name the package to install, in one line
    package = str(missing.name).partition(".")[0].replace("PIL", "pillow")
    sys.exit(f"{Path(sys.argv[0]).name}: needs the Python package {package}: pip install {package}")

WEIGHTS = {}
MAPS_PNG = "occlusion_maps.png"
#: The test digits mapped unless --digits names others, and how many one run may map.
DIGITS = (0, 1, 2)
MAX_DIGITS = 10
#: Each pixel of the digits and maps in occlusion_maps.png is SCALE × SCALE pixels of the file.
SCALE = 8
#: The colours of the maps: a drop at full strength, a rise at full strength (zero is white).
ORANGE = (230, 97, 1)
PURPLE = (94, 60, 153)
#: The gray of map pixels at the centre of no patch.
UNCOVERED = 230


def occlusion_map(image, forward, label, patch=6, stride=2, fill=0.0):
    """How much the score of class label drops when a square patch of the image is covered.

    image: (H, W), values in [0, 1]; forward(image) returns the class scores
    (logits). The patch is patch × patch pixels set to fill, its top-left corner
    at row i * stride, column j * stride, at every position where it fits.
    Returns out[i, j] = score of label on the image - score with that patch
    covered, of shape ((H - patch) // stride + 1, (W - patch) // stride + 1).
    """
    # TODO 1: work out the size of the map, then for every position (i, j)
    # cover the patch on a copy of the image, run forward on it and store how
    # much the score of class label dropped: the score on the image as it is
    # minus the score with the patch covered. Leave image itself unchanged.
    return todo(1, "write occlusion_map")


# ---------------------------------------------------------------- exercise 4's forward pass
# The network the maps are made for, as tiny_cnn_solution.py writes it.


def conv2d(x, W, b, stride=1):
    """Multi-filter 2-D cross-correlation with bias and 'same' zero padding.

    x: (H, W, C_in), W: (K, k, k, C_in), b: (K,). Returns (H_out, W_out, K).
    """
    rows, cols, _ = x.shape
    n_filters, size = W.shape[0], W.shape[1]
    pad = size // 2
    x_padded = np.pad(x, ((pad, pad), (pad, pad), (0, 0)))
    out_rows = (rows - size + 2 * pad) // stride + 1
    out_cols = (cols - size + 2 * pad) // stride + 1
    out = np.zeros((out_rows, out_cols, n_filters))
    for i in range(out_rows):
        for j in range(out_cols):
            window = x_padded[i * stride : i * stride + size, j * stride : j * stride + size, :]
            # One number per filter: the sum of window * filter over rows, columns, channels.
            out[i, j, :] = np.tensordot(W, window, axes=([1, 2, 3], [0, 1, 2])) + b
    return out


def maxpool2d(x, size=2, stride=2):
    """Largest value of every size×size window, per channel. (H, W, C) -> (H_out, W_out, C)."""
    rows, cols, channels = x.shape
    out_rows = (rows - size) // stride + 1
    out_cols = (cols - size) // stride + 1
    out = np.zeros((out_rows, out_cols, channels))
    for i in range(out_rows):
        for j in range(out_cols):
            window = x[i * stride : i * stride + size, j * stride : j * stride + size, :]
            out[i, j, :] = window.max(axis=(0, 1))
    return out


def relu(x):
    return np.maximum(0, x)


def forward(image):
    """Ten class scores (logits) for one 28×28 image with values in [0, 1]."""
    x = image[..., None]  # (28, 28, 1)
    x = relu(conv2d(x, WEIGHTS["W1"], WEIGHTS["b1"]))  # (28, 28, 4)
    x = maxpool2d(x)  # (14, 14, 4)
    x = relu(conv2d(x, WEIGHTS["W2"], WEIGHTS["b2"]))  # (14, 14, 8)
    x = maxpool2d(x)  # (7, 7, 8)
    x = x.flatten()  # (392,)
    return WEIGHTS["W3"] @ x + WEIGHTS["b3"]  # (10,)


# ---------------------------------------------------------------- what the run prints and draws


def chosen(args, count):
    """The test digits, patch, stride and fill of the command line, checked; Failure (status 2) if not."""
    if len(args.digits) > MAX_DIGITS:
        raise Failure(f"--digits takes at most {MAX_DIGITS} test digits, got {len(args.digits)}", 2)
    for number in args.digits:
        if not 0 <= number < count:
            raise Failure(
                f"--digits: there is no test digit {number}; the weights file holds 0 to {count - 1}", 2
            )
    if not 1 <= args.patch <= 28:
        raise Failure(f"--patch must be from 1 to 28 pixels, got {args.patch}", 2)
    if not 1 <= args.stride <= 28:
        raise Failure(f"--stride must be from 1 to 28 pixels, got {args.stride}", 2)
    if not 0 <= args.fill <= 1:
        raise Failure(f"--fill must be a gray level from 0 (black) to 1 (white), got {args.fill:g}", 2)
    return args.digits, args.patch, args.stride, args.fill


def amount(value):
    """A score difference with two decimals, never "-0.00"."""
    return f"{value:.2f}".replace("-0.00", "0.00")


def describe(number, label, scores, drops, patch, stride):
    """One line on the map of test digit number: where covering lowers the score of label most."""
    said = f"test digit {number}, a {label} (the network says {int(np.argmax(scores))}, "
    said += f"score {amount(scores[label])})"
    spread = f"the map runs from {amount(drops.min())} to {amount(drops.max())}"
    if drops.max() <= 0:
        return f"{said}: no patch lowers the score; {spread}"
    i, j = np.unravel_index(np.argmax(drops), drops.shape)
    top, left = i * stride, j * stride
    where = f"rows {top}-{top + patch - 1}, columns {left}-{left + patch - 1}"
    return f"{said}: covering {where} lowers the score most, by {amount(drops.max())}; {spread}"


def map_image(images, maps, patch, stride):
    """One row per digit, the digit in gray and its map beside it, as RGB uint8.

    Cell (i, j) of a map colours the pixels at the centre of its patch (stride ×
    stride of them, the whole patch if it is smaller): orange where covering
    lowers the score, purple where it raises it, white where nothing changes,
    full colour at the map's own largest change; pixels at the centre of no
    patch stay light gray. Each pixel becomes SCALE × SCALE.
    """
    gap = 2  # pixels of white between the panels, before scaling
    rows, cols = images[0].shape
    canvas = np.full((len(images) * (rows + gap) - gap, 2 * cols + gap, 3), 255.0)
    block = min(patch, stride)
    offset = (patch - block) // 2
    for n, (image, drops) in enumerate(zip(images, maps)):
        top = n * (rows + gap)
        canvas[top : top + rows, :cols] = 255 * image[..., None]
        limit = np.abs(drops).max()
        strength = np.full((rows, cols), np.nan)
        for (i, j), drop in np.ndenumerate(drops):
            row, col = i * stride + offset, j * stride + offset
            strength[row : row + block, col : col + block] = drop / limit if limit > 0 else 0.0
        ends = np.where(strength[..., None] >= 0, np.array(ORANGE), np.array(PURPLE))
        coloured = 255 + np.abs(strength)[..., None] * (ends - 255)
        canvas[top : top + rows, cols + gap :] = np.where(np.isnan(coloured), UNCOVERED, coloured)
    pixels = np.round(canvas).astype(np.uint8)
    return pixels.repeat(SCALE, axis=0).repeat(SCALE, axis=1)


def png_bytes(array):
    """array (uint8 gray levels, or RGB) encoded as a PNG file."""
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def options(description):
    """The command-line options of the run; the starter adds --check and --network."""
    here = Path(sys.argv[0]).resolve().parent
    parser = OneLineParser(description=description)
    parser.add_argument(
        "--digits",
        type=int,
        nargs="+",
        default=list(DIGITS),
        metavar="N",
        help="the test digits to map, counted from 0 (default: 0 1 2)",
    )
    parser.add_argument(
        "--patch", type=int, default=6, help="side of the square patch in pixels (default: 6)"
    )
    parser.add_argument("--stride", type=int, default=2, help="step between patch positions (default: 2)")
    parser.add_argument(
        "--fill",
        type=float,
        default=0.0,
        help="gray level of the patch, 0 black to 1 white (default: 0, the background)",
    )
    parser.add_argument("--weights", default=str(here / "tiny_cnn_weights.npz"), help="the .npz file")
    parser.add_argument("--out", default=".", help=f"folder for {MAPS_PNG}")
    return parser


# ---------------------------------------------------------------- your own forward pass (--network)


def not_loaded(error):
    """Why a file could not be loaded, in a few words."""
    if isinstance(error, SyntaxError):
        return f"line {error.lineno}: {error.msg} ({type(error).__name__})"
    if isinstance(error, TimeLimitExceeded):
        return "loading it did not end within the time limit"
    if isinstance(error, EndsTheProgram):
        code = getattr(error.error, "code", None)
        return (
            str(code)
            if isinstance(code, str)
            else f"loading it ends the program ({type(error.error).__name__})"
        )
    return f"{error} ({type(error).__name__})"


def own_forward(path, image, reference):
    """forward of your exercise-4 file at path, with the course's weights, once it gives the scores of
    exercise 4's solution (reference) on image; Failure in one line if it cannot be used."""
    name = Path(path).name
    folder = str(Path(path).resolve().parent)
    spec = importlib.util.spec_from_file_location("your_exercise4", path) if Path(path).is_file() else None
    if spec is None:
        raise Failure(
            f"--network: {str(path)!r} is not a Python file; give your filled-in tiny_cnn_starter.py", 2
        )
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, folder)  # it imports self_check.py from its own folder, or from this one
    try:
        call_with_time_limit(spec.loader.exec_module, (module,), {})
    except (Exception, TimeLimitExceeded, EndsTheProgram) as error:
        raise Failure(f"--network: cannot load {name}: {not_loaded(error)}", 2) from None
    finally:
        sys.path.remove(folder)
    if not callable(getattr(module, "forward", None)) or not isinstance(
        getattr(module, "WEIGHTS", None), dict
    ):
        raise Failure(f"--network: {name} has no forward() and WEIGHTS of exercise 4", 2)
    problems = module.run_checks() if callable(getattr(module, "run_checks", None)) else []
    if problems:
        raise Failure(f"--network: {name} does not pass its own check yet: {problems[0]}")
    module.WEIGHTS.update(WEIGHTS)
    yours = checked("forward", module.forward, "the first test digit mapped", limit=60, usual="a second")
    difference = np.abs(yours(image) - reference).max()
    if not np.isfinite(difference) or difference > 1e-6:
        raise Failure(
            f"--network: the forward pass of {name} gives scores up to {difference:.3g} away from those of "
            "exercise 4's solution on the first test digit mapped: run python tiny_cnn_starter.py --check"
        )
    return module.forward


# ---------------------------------------------------------------- self-check
# The answers for the self-check (self_check.py runs your occlusion_map and compares): the
# right answer and the answer of each common mistake, computed for all positions at once
# with whole-array NumPy operations (no loops), a different way from the code you write.


def _probe_network(image, start, targets):
    """A stand-in for forward on a probe image: four class scores, linear in the pixels, close to each
    other (targets on image itself), so that covering a patch can change which class wins. Returns
    (forward for one image, the same for any stack of images)."""
    shape = image.shape
    count = len(targets) * image.size
    weights = np.cos(1.7 * np.arange(count) + start).reshape(len(targets), *shape) / 2  # of either sign
    bias = np.asarray(targets) - np.tensordot(weights, image, axes=2)

    def scores(images):
        return np.tensordot(np.asarray(images, dtype=float), weights, axes=((-2, -1), (1, 2))) + bias

    def forward(image):
        given = np.shape(image)
        if given != shape:
            raise ValueError(f"forward takes one image of shape {shape}, it was given shape {given}")
        return scores(image)

    return forward, scores


def _softmax(scores):
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _occlusion_answer(case, mistakes):
    """occlusion_map's output for a probe, right or with the given mistakes ({slot: kind})."""
    (image,) = (np.array(value, dtype=float) for value in case["args"])
    given = case["kwargs"]
    label, patch = given["label"], given.get("patch", 6)
    stride, fill = given.get("stride", 2), given.get("fill", 0.0)
    mistake = mistakes.get
    rows, cols = image.shape
    fill = {"grey": 0.5, "zero": 0.0, "mean": image.mean()}.get(mistake("fill"), fill)
    side = {"minus1": patch - 1, "plus1": patch + 1}.get(mistake("patch"), patch)
    step = {"one": 1, "size_only": 1, "patch": patch}.get(mistake("stride"), stride)
    sized_by = {"one": 1, "patch": patch}.get(mistake("stride"), stride)
    count = {
        "short": lambda n: (n - patch) // sized_by,
        "range_end": lambda n: len(range(0, n - patch, sized_by)),
        "all": lambda n: -(-n // sized_by),
        "floor_div": lambda n: n // sized_by,
        "ceil": lambda n: -(-(n - patch) // sized_by) + 1,
    }.get(mistake("size"), lambda n: (n - patch) // sized_by + 1)
    out_rows, out_cols = count(rows), count(cols)
    if mistake("size") == "cols_from_rows":
        out_cols = out_rows

    def inside(positions, length):  # (positions, length): which pixels the patch at each position covers
        pixel, start = np.arange(length)[None, :], step * np.arange(positions)[:, None]
        return (pixel >= start) & (pixel < start + side)

    if mistake("position") == "swapped":  # the patch of (i, j) at row j * step, column i * step
        covered = inside(out_cols, rows)[None, :, :, None] & inside(out_rows, cols)[:, None, None, :]
    else:
        covered = inside(out_rows, rows)[:, None, :, None] & inside(out_cols, cols)[None, :, None, :]
    if mistake("covers") == "rest":
        covered = ~covered
    if mistake("copy") == "once":  # every earlier patch stays covered
        flat = covered.reshape(-1, rows, cols)
        covered = np.logical_or.accumulate(flat, axis=0).reshape(covered.shape)
    scores = case["scores"]
    before, after = scores(image), scores(np.where(covered, fill, image))
    measures = {
        "probability": lambda z: _softmax(z)[..., label],
        "log_probability": lambda z: np.log(_softmax(z)[..., label]),
        "predicted": lambda z: z[..., int(np.argmax(before))],
        "largest": lambda z: z.max(axis=-1),
    }
    measure = measures.get(mistake("score"), lambda z: z[..., label])
    drops = measure(before) - measure(after)
    if mistake("sign") == "reversed":
        drops = -drops
    elif mistake("sign") == "abs":
        drops = np.abs(drops)
    if mistake("result") == "covered":
        drops = measure(after)
    elif mistake("result") == "normalised":
        drops = drops / np.abs(drops).max()
    if mistake("order") == "transposed":
        drops = drops.T
    if mistake("dtype") == "int":
        drops = np.trunc(drops)
    return drops


POSITIONS = (
    "the patch fits at (rows - patch) // stride + 1 positions down and (cols - patch) // stride + 1 across"
)
CORNER = "the patch of out[i, j] has its top-left corner at row i * stride, column j * stride"

OCCLUSION_MISTAKES = parse_mistakes(
    """
fill grey: covers the patch with middle gray (0.5): cover it with fill, 0 by default; these digits are
    white strokes on black (0), so a gray patch adds ink where the background was
fill zero: always covers the patch with 0 and ignores its argument fill: set the patch to fill (the
    check also passes fill=0.25)
fill mean: covers the patch with the image's mean value: cover it with fill, 0 by default, the black
    background of these digits
score probability: measures the drop of the probability (softmax) of label: measure the drop of the score
    itself, forward(image)[label]; near 1 the probability saturates and hides drops the score shows
score log_probability: measures the drop of the log-probability of label, a sound measure too, but this
    exercise maps the score itself: forward(image)[label]
score predicted: maps the class the network predicts for the image, not the class label it is given:
    take forward(...)[label] on every image
score largest: compares the largest score of each image, whichever class has it: take the score of class
    label on every image
sign reversed: subtracts the wrong way round: out[i, j] is the score on the image minus the score with the
    patch covered, positive where covering lowers the score
sign abs: takes the absolute value of the change: keep its sign, so a patch whose covering raises the score
    gets a negative value
result covered: returns the score with each patch covered, not how much it dropped: subtract it from the
    score on the image as it is
result normalised: divides the map by its largest value: return the drops as they are, in units of the
    score
copy once: covers the patches one after another without removing the earlier ones (one copy made before
    the loops, or the image itself): start each position from a fresh image.copy()
covers rest: covers everything except the patch: set only the patch to fill and keep the rest of the
    image
patch minus1: covers a square one pixel too small: the rows i * stride to i * stride + patch, the end
    excluded, are patch rows
patch plus1: covers a square one pixel too large: the rows i * stride to i * stride + patch, the end
    excluded, are patch rows
stride one: moves the patch by 1 and ignores stride: {corner}, and {size}
stride size_only: sizes the map for the stride but moves the patch one pixel at a time: {corner}
stride patch: moves the patch by its own size: {corner}, so patches overlap when stride < patch
size short: leaves out the last row and column of positions: {size}
size range_end: stops one position early where rows - patch is a multiple of stride, as range(0, rows -
    patch, stride) does: the patch's top row runs up to rows - patch itself, range(0, rows - patch + 1,
    stride)
size all: places the patch at every stride-th row and column, also where it hangs over the edge of the
    image: {size}
size floor_div: sizes the map as rows // stride, which does not leave room for the patch: {size}
size ceil: adds a row and column of positions where the patch hangs over the edge (it rounds up): {size}
size cols_from_rows: gives the map as many columns as rows: its columns come from the image's columns
position swapped: puts the patch of out[i, j] at row j * stride, column i * stride: {corner}
order transposed: swaps the rows and columns of the map: out[i, j] is the patch at row i * stride,
    column j * stride
dtype int: stores the drops in an array of whole numbers, which cuts off their fractions: np.zeros(shape)
    holds floats
""",
    size=POSITIONS,
    corner=CORNER,
)


def _occlusion_case(rows, cols, label, start, **given):
    image = np.clip(probe((rows, cols), start + 7), 0, None) / 3  # gray levels 0-1, about half of them 0
    forward, scores = _probe_network(image, start, [0.75, 0.5, 1.0, -0.25])
    said = (
        ", ".join(f"{name}={value:g}" for name, value in given.items()) or "the default patch, stride, fill"
    )
    return {
        "args": (image,),
        "names": ("image",),
        "kwargs": {"forward": forward, "label": label, **given},
        "scores": scores,
        "given": (forward,),
        "text": f"a {rows}×{cols} image, label={label} and {said}",
        "part": "map",
    }


OCCLUSION_CASES = [
    _occlusion_case(7, 10, 1, 0, patch=3, stride=2),
    _occlusion_case(12, 14, 0, 5),
    _occlusion_case(5, 9, 3, 11, patch=2, stride=3, fill=0.25),
]


def check_occlusion_map(occlusion_map):
    """Plain-language problems with occlusion_map; an empty list when it is right."""
    return check_function(
        "occlusion_map", occlusion_map, OCCLUSION_CASES, _occlusion_answer, OCCLUSION_MISTAKES
    )


def run_checks(functions=None):
    """Problems found in the functions of a module or namespace (by default this file's own)."""
    found = globals() if functions is None else vars(functions)
    return check_all(found, (("occlusion_map", check_occlusion_map),))


@one_line_errors
def main(argv=None):
    parser = options("Exercise 5: occlusion maps of the tiny CNN.")
    parser.add_argument("--check", action="store_true", help="test your occlusion_map on small cases")
    parser.add_argument("--network", help="your own exercise 4 file (tiny_cnn_starter.py, filled in)")
    args = parser.parse_args(argv)
    problems = run_checks()
    if args.check:
        return report(problems)
    if problems:
        raise Failure(f"{problems[0]} (run with --check for every problem)")
    folder = prepare_folder(args.out, [MAPS_PNG])
    weights, images, labels = load_weights(args.weights)
    digits, patch, stride, fill = chosen(args, len(labels))
    WEIGHTS.update(weights)
    network = forward
    if args.network:
        network = own_forward(args.network, images[digits[0]], forward(images[digits[0]]))
    print(
        f"Each map: how much covering a {patch}×{patch} patch with {fill:g} lowers the score (logit) of the "
        "digit's class; orange where it drops, purple where it rises."
    )
    maps = []
    for number in digits:
        image, label = images[number], int(labels[number])
        # Your occlusion_map runs on the digit the way the self-check runs it.
        text = f"test digit {number}"
        yours = checked(
            "occlusion_map", occlusion_map, text, limit=300, usual="a second or two", given=(network,)
        )
        drops = yours(image, forward=network, label=label, patch=patch, stride=stride, fill=fill)
        expected = ((28 - patch) // stride + 1,) * 2
        if drops.shape != expected:
            raise Failure(f"occlusion_map returns shape {drops.shape} for {text}; expected {expected}")
        print(describe(number, label, network(image), drops, patch, stride), flush=True)
        maps.append(drops)
    picture = map_image([images[n] for n in digits], maps, patch, stride)
    said = "1 digit and its map" if len(digits) == 1 else f"{len(digits)} digits and their maps"
    write_files(folder, [(MAPS_PNG, png_bytes(picture), said)])
    return 0


if __name__ == "__main__":
    exit_program(main())
