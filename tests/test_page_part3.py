"""Part 3's techniques and edge sections: every figure present, every stated number recomputed here."""

import inspect
import re
from urllib.parse import urlparse

import numpy as np
import pytest
from bs4 import BeautifulSoup
from PIL import Image
from scipy import stats
from support.pages import check_alt_texts, figure_text_size

from convviz.activation_maximization import class_models, class_scores
from convviz.attribution import (
    DELETION_FRACTION,
    deletion_check,
    hidden_by_softmax,
    input_gradient,
    logit_gradients,
    probabilities,
)
from convviz.attribution_checks import CASCADE, METHODS, area_under, deletion_insertion, randomised
from convviz.attribution_methods import SMOOTHGRAD_SEED, integrated_gradients, smoothgrad
from convviz.convolution import correlate2d
from convviz.drawn_digits import drawings
from convviz.edge_learning import (
    PHOTOGRAPHS,
    coherence,
    grayscale_photo,
    learn_ica_filters,
    learn_kernel,
    phase_randomised,
    random_filters,
    sample_patches,
)
from convviz.kernels import KERNELS
from convviz.seeded_random import SeededRandom
from convviz.tiny_cnn import (
    as_input,
    forward,
    forward_layers,
    init_parameters,
    softmax,
    train,
    trained_network,
)
from coursesite.paths import GENERATED_DIR

PAGE = "module_9_2_2/trained_network.html"
FIGURE_NAMES = (
    "part3_feature_maps.png",
    "part3_top_activations.png",
    "part3_occlusion.png",
    "part3_saliency.png",
    "part3_methods.png",
    "part3_sanity_maps.png",
    "part3_sanity_curves.png",
    "part3_deletion_insertion.png",
    "part3_fooling.png",
    "part3_class_models.png",
    "part3_confusion_matrix.png",
    "part3_mistakes.png",
    "part3_learning_sobel.png",
    "part3_ica_filters.png",
    "part3_twelve_feature_maps.png",
    "part3_drawn_digits.png",
    "part3_two_seeds.svg",
)


@pytest.fixture(scope="module")
def page_html(site):
    return (site / PAGE).read_text()


@pytest.fixture(scope="module")
def text(page_html):
    return " ".join(BeautifulSoup(page_html, "html.parser").get_text(" ").split())


@pytest.fixture(scope="module")
def numbers():
    """Every substitution the part 3 scripts saved, {key: value}."""
    values = {}
    for path in GENERATED_DIR.glob("part3_*_numbers.txt"):
        for line in path.read_text().splitlines():
            key, value = re.fullmatch(r"\.\. \|(\w+)\| replace:: (.*)", line).groups()
            values[key] = value
    return values


@pytest.fixture(scope="module")
def network():
    params, _, _, (_, _, test_x, test_y) = trained_network()
    return params, as_input(test_x)[..., 0], test_y


def test_every_figure_is_on_the_page_with_a_description(site, page_html):
    soup = BeautifulSoup(page_html, "html.parser")
    images = {urlparse(img["src"]).path.rsplit("/", 1)[-1]: img for img in soup.select("img")}
    for name in FIGURE_NAMES:
        assert name in images, name
        assert len(images[name].get("alt", "")) > 80, name
        assert images[name].find_parent("figure").select_one("figcaption").get_text(strip=True)
        assert (site / "_images" / name).is_file()


def test_alt_texts_count_the_panels_and_name_shown_sizes(site, page_html):
    soup = BeautifulSoup(page_html, "html.parser")
    assert check_alt_texts(site, soup) == len(FIGURE_NAMES)


def test_no_substitution_is_left_unresolved(text):
    assert not re.search(r"\|\w+\|", text)


def percent_of(value):
    """0.1 from the page's "10 %"."""
    return float(value.removesuffix(" %")) / 100


