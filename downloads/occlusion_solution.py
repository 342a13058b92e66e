"""Exercise 5 solution: occlusion maps of the tiny CNN of exercise 4.

Usage:
    python occlusion_solution.py [--digits N ...] [--patch P] [--stride S] [--fill F]
                                 [--weights tiny_cnn_weights.npz] [--out FOLDER]

Covers a square patch of a test digit at every position where it fits, runs
the network of exercise 4 on each covered digit and records how much the score
(logit) of the digit's class drops. Prints where the drop is largest for each
digit and writes occlusion_maps.png into FOLDER (default: the current folder):
one row per digit, the digit beside its map, orange where covering lowers the
score, purple where it raises it. Needs numpy and pillow, and the weights file
of exercise 4 in the same folder.
"""

import sys
from pathlib import Path

try:
    from self_check import (
        load_weights,
        missing_beside,
        one_line_errors,
        prepare_folder,
        write_files,
    )
except ImportError as error:  # the solution uses the exercise's helper file, of the same version, beside it
    if isinstance(error, ModuleNotFoundError) and error.name == "self_check":
        sys.exit(
            f"{Path(sys.argv[0]).name}: self_check.py is missing: put this file in the folder of "
            "exercise5.zip (it holds self_check.py)"
        )
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
    rows, cols = image.shape
    out_rows = (rows - patch) // stride + 1
    out_cols = (cols - patch) // stride + 1
    score = forward(image)[label]
    out = np.zeros((out_rows, out_cols))
    for i in range(out_rows):
        for j in range(out_cols):
            covered = image.copy()  # a fresh copy for every position: one patch at a time
            covered[i * stride : i * stride + patch, j * stride : j * stride + patch] = fill
            out[i, j] = score - forward(covered)[label]
    return out


@one_line_errors
def main(argv=None):
    args = options("Exercise 5 solution: occlusion maps of the tiny CNN.").parse_args(argv)
    folder = prepare_folder(args.out, [MAPS_PNG])
    weights, images, labels = load_weights(args.weights)
    digits, patch, stride, fill = chosen(args, len(labels))
    WEIGHTS.update(weights)
    print(
        f"Each map: how much covering a {patch}×{patch} patch with {fill:g} lowers the score (logit) of the "
        "digit's class; orange where it drops, purple where it rises."
    )
    maps = []
    for number in digits:
        image, label = images[number], int(labels[number])
        drops = occlusion_map(image, forward, label, patch=patch, stride=stride, fill=fill)
        print(describe(number, label, forward(image), drops, patch, stride), flush=True)
        maps.append(drops)
    picture = map_image([images[n] for n in digits], maps, patch, stride)
    said = "1 digit and its map" if len(digits) == 1 else f"{len(digits)} digits and their maps"
    write_files(folder, [(MAPS_PNG, png_bytes(picture), said)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
