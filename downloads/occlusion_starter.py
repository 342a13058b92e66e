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
solution, tiny_cnn_solution.py; --network ../exercise4/tiny_cnn_starter.py
uses your own forward pass instead. Needs numpy, pillow, and in the same
folder self_check.py, occlusion_maps.py (what the run prints and draws),
tiny_cnn_solution.py and tiny_cnn_weights.npz (exercise5.zip on the module
page holds them all).
"""

import importlib.util
import sys
from pathlib import Path

try:
    from self_check import (
        EndsTheProgram,
        Failure,
        TimeLimitExceeded,
        call_with_time_limit,
        check_all,
        check_function,
        checked,
        exit_program,
        load_weights,
        missing_beside,
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
    import PIL  # noqa: F401  (occlusion_maps.py draws with it; asked for here to name it if missing)
except ModuleNotFoundError as missing:  # name the package to install, in one line
    package = str(missing.name).partition(".")[0].replace("PIL", "pillow")
    sys.exit(f"{Path(sys.argv[0]).name}: needs the Python package {package}: pip install {package}")
try:
    from occlusion_maps import MAPS_PNG, chosen, describe, map_image, options, png_bytes
    from tiny_cnn_solution import WEIGHTS, forward  # exercise 4's network
except ImportError as error:  # the other files of exercise5.zip, beside this one
    sys.exit(f"{Path(sys.argv[0]).name}: {missing_beside(error, 'exercise5.zip')}")


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