def test_deletion_check_numbers_are_what_the_code_computes(network, numbers, text):
    params, images, labels = network
    fraction = percent_of(numbers["deletion_share"])
    assert (
        fraction == DELETION_FRACTION
        and inspect.signature(deletion_check).parameters["fraction"].default == fraction
    )
    drops = deletion_check(params, images, labels, fraction=fraction, repeats=1)
    assert numbers["deletion_salient"] == f"{drops['salient']:.3f}"
    assert numbers["deletion_random"] == f"{drops['random']:.3f}"
    assert numbers["deletion_random_ink"] == f"{drops['random_ink']:.3f}"
    assert (
        f"{numbers['deletion_share']} most salient pixels lowers it on average by {drops['salient']:.3f}"
        in text
    )
    assert f"{numbers['deletion_share']} random pixels lowers it on average by {drops['random']:.3f}" in text
    assert f"(pixels brighter than 0) lowers it on average by {drops['random_ink']:.3f}" in text
    assert f"sets the {round(fraction * 784)} pixels ({numbers['deletion_share']})" in text
    assert f"in each of the {len(labels)} test digits" in text


def test_occlusion_numbers_are_what_the_code_computes(network, numbers, text):
    """The black and the gray patch's largest drops of the score, recomputed by a direct loop."""
    params, images, labels = network
    predicted = probabilities(params, images).argmax(axis=1)
    stride = int(numbers["occlusion_stride"])
    score_drop, probability_drop = (
        float(numbers["hidden_score_drop"]),
        float(numbers["hidden_probability_drop"]),
    )
    hidden, positions = 0, 0
    for digit in (0, 4, 7, 3):
        index = int(np.flatnonzero((labels == digit) & (predicted == digit))[0])
        image = images[index]
        for name, value in (("black", 0.0), ("gray", 0.5)):
            drops, ink = np.empty((12, 12)), np.empty((12, 12))
            probability_drops = np.empty((12, 12))
            base = forward(params, image[None, :, :, None])[0]
            for a, i in enumerate(range(0, 23, stride)):
                for b, j in enumerate(range(0, 23, stride)):
                    covered = image.copy()
                    covered[i : i + 6, j : j + 6] = value
                    after = forward(params, covered[None, :, :, None])[0]
                    drops[a, b] = base[digit] - after[digit]
                    probability_drops[a, b] = softmax(base[None])[0, digit] - softmax(after[None])[0, digit]
                    ink[a, b] = image[i : i + 6, j : j + 6].mean()
            best = np.unravel_index(drops.argmax(), drops.shape)
            assert numbers[f"occlusion_{name}_{digit}_drop"] == f"{drops.max():.1f}"
            assert numbers[f"occlusion_{name}_{digit}_ink"] == f"{ink[best]:.2f}"
            if name == "black":
                hidden += int(np.sum((drops > score_drop) & (probability_drops < probability_drop)))
                assert np.array_equal(
                    hidden_by_softmax(drops, probability_drops), (drops > 1) & (probability_drops < 0.01)
                )
                positions += drops.size
                if digit == 0:
                    assert numbers["occlusion_0_probability_drop"] == f"{probability_drops[best]:.2f}"
    assert (numbers["occlusion_hidden"], numbers["occlusion_positions"]) == (str(hidden), str(positions))
    assert f"of the {positions} patch positions of the four digits below, {hidden} lower the score" in text
    assert (
        f"lower the score by more than {numbers['hidden_score_drop']} but the probability by less than"
        in text
    )
    assert f"the map is coarse, one value per {stride} pixels" in text
    assert (
        f"its largest drop is {numbers['occlusion_black_0_drop']}, yet its probability falls by only" in text
    )


