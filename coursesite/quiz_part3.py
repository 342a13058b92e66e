"""The questions of part 3 (reading attribution maps), computed with convviz and the build's numbers.

Each builder returns a question dict as :mod:`coursesite.quiz` describes. The
maps are computed here on the trained network of the weights file the build
wrote; the sanity check's and the deletion curves' results come from the
numbers the figure script saved (``part3_attribution_check_numbers.txt``), the
same ones the page states.
"""

import re

import numpy as np

from convviz.activation_maximization import receptive_field
from convviz.attribution import (
    OCCLUSION_GROUP,
    input_gradient,
    occlusion_corners,
    occlusion_map,
    occlusion_maps,
    probabilities,
)
from convviz.tiny_cnn import PARAMETER_NAMES, forward, forward_layers
from coursesite.paths import GENERATED_DIR

#: The numbers file of the attribution checks, written by plot_11_attribution_checks.py.
CHECK_NUMBERS = "part3_attribution_check_numbers.txt"
#: The question ids of part 3, in the order they appear on the page.
PART3_IDS = (
    "conv2-receptive-field",
    "blank-occlusion-map",
    "gray-patch",
    "saliency-meaning",
    "grad-cam-size",
    "sanity-check",
    "deletion-best",
)


def saved_numbers(name=CHECK_NUMBERS):
    """{key: value} of a numbers file the build saved, or ValueError saying how to make it."""
    path = GENERATED_DIR / name
    if not path.exists():
        raise ValueError(f"{name} is missing: run `make html` (its figure script writes it)")
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, value = re.fullmatch(r"\.\. \|(\w+)\| replace:: (.*)", line).groups()
        found[key] = value
    return found


def network():
    """(params, images in [0, 1], labels) of the weights file the build wrote (else the trained network)."""
    from convviz.tiny_cnn import as_input, load_weights, trained_network
    from coursesite.network_data import weights_path

    path = weights_path()
    if path.exists():
        stored = load_weights(path)
        params = {name: stored[name] for name in PARAMETER_NAMES}
        return params, as_input(stored["test_images"])[..., 0], stored["test_labels"]
    params, _, _, (_, _, test_x, test_y) = trained_network()
    return params, as_input(test_x)[..., 0], test_y


def method_key(name):
    """The key of a method in the numbers file: "gradient × input" -> "gradient_x_input"."""
    return name.replace(" × ", "_x_").replace(" ", "_").replace("-", "_").lower()


def conv2_receptive_field():
    """How many input pixels across a conv2 unit away from the border sees (its receptive field)."""
    top, bottom, left, right = receptive_field(7, 7)
    answer = bottom - top
    conv1, pool1 = 3, 3 + 1  # a conv1 unit sees 3 pixels; a pool1 unit two neighbouring conv1 units
    from coursesite.quiz import _checked

    return _checked(
        {
            "id": "conv2-receptive-field",
            "kind": "size",
            "prompt": (
                "A unit of conv2 in the middle of its 14×14 map computes its value from a 3×3 window "
                "of pool1's maps (exercise 4: conv1 3×3, ReLU, 2×2 max pooling, conv2 3×3). How many "
                "input pixels across is its receptive field, the square of pixels its value can depend on?"
            ),
            "answer": answer,
            "mistakes": [
                {
                    "value": 3,
                    "hint": (
                        "That is conv2's window, counted in pool1's pixels. Each pool1 pixel stands for "
                        "2×2 conv1 positions, and each conv1 unit sees 3×3 input pixels."
                    ),
                },
                {
                    "value": conv1 + 3 - 1,
                    "hint": (
                        "That stacks two 3×3 convolutions directly. The 2×2 pooling between them makes "
                        "each step of conv2's window 2 input pixels."
                    ),
                },
                {
                    "value": 2 * 3,
                    "hint": (
                        "Doubling conv2's window for the pooling gives 6 conv1 positions; each conv1 unit "
                        "also sees one more pixel on each side."
                    ),
                },
                {
                    "value": pool1,
                    "hint": (
                        f"That is one pool1 unit: 2 conv1 positions of 3 pixels, {pool1} pixels. "
                        "conv2's window spans 3 of them."
                    ),
                },
            ],
            "hint": (
                "Work up from the input: a conv1 unit sees 3 pixels; a pool1 unit two neighbouring conv1 "
                "units; a conv2 unit three neighbouring pool1 units, 2 input pixels apart."
            ),
            "explanation": (
                f"conv1 sees {conv1} pixels; a pool1 unit covers two conv1 positions, {pool1} pixels; "
                f"conv2's window spans 3 pool1 units 2 pixels apart, {pool1} + 2 · 2 = {answer}: an "
                f"{answer}×{answer} square (the unit at row 7, column 7: input rows {top} to {bottom - 1})."
            ),
        }
    )