def test_sanity_check_and_curve_numbers_of_the_gradient_are_what_the_code_computes(network, numbers, text):
    """The gradient's row of both tables recomputed (ranks by SciPy), every row's verdict from its numbers."""
    params, images, labels = network
    count = int(numbers["checked_digits"])
    images, labels = images[:count], labels[:count]
    saliency = np.abs([input_gradient(params, x, int(c)) for x, c in zip(images, labels)])
    medians = []
    for _, layers in CASCADE[1:]:
        changed = randomised(params, init_parameters(), layers)
        other = np.abs([input_gradient(changed, x, int(c)) for x, c in zip(images, labels)])
        medians.append(np.median([stats.spearmanr(a.ravel(), b.ravel())[0] for a, b in zip(saliency, other)]))
    unrelated = np.median(
        [stats.spearmanr(saliency[n].ravel(), saliency[(n + 1) % count].ravel())[0] for n in range(count)]
    )
    found = [numbers[f"sanity_gradient_{stage}"] for stage in ("dense", "conv2", "all")]
    assert found == [f"{m:.2f}" for m in medians]
    assert numbers["sanity_gradient_unrelated"] == f"{unrelated:.2f}"
    assert numbers["sanity_gradient_passes"] == ("yes" if medians[-1] <= unrelated else "no")
    deletion, insertion = deletion_insertion(params, images, labels, saliency)
    assert numbers["deletion_area_gradient"] == f"{area_under(deletion).mean():.3f}"
    assert numbers["insertion_area_gradient"] == f"{area_under(insertion).mean():.3f}"
    for name in METHODS:
        key = name.replace(" × ", "_x_").replace(" ", "_").replace("-", "_").lower()
        row = " ".join(numbers[f"sanity_{key}_{s}"] for s in ("dense", "conv2", "all", "unrelated", "passes"))
        assert f"{name} {row}" in text, name
        passed = float(numbers[f"sanity_{key}_all"]) <= float(numbers[f"sanity_{key}_unrelated"])
        assert numbers[f"sanity_{key}_passes"] == ("yes" if passed else "no")
    assert f"On this network {numbers['sanity_pass']} pass; {numbers['sanity_fail']} do not." in text


def test_the_methods_settings_on_the_page_are_what_the_code_does(network, numbers, text):
    """SmoothGrad, integrated gradients and the deletion curve, with the page's settings, by loops."""
    params, images, labels = network
    image, label = images[0], int(labels[0])
    samples, noise = int(numbers["smoothgrad_samples"]), float(numbers["smoothgrad_noise"])
    # The documented noise, drawn here from the generator's uniforms: Box–Muller, cosine then sine.
    u = np.array(SeededRandom(SMOOTHGRAD_SEED).uniforms(samples * 28 * 28)).reshape(-1, 2)
    radius, angle = np.sqrt(-2.0 * np.log(1.0 - u[:, 0])), 2.0 * np.pi * u[:, 1]
    normals = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1).reshape(samples, 28, 28)
    copies = image + noise * normals
    # the gradient pass itself is checked against finite differences in test_attribution.py
    expected = logit_gradients(params, copies, np.full(samples, label)).mean(axis=0)
    np.testing.assert_allclose(smoothgrad(params, image, label), expected, atol=1e-10)
    assert f"over {samples} copies of the digit with random noise added (standard deviation {noise:g}" in text
    steps = int(numbers["ig_steps"])
    path = [(k + 0.5) / steps * image for k in range(steps)]
    expected = image * np.mean([input_gradient(params, point, label) for point in path], axis=0)
    np.testing.assert_allclose(integrated_gradients(params, image, label), expected, atol=1e-10)
    assert f"taken here at {steps} points of the path" in text
    assert f"with {numbers['ig_steps_fewer']} points the median is {numbers['ig_gap_median_fewer']}" in text
    # The deletion curve's first step: the page's number of pixels of highest score set to 0.
    per_step = int(numbers["curve_step_pixels"])
    scores = np.abs(input_gradient(params, image, label))
    deletion, _ = deletion_insertion(params, image[None], [label], scores[None])
    masked = image.ravel().copy()
    masked[np.argsort(-scores.ravel(), kind="stable")[:per_step]] = 0
    assert deletion.shape[1] - 1 == 784 // per_step
    assert deletion[0, 1] == pytest.approx(
        probabilities(params, masked.reshape(1, 28, 28))[0, label], abs=1e-12
    )
    assert f"in that order, {per_step} at a time" in text


def test_the_training_batch_on_the_page_is_trains(numbers, text):
    assert numbers["train_batch_size"] == str(inspect.signature(train).parameters["batch_size"].default)
    assert f"batches of {numbers['train_batch_size']}, Adam" in text