def blank_occlusion_digit(params, images, labels):
    """(index, label, probability, largest probability drop, largest score drop, ink under that patch):
    the first test digit read right whose occlusion map of the probability stays under 0.01 while its
    score drops by more than 3 under some black patch. Only digits with a probability above 0.9999
    can have such a map; the others are not tried."""
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    found = probabilities(params, images)
    saturated = np.flatnonzero((found.argmax(axis=1) == labels) & (found.max(axis=1) > 0.9999))
    corners = occlusion_corners()
    # The digits are tried in groups that go through the network together, as occlusion_maps groups
    # them (about 7 digits): a group costs about what one digit alone does.
    group = max(1, OCCLUSION_GROUP // (len(corners) ** 2 + 1))
    tried = (saturated[start : start + group] for start in range(0, len(saturated), group))
    for chosen in tried:
        with threadpool_limits(limits=1, user_api="blas"):  # small products: one thread is fastest
            probability_maps = occlusion_maps(params, images[chosen], labels[chosen], measure="probability")
            score_maps = occlusion_maps(params, images[chosen], labels[chosen])
        for index, by_probability, by_score in zip(chosen, probability_maps, score_maps):
            if not (by_probability.max() < 0.01 and by_score.max() > 3):
                continue
            image, label = images[index], int(labels[index])
            a, b = np.unravel_index(by_score.argmax(), by_score.shape)
            ink = float(image[corners[a] : corners[a] + 6, corners[b] : corners[b] + 6].mean())
            p = float(probabilities(params, image[None])[0, label])
            return int(index), label, p, float(by_probability.max()), float(by_score.max()), ink
    raise ValueError("no test digit has a blank probability map and a large drop of its score")


def blank_occlusion_map():
    """What a blank occlusion map of the probability means: the softmax is saturated.

    The search takes about 0.4 s; coursesite.quiz.question runs it once per version of the weights file."""
    from coursesite.quiz import _checked

    index, label, p, most, score_drop, ink = blank_occlusion_digit(*network())
    drop = f"{score_drop:.1f}"
    return _checked(
        {
            "id": "blank-occlusion-map",
            "kind": "choice",
            "prompt": (
                f"Held-out digit No. {index}, a {label}, gets probability {p:.6f} for its class. Its "
                "occlusion map of the probability is blank: no 6×6 black patch lowers the probability "
                f"by 0.01 or more (at most {most:.4f}). The same patches lower its score (logit) by up "
                f"to {drop}. What does the blank map tell you?"
            ),
            "choices": [
                {"value": "saturated", "label": "The probability is saturated: near 1 it hardly moves."},
                {"value": "nothing-matters", "label": "No part of the digit matters to the network."},
                {"value": "patch-too-small", "label": "The 6×6 patch is too small to hide anything."},
                {"value": "background", "label": "The network looks only at the background."},
            ],
            "answer": "saturated",
            "mistakes": [
                {
                    "value": "nothing-matters",
                    "hint": f"Then covering a patch would not change the score; it drops by up to {drop}.",
                },
                {
                    "value": "patch-too-small",
                    "hint": (
                        f"A 6×6 patch lowers the score by up to {drop}: it hides something that matters. "
                        "Ask why the probability does not follow."
                    ),
                },
                {
                    "value": "background",
                    "hint": (
                        "A black patch on the black background changes nothing. The largest drop comes "
                        f"from a patch on the strokes: {ink:.2f} mean ink under it, on the 0–1 scale."
                    ),
                },
            ],
            "hint": "Compare how much the score and the probability move.",
            "explanation": (
                f"At p = {p:.6f} the softmax is saturated: lowering the score by {drop} still leaves the "
                "class far ahead of the others, so its probability barely changes. A map of the score (or "
                "of the log-probability) shows what the probability map hides."
            ),
        }
    )


def first_correct(params, images, labels, digit):
    """The index of the first test digit of this class that the network reads right."""
    predicted = probabilities(params, images).argmax(axis=1)
    return int(np.flatnonzero((labels == digit) & (predicted == digit))[0])


def gray_patch(digit=7):
    """Why a gray patch's largest drop lies on the background: it adds a stroke."""
    from coursesite.quiz import _checked

    params, images, labels = network()
    index = first_correct(params, images, labels, digit)
    image = images[index]
    gray = occlusion_map(params, image, digit, value=0.5)
    black = occlusion_map(params, image, digit)
    a, b = np.unravel_index(gray.argmax(), gray.shape)
    corners = occlusion_corners()
    row, col = int(corners[a]), int(corners[b])
    ink = float(image[row : row + 6, col : col + 6].mean())
    if ink >= 0.05:
        raise ValueError(f"gray-patch: the gray patch's largest drop lies on ink ({ink:.2f}); reword it")
    return _checked(
        {
            "id": "gray-patch",
            "kind": "choice",
            "prompt": (
                f"Covering held-out digit No. {index}, a {digit}, with a middle-gray 6×6 patch (0.5) "
                f"lowers its score most, by {gray.max():.1f}, when the patch's top-left corner is at "
                f"row {row}, column {col}. The mean ink under that patch is {ink:.2f}. Why does that "
                "patch lower the score?"
            ),
            "choices": [
                {"value": "adds-stroke", "label": "The gray square adds ink where there was none."},
                {"value": "hides-ink", "label": "It hides part of the digit's strokes."},
                {"value": "needs-corner", "label": "The network needs that empty area to be empty."},
                {"value": "gray-background", "label": "Gray is the background value, so nothing changed."},
            ],
            "answer": "adds-stroke",
            "mistakes": [
                {
                    "value": "hides-ink",
                    "hint": f"The mean ink under that patch is {ink:.2f}: there is almost nothing to hide.",
                },
                {
                    "value": "needs-corner",
                    "hint": (
                        "Partly true, but what changed there? A black patch at the same place, which adds "
                        f"nothing, lowers the score by only {black[a, b]:.1f}."
                    ),
                },
                {
                    "value": "gray-background",
                    "hint": "The digits' background is 0, black; middle gray is 0.5.",
                },
            ],
            "hint": "Look at what was under the patch before it was covered.",
            "explanation": (
                f"On the black background a gray square is new ink: the network reads a stroke that was "
                f"not there (the score drops by {gray.max():.1f}; a black patch there lowers it by "
                f"{black[a, b]:.1f}). Occlusion should cover with the background value."
            ),
        }
    )


def saliency_meaning(index=0):
    """What a bright saliency pixel says: sensitivity, without a sign and not specific to the class."""
    from coursesite.quiz import _checked

    params, images, labels = network()
    image, label = images[index], int(labels[index])
    gradient = input_gradient(params, image, label)
    r, c = np.unravel_index(np.abs(gradient).argmax(), gradient.shape)
    g = float(gradient[r, c])
    blacked = image.copy()
    blacked[r, c] = 0.0
    logits = forward(params, np.stack([image, blacked])[..., None])[:, label]
    correlation = saved_numbers()["saliency_other_class_correlation"]
    direction = "lower" if g < 0 else "raise"
    return _checked(
        {
            "id": "saliency-meaning",
            "kind": "choice",
            "prompt": (
                f"The saliency map (|∂ score / ∂ pixel|) of held-out digit No. {index}, a {label}, is "
                f"brightest at row {r}, column {c}, where the pixel's value is {image[r, c]:.2f}. "
                "What can you conclude?"
            ),
            "choices": [
                {"value": "sensitive", "label": "A small change there moves the score more than elsewhere."},
                {"value": "raised", "label": "That pixel raised the score of the class the most."},
                {"value": "class-only", "label": "That pixel matters for this class and not the others."},
                {"value": "removal", "label": "Setting that pixel to 0 lowers the score the most."},
            ],
            "answer": "sensitive",
            "mistakes": [
                {
                    "value": "raised",
                    "hint": (
                        f"Saliency has no sign. There the gradient is {g:.2f}: brightening the pixel would "
                        f"{direction} the score."
                    ),
                },
                {
                    "value": "class-only",
                    "hint": (
                        "The saliency of the other classes is much like this one: over the first test "
                        f"digits the median rank correlation is {correlation}."
                    ),
                },
                {
                    "value": "removal",
                    "hint": (
                        "A gradient is a slope at this input, for small changes. Setting that pixel to 0 "
                        f"changes the score by {logits[1] - logits[0]:+.2f}."
                    ),
                },
            ],
            "hint": "The map is the absolute value of a derivative at this one input.",
            "explanation": (
                f"It says that the score is most sensitive to that pixel, for small changes: "
                f"|∂ score / ∂ pixel| = {abs(g):.2f} there, largest on the map. It does not say in which "
                "direction, nor what a large change would do."
            ),
        }
    )


def grad_cam_size():
    """The size of a Grad-CAM map on conv2: conv2's maps' size."""
    from coursesite.quiz import _checked

    params, images, _ = network()
    layers = forward_layers(params, images[:1, :, :, None])
    answer = layers["conv2"].shape[1]
    return _checked(
        {
            "id": "grad-cam-size",
            "kind": "size",
            "prompt": (
                "Grad-CAM on conv2 weights conv2's feature maps (after ReLU) by the mean gradient of the "
                "score over each map and adds them up. How large is the map it gives for one 28×28 input?"
            ),
            "answer": answer,
            "mistakes": [
                {
                    "value": layers["input"].shape[1],
                    "hint": "That is the input. conv2 works on pool1's maps, which are already pooled once.",
                },
                {
                    "value": layers["pool2"].shape[1],
                    "hint": "That is after the second pooling, pool2. Grad-CAM uses conv2's maps, before it.",
                },
                {
                    "value": len(occlusion_corners()),
                    "hint": "That is the occlusion map (6×6 patch, stride 2). Grad-CAM uses conv2's maps.",
                },
                {
                    "value": layers["conv2"].shape[-1],
                    "hint": "conv2 has that many maps; Grad-CAM adds them up into one map of their size.",
                },
            ],
            "hint": "Follow the sizes: 28×28 input, conv1 'same', 2×2 pooling, conv2 'same'.",
            "explanation": (
                f"conv1 keeps 28×28, pooling halves it to 14×14, conv2 ('same') keeps {answer}×{answer}: "
                "one Grad-CAM value per 2×2 input pixels, and each conv2 unit sees 8×8 pixels."
            ),
        }
    )


#: The methods offered in "sanity-check" (Grad-CAM left out: it passes too, and one answer is right).
SANITY_CHOICES = ("gradient", "gradient × input", "SmoothGrad", "integrated gradients", "occlusion")


def sanity_check():
    """Which method passes the model-randomisation check, from the build's numbers."""
    from coursesite.quiz import _checked

    numbers = saved_numbers()

    def stays(name):
        return numbers[f"sanity_{method_key(name)}_all"], numbers[f"sanity_{method_key(name)}_unrelated"]

    passing = [name for name in SANITY_CHOICES if numbers[f"sanity_{method_key(name)}_passes"] == "yes"]
    if len(passing) != 1:
        raise ValueError(f"sanity-check: {len(passing)} of the offered methods pass ({passing}); reword it")
    (answer,) = passing
    return _checked(
        {
            "id": "sanity-check",
            "kind": "choice",
            "prompt": (
                "The sanity check re-initialises every layer of the network and compares each method's map "
                "with the trained network's. Which of these methods passes on this network: after every "
                "layer is re-initialised, its map is no more like the trained map than the trained maps "
                "of two different digits are like each other?"
            ),
            "choices": [{"value": name, "label": name} for name in SANITY_CHOICES],
            "answer": answer,
            "mistakes": [
                {
                    "value": name,
                    "hint": (
                        f"{name}: its median rank correlation with the trained map is still {stays(name)[0]} "
                        f"with every layer re-initialised, above the {stays(name)[1]} of two different "
                        "digits' maps."
                        + (
                            " It multiplies by the digit, so it keeps showing the ink."
                            if "×" in name or "integrated" in name
                            else ""
                        )
                    ),
                }
                for name in SANITY_CHOICES
                if name != answer
            ],
            "hint": "Which maps multiply by the input, or depend on where the ink is, whatever the weights?",
            "explanation": (
                f"{answer}: {stays(answer)[0]} with every layer re-initialised, at most the "
                f"{stays(answer)[1]} of two different digits. On this network {numbers['sanity_pass']} pass."
            ),
        }
    )


#: The rankings offered in "deletion-best".
DELETION_CHOICES = ("gradient", "SmoothGrad", "Grad-CAM", "occlusion", "random order")


def deletion_best():
    """Which ranking makes the probability fall fastest when its pixels are deleted, from the numbers."""
    from coursesite.quiz import _checked

    numbers = saved_numbers()
    areas = {name: float(numbers[f"deletion_area_{method_key(name)}"]) for name in DELETION_CHOICES}
    answer = min(areas, key=areas.get)
    if answer != numbers["deletion_best"]:
        raise ValueError(f"deletion-best: the best offered ranking {answer!r} is not the best; reword it")
    return _checked(
        {
            "id": "deletion-best",
            "kind": "choice",
            "prompt": (
                "Deletion sets a digit's pixels to 0 in the order a map ranks them and follows the "
                "probability of the true class. Which ranking makes it fall fastest (the smallest area "
                "under the curve) on this network?"
            ),
            "choices": [{"value": name, "label": name} for name in DELETION_CHOICES],
            "answer": answer,
            "mistakes": [
                {
                    "value": name,
                    "hint": (
                        f"{name}: area {numbers[f'deletion_area_{method_key(name)}']}, against "
                        f"{numbers[f'deletion_area_{method_key(answer)}']} for the fastest."
                        + (" A random order is the reference." if name == "random order" else "")
                    ),
                }
                for name in DELETION_CHOICES
                if name != answer
            ],
            "hint": "Which map was made by the same operation the curve uses, setting pixels to 0?",
            "explanation": (
                f"{answer}, area {numbers[f'deletion_area_{method_key(answer)}']}: it was made by setting "
                "patches to 0, the operation deletion repeats. The order of all six is "
                f"{numbers['deletion_order']}."
            ),
        }
    )


BUILDERS = {
    "conv2-receptive-field": conv2_receptive_field,
    "blank-occlusion-map": blank_occlusion_map,
    "gray-patch": gray_patch,
    "saliency-meaning": saliency_meaning,
    "grad-cam-size": grad_cam_size,
    "sanity-check": sanity_check,
    "deletion-best": deletion_best,
}