def test_drawn_digit_and_data_set_ranges_are_what_the_code_measures(numbers, text):
    """The drawings' heights and centred group, from the drawings; the shifted test digits' accuracy."""
    found = drawings("test")
    low, high = round(min(d.height for d in found)), round(max(d.height for d in found))
    assert f"{low} to {high} cells tall, anywhere in the grid" in text
    within = float(numbers["drawn_centred_within"])
    for drawn in found:
        centred = all(abs(c - 14) <= within for c in drawn.centre)
        assert (drawn.position_group == "centred") == centred
    assert f"centred (within {numbers['drawn_centred_within']} cells of the middle)" in text
    params, _, _, (_, _, test_x, test_y) = trained_network()
    for step in (1, 2, 3):
        pixels = int(numbers[f"shift_{step}_pixels"])
        moved = np.zeros_like(test_x)
        moved[:, :, pixels:] = test_x[:, :, :-pixels]
        right = (forward(params, as_input(moved)).argmax(axis=1) == test_y).mean()
        assert numbers[f"shift_{step}_accuracy"] == f"{100 * right:.1f} %"
    assert (
        f"moved right by {numbers['shift_1_pixels']} pixels the network reads {numbers['shift_1_accuracy']}"
        in text
    )
    low, high = int(numbers["data_zero_width_low"]), int(numbers["data_zero_width_high"])
    assert f"{numbers['data_zero_width_share']} of the zeros are between {low} and {high} pixels wide" in text


def test_top9_edge_numbers_are_what_the_code_computes(network, numbers, text):
    """How many of each filter's nine boxes the top or bottom edge cuts, from conv2 by direct search."""
    params, images, _ = network
    conv2 = forward_layers(params, images[..., None])["conv2"]
    counts = []
    for f in range(8):
        best = conv2[..., f].reshape(len(images), -1).max(axis=1)
        top9 = np.argsort(-best, kind="stable")[:9]
        rows = [np.unravel_index(conv2[n, :, :, f].argmax(), (14, 14))[0] for n in top9]
        # Unit row i sees input rows 2i − 3 … 2i + 4: cut by the top for i < 2, by the bottom for i > 11.
        counts.append(sum(1 for i in rows if i < 2 or i > 11))
    assert numbers["top9_edge_total"] == str(sum(counts))
    mostly = [f + 1 for f, count in enumerate(counts) if count >= 5]
    assert numbers["top9_edge_filters"].replace(" and ", ", ").split(", ") == [str(f) for f in mostly]
    assert f"Of all 72 boxes, {sum(counts)} ({100 * sum(counts) / 72:.0f} %) are cut" in text
    assert "against 29 % of the positions of the map (4 of 14 rows)" in text


def test_fooling_numbers_are_what_the_code_computes(numbers, text):
    """Five digit-target pairs recomputed: the change reaches the target, one step less does not."""
    from convviz.fooling import fool_towards

    params, _, _, (_, _, test_x, test_y) = trained_network()
    largest = int(numbers["fooling_largest_steps"])
    for index, target in [(0, 1), (1, 7), (2, 0), (5, 3), (9, 4)]:
        found = fool_towards(params, test_x[index], target)
        assert found["reached"] and 1 <= found["steps"] <= largest
        assert forward(params, (found["image"] / 255.0)[None, :, :, None])[0].argmax() == target
        assert not fool_towards(params, test_x[index], target, max_steps=found["steps"] - 1)["reached"]
    pairs = int(numbers["checked_digits"]) * 9
    assert numbers["fooling_pairs"] == str(pairs)
    assert f"as the target ({pairs} pairs), the steps reach the target in" in text
    assert (
        f"{numbers['fooling_within_few']} of the pairs need at most {numbers['fooling_few_steps']}, and"
        in text
    )


def test_mistake_numbers_are_what_the_code_computes(network, text):
    params, images, labels = network
    predicted = probabilities(params, images).argmax(axis=1)
    wrong = predicted != labels
    assert f"gets {wrong.sum()} of the {len(labels)} held-out digits wrong" in text
    assert f"(accuracy {100 * (1 - wrong.mean()):.1f} %)" in text
    answers = np.bincount(predicted[wrong], minlength=10)
    if answers.max() > 1:
        assert f"most common wrong answer is {answers.argmax()} ({answers.max()} of the mistakes)" in text
    else:
        assert "no wrong answer comes up more than once" in text


def test_class_model_numbers_are_what_the_code_computes(network, numbers, text):
    params = network[0]
    steps, rate = int(numbers["class_model_steps"]), float(numbers["class_model_rate"])
    l2, blur = float(numbers["class_model_l2"]), float(numbers["class_model_blur"])
    every = int(numbers["class_model_blur_every"])
    assert f"for {steps} steps" in text and f"(step size {rate:g})" in text
    assert f"a penalty {l2:g} · ‖x‖²" in text and f"width {blur:g} pixel every {every} steps" in text
    for name, options in (
        ("plain", {}),
        ("regularized", {"l2": l2, "blur_sigma": blur, "blur_every": every}),
    ):
        logits, probs = class_scores(params, class_models(params, steps=steps, rate=rate, **options))
        assert numbers[f"class_model_{name}_min_probability"] == f"{probs.min():.4f}"
        assert numbers[f"class_model_{name}_logit_range"] == f"{logits.min():.0f} to {logits.max():.0f}"
        assert f"{logits.min():.0f} to {logits.max():.0f}" in text
    _, images, labels = network
    own = forward(params, images[..., None])[np.arange(len(labels)), labels]
    assert (
        f"no held-out digit scores more than {own.max():.0f} for its own class (median {np.median(own):.0f})"
        in text
    )


def test_sobel_numbers_are_what_the_code_computes(numbers, text):
    photos = [grayscale_photo(name) for name in ("camera", "astronaut")]
    targets = [correlate2d(photo, KERNELS["sobel_x"]) for photo in photos]
    steps = int(numbers["sobel_steps"].replace(",", ""))
    kernel, history = learn_kernel(photos, targets, steps=steps)
    difference = np.abs(kernel - KERNELS["sobel_x"]).max()
    assert numbers["sobel_max_difference"] == f"{difference:.4f}"
    assert difference < 0.05
    assert f"falls from {history['loss'][0]:.3f} to {history['loss'][-1]:.1e}" in text
    assert f"Sobel X is {difference:.4f}" in text
    assert f"over all {sum(t.size for t in targets):,} output pixels" in text


def test_oriented_filter_counts_are_what_the_code_computes(numbers, text):
    """The threshold is the largest random filter's coherence; the control is the same ICA on the
    photographs with their phases randomised."""
    photos = [grayscale_photo(name) for name in PHOTOGRAPHS]
    count = int(numbers["ica_patches"].replace(",", ""))
    components = int(numbers["ica_components"])
    random_count = int(numbers["random_filter_count"].replace(",", ""))
    threshold = coherence(random_filters(random_count, 8, seed=0)).max()
    assert numbers["ica_threshold"] == f"{threshold:.3f}"
    filters = learn_ica_filters(sample_patches(photos, count, 8, seed=0), components, seed=0)
    oriented = int((coherence(filters) > threshold).sum())
    controls = [phase_randomised(photo, seed=k) for k, photo in enumerate(photos)]
    control = learn_ica_filters(sample_patches(controls, count, 8, seed=0), components, seed=0)
    control_oriented = int((coherence(control) > threshold).sum())
    assert (numbers["ica_oriented"], numbers["control_oriented"]) == (str(oriented), str(control_oriented))
    assert oriented >= 2 * control_oriented
    assert f"none has a coherence above {threshold:.3f}" in text
    assert f"{control_oriented} of its {components} filters pass the same threshold" in text
    assert f"against {oriented} from the photographs" in text


def test_phase_randomising_keeps_the_power_spectrum_and_removes_the_edges():
    photo = grayscale_photo(PHOTOGRAPHS[0])
    control = phase_randomised(photo, seed=3)
    assert control.shape == photo.shape and np.isrealobj(control)
    spectrum = np.abs(np.fft.fft2(photo))
    np.testing.assert_allclose(np.abs(np.fft.fft2(control)), spectrum, atol=1e-6 * spectrum.max())
    # The same spectrum, other pixels: hardly correlated with the photograph, and other seeds differ.
    assert abs(np.corrcoef(photo.ravel(), control.ravel())[0, 1]) < 0.2
    assert not np.allclose(control, phase_randomised(photo, seed=4))
    with pytest.raises(ValueError, match="^image "):
        phase_randomised(np.zeros(5))


def test_structure_tensor_and_coherence_are_typeset_as_math(page_html, text):
    """The formulas are KaTeX (MathML rendered at build time), not text with <sub>; no machine-bound time."""
    soup = BeautifulSoup(page_html, "html.parser")
    start = next(p for p in soup.find_all("p") if "To count how many are oriented" in p.get_text())
    section = [start]
    for sibling in start.find_next_siblings():
        if sibling.name == "figure" or sibling.find("figure"):
            break
        section.append(sibling)
    assert not any(part.find("sub") for part in section)
    tex = [a.get_text() for part in section for a in part.select('annotation[encoding="application/x-tex"]')]
    assert {"g_x", "g_y", r"\lambda_1 \ge \lambda_2"} <= set(tex)
    assert any(r"\begin{bmatrix} g_x^2 & g_x g_y \\ g_x g_y & g_y^2 \end{bmatrix}" in t for t in tex)
    assert r"c = \frac{\lambda_1 - \lambda_2}{\lambda_1 + \lambda_2}" in tex
    displayed = [part for part in section if part.name == "div" and "math" in part.get("class", [])]
    assert len(displayed) == 2 and all(part.find("math", display="block") for part in displayed)
    assert "couple of seconds" not in text


#: Figures drawn for the wide column whose text must stay readable on a phone: (page, file).
# An SVG's text is drawn at its own size in points, however it is shown (the 460-px kernel tables).
READABLE_FIGURES = [(PAGE, name) for name in FIGURE_NAMES if not name.endswith(".svg")] + [
    ("module_9_2_2/inside_a_conv_layer.html", "learned_feature_maps.png")
]


def test_every_figure_records_its_smallest_text_and_its_width(site):
    for _, name in READABLE_FIGURES:
        path = site / "_images" / name
        recorded = figure_text_size(path)
        assert recorded is not None, f"{name} records no font size"
        font_px, width_px = recorded
        with Image.open(path) as image:
            assert image.width == width_px, name
        assert font_px > 0, name


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1280])
def test_figure_text_shows_at_12_css_px_or_more(site, server, browser, width):
    """Smallest text × shown width / file width, measured in Chromium, and no page-wide scrolling."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        for address in sorted({address for address, _ in READABLE_FIGURES}):
            page.goto(server + address)
            shown = page.evaluate(
                """() => Object.fromEntries([...document.querySelectorAll('figure img')].map(
                       img => [img.src.split('/').pop(), img.getBoundingClientRect().width]))"""
            )
            for _, name in (item for item in READABLE_FIGURES if item[0] == address):
                font_px, width_px = figure_text_size(site / "_images" / name)
                css_px = font_px * shown[name] / width_px
                assert css_px >= 12, f"{name} at {width} px: smallest text {css_px:.1f} CSS px"
            overflow = page.evaluate("() => document.scrollingElement.scrollWidth")
            assert overflow <= width, f"{address} scrolls sideways at {width} px ({overflow} px wide)"
    finally:
        context.close()


# ---------------------------------------------------------------- exercise 5


@pytest.fixture(scope="module")
def exercise5(site, page_html):
    soup = BeautifulSoup(page_html, "html.parser")
    return soup.find(id="exercise-5-write-an-occlusion-map")


def test_exercise_5_comes_before_the_references_with_its_downloads_and_dropdowns(site, page_html, exercise5):
    from conftest import DOWNLOADS

    assert exercise5 is not None and exercise5.find_next("section")["id"] == "references"
    titles = [" ".join(d.select_one("summary").get_text(" ").split()) for d in exercise5.select("details")]
    assert titles == ["Hint 1: how many positions", "Hint 2: one position", "Solution"]
    soup = BeautifulSoup(page_html, "html.parser")
    links = {a["href"].rsplit("/", 1)[-1]: a["href"] for a in soup.select("a[href]")}
    for name in ("occlusion_starter.py", "occlusion_solution.py"):
        assert (site / "module_9_2_2" / links[name]).resolve().read_bytes() == (DOWNLOADS / name).read_bytes()
    assert (site / "module_9_2_2" / links["exercise5.zip"]).resolve().is_file()


def test_exercise_5_prose_names_the_emphasized_lines_of_the_solution():
    from support.pages import emphasized_blocks, function_lines, named_lines

    from coursesite.paths import ROOT

    blocks = list(emphasized_blocks(ROOT / "docs" / "module_9_2_2" / "trained_network.rst"))
    (block,) = [b for b in blocks if b[1] == "occlusion_map"]
    assert block[0] == "occlusion_solution.py" and named_lines(block[3]) == block[2]
    lines = function_lines("occlusion_solution.py", "occlusion_map")
    assert "out_rows = (rows - patch) // stride + 1" in lines[10] and "out_cols" in lines[11]
    assert "score = forward(image)[label]" in lines[12]
    assert "covered = image.copy()" in lines[16]
    assert lines[17].strip().endswith("= fill") and "score - forward(covered)[label]" in lines[18]


def test_exercise_5_states_the_solutions_defaults(exercise5):
    import inspect

    from convviz.downloads import load_download

    solution = load_download("occlusion_solution")
    defaults = {k: v.default for k, v in inspect.signature(solution.occlusion_map).parameters.items()}
    said = " ".join(exercise5.get_text(" ").split())
    assert "occlusion_map(image, forward, label, patch=6, stride=2, fill=0.0)" in said
    assert (defaults["patch"], defaults["stride"], defaults["fill"]) == (6, 2, 0.0)
    digits = load_download("occlusion_maps").DIGITS
    assert tuple(digits) == (0, 1, 2) and "maps test digits 0, 1 and 2" in said
    assert "the 2×2 pixels at the centre of its 6×6 patch" in said


def test_the_score_and_probability_numbers_are_a_direct_loops(exercise5):
    """Recomputed here: a plain loop over the 12 × 12 corners, the vectorized network, SciPy's softmax."""
    from scipy.special import softmax

    from convviz.tiny_cnn import load_weights
    from coursesite.network_data import weights_path

    weights = load_weights(weights_path())
    images, labels = weights["test_images"] / 255.0, weights["test_labels"]

    def scores(image):
        return forward(weights, image[None, :, :, None])[0]

    found = []
    for number in (0, 1, 2):
        image, label = images[number], int(labels[number])
        base, base_p = scores(image)[label], softmax(scores(image))[label]
        drops, p_drops = np.empty((12, 12)), np.empty((12, 12))
        for a, top in enumerate(range(0, 23, 2)):
            for b, left in enumerate(range(0, 23, 2)):
                covered = image.copy()
                covered[top : top + 6, left : left + 6] = 0.0
                drops[a, b] = base - scores(covered)[label]
                p_drops[a, b] = base_p - softmax(scores(covered))[label]
        hidden = (drops > 1) & (p_drops < 0.01)
        found.append((int(hidden.sum()), number, label, base_p, drops[hidden].max() if hidden.any() else 0))
    count, number, label, probability, largest = max(found, key=lambda entry: entry[0])
    said = " ".join(exercise5.get_text(" ").split())
    shown = f"{probability:.4f}" if probability < 0.9999 else "more than 0.9999"
    assert (
        f"Test digit {number} (a {label}, probability {shown}): {count} of its 144 patch positions lower its "
        f"score by more than 1, by up to {largest:.2f}, but its probability by less than 0.01" in said
    )


def test_the_captured_output_and_picture_are_what_the_download_writes(site, tmp_path):
    """The build ran the solution with convviz's fast network; the real download, loops and all, agrees."""
    from conftest import DOWNLOADS, run_script

    from coursesite.network_data import weights_path

    result = run_script(DOWNLOADS / "occlusion_solution.py", "--weights", str(weights_path()), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    captured = (GENERATED_DIR / "occlusion_solution_output.txt").read_text()
    assert captured == "$ python occlusion_solution.py\n" + result.stdout
    assert (tmp_path / "occlusion_maps.png").read_bytes() == (
        site / "_images" / "occlusion_maps.png"
    ).read_bytes()
