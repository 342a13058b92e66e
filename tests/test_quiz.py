"""The check-your-understanding questions: answers and hints against independent computations,
the questions in the built pages, and answering each one right, wrong and unreadably in Chromium."""

import html
import json
import math
import re

import numpy as np
import pytest
from conftest import HTML
from scipy import signal
from support.browser import switch_theme
from support.reused_page import KeptPage

from convviz.kernels import KERNELS
from convviz.tiny_cnn import forward_layers, load_weights
from coursesite import quiz, quiz_part3
from coursesite.network_data import weights_path

PAGES = {
    "module_9_2_2/index.html": ["valid-output-size", "one-output-cell", "which-kernel"],
    "module_9_2_2/inside_a_conv_layer.html": [
        "padded-strided-size",
        "conv2-parameters",
        "pooled-size",
        "most-weights",
    ],
    "module_9_2_2/trained_network.html": list(quiz_part3.PART3_IDS),
}
SCREENSHOTS = HTML.parent / "screenshots"


def positions(n, f, padding, stride):
    """How many places a window of f fits in n padded by padding on both sides, stepping by stride."""
    return len(range(0, n + 2 * padding - f + 1, stride))


def loop_correlate(image, kernel):
    """Valid cross-correlation by four plain loops."""
    rows, cols = image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            for u in range(kernel.shape[0]):
                for v in range(kernel.shape[1]):
                    out[i, j] += image[i + u, j + v] * kernel[u, v]
    return out


def mistake_values(question):
    return [m["value"] for m in question["mistakes"]]


# -- The computed answers and hints ---------------------------------------------------------


def test_every_question_has_distinct_answers_and_hints():
    for qid in quiz.QUESTION_IDS:
        question = quiz.question(qid)
        assert question["id"] == qid
        values = [question["answer"], *mistake_values(question)]
        assert len(set(values)) == len(values), qid
        assert question["mistakes"] and all(m["hint"] for m in question["mistakes"])
        assert question["hint"] and question["explanation"]
        if question["kind"] == "choice":
            offered = {c["value"] for c in question["choices"]}
            assert set(values) == offered, qid  # every wrong choice has its own hint


def test_unknown_question_is_a_clear_error():
    with pytest.raises(ValueError, match="question_id"):
        quiz.question("no-such-question")


def test_a_question_is_computed_once_and_part_3_again_when_the_weights_file_changes(tmp_path, monkeypatch):
    """Questions are kept per process; part 3's are computed from the weights file, so a new file
    (the build writes it) gives them again. Each caller gets its own copy."""
    import os

    from coursesite import network_data

    weights = tmp_path / "weights.npz"
    weights.write_bytes(b"first")
    monkeypatch.setattr(network_data, "weights_path", lambda: weights)
    calls = []
    for qid in ("valid-output-size", quiz_part3.PART3_IDS[0]):
        monkeypatch.setitem(quiz.BUILDERS, qid, lambda qid=qid: calls.append(qid) or {"id": qid, "n": [1]})
    quiz._built.cache_clear()
    try:
        for _ in range(2):
            for qid in ("valid-output-size", quiz_part3.PART3_IDS[0]):
                quiz.question(qid)["n"].append(2)  # changes the caller's copy only
                assert quiz.question(qid)["n"] == [1]
        assert calls == ["valid-output-size", quiz_part3.PART3_IDS[0]]
        weights.write_bytes(b"second file")
        os.utime(weights, ns=(1, 1))
        quiz.question("valid-output-size")
        quiz.question(quiz_part3.PART3_IDS[0])
        assert calls == ["valid-output-size", quiz_part3.PART3_IDS[0], quiz_part3.PART3_IDS[0]]
    finally:
        quiz._built.cache_clear()


def test_valid_output_size_counts_the_positions():
    question = quiz.valid_output_size(30, 5)
    assert question["answer"] == positions(30, 5, 0, 1) == 26
    image = np.zeros((30, 30))
    assert signal.correlate2d(image, np.ones((5, 5)), mode="valid").shape == (26, 26)
    assert signal.correlate2d(image, np.ones((5, 5)), mode="full").shape[0] in mistake_values(question)
    assert positions(30, 3, 0, 1) in mistake_values(question)  # a 3×3 kernel's size
    assert 30 in mistake_values(question) and 30 - 5 in mistake_values(question)


def test_padded_strided_size_counts_the_positions():
    question = quiz.padded_strided_size(32, 5, 2, 2)
    assert question["answer"] == positions(32, 5, 2, 2)
    values = mistake_values(question)
    assert (32 - 5 + 4) / 2 + 1 in values and not float((32 - 5 + 4) / 2).is_integer()
    assert math.ceil((32 - 5 + 4) / 2) + 1 in values
    assert positions(32, 5, 0, 2) in values
    assert positions(32, 5, 2, 1) in values
    assert positions(32, 5, 2, 2) - 1 in values


def test_pooled_size_counts_the_windows():
    question = quiz.pooled_size(27, 2, 2)
    answer = question["answer"]
    pooled = np.arange(27 * 27.0).reshape(27, 27)[: answer * 2, : answer * 2].reshape(answer, 2, answer, 2)
    assert pooled.max(axis=(1, 3)).shape == (answer, answer)
    assert answer == positions(27, 2, 0, 2) == 27 // 2
    assert set(mistake_values(question)) == {13.5, 14, positions(27, 2, 0, 1)}


def test_one_output_cell_against_scipy_and_loops():
    question = quiz.one_output_cell(1, 2)
    image = np.array(question["grids"][0]["values"])
    kernel = np.array(question["grids"][1]["values"])
    assert np.array_equal(kernel, KERNELS["sobel_x"])
    expected = signal.correlate2d(image, kernel, mode="valid")
    assert np.allclose(loop_correlate(image, kernel), expected)
    assert question["answer"] == pytest.approx(expected[1, 2], abs=1e-12)
    assert question["answer"] == pytest.approx(np.sum(image[1:4, 2:5] * kernel), abs=1e-12)
    values = mistake_values(question)
    convolved = signal.convolve2d(image, kernel, mode="valid")  # the flipped kernel
    assert convolved[1, 2] in values
    assert np.sum(image[0:3, 1:4] * kernel) in values  # window centred on image[1, 2]
    assert expected[2, 1] in values  # rows and columns swapped
    assert "out[1, 2]" in question["prompt"]
    listed = re.search(r"row by row: ([^;]+);", question["explanation"]).group(1)
    products = [float(t.replace("−", "-")) for t in listed.split(", ")]
    assert products == list((image[1:4, 2:5] * kernel).ravel())


def test_which_kernel_map_and_hints_against_scipy():
    question = quiz.which_kernel()
    image = np.array(question["grids"][0]["values"])
    shown = np.array(question["grids"][1]["values"])
    answer = question["answer"]
    assert np.allclose(shown, signal.correlate2d(image, KERNELS[answer], mode="valid"))
    # No other offered kernel makes the same map.
    for mistake in question["mistakes"]:
        other = signal.correlate2d(image, KERNELS[mistake["value"]], mode="valid")
        assert not np.allclose(other, shown)
        found = re.search(
            r"give (\S+) at row (\d+), column (\d+); the map shows (\S+) there", mistake["hint"]
        )
        would, row, col, shows = found.groups()
        row, col = int(row), int(col)
        would, shows = (float(t.replace("−", "-")) for t in (would, shows))
        assert would == pytest.approx(other[row, col], abs=1e-3)
        assert shows == pytest.approx(shown[row, col], abs=1e-3)


@pytest.fixture(scope="module")
def weights():
    path = weights_path()
    if not path.exists():
        pytest.fail("no weights file: run `make html` first")
    return load_weights(path)


def test_weight_questions_against_the_trained_network(weights):
    sizes = {name: weights[name].size for name in ("W1", "b1", "W2", "b2", "W3", "b3")}
    # The shapes a forward pass needs, independently: input channels, filters, flattened pool2, classes.
    layers = forward_layers(weights, np.zeros((1, 28, 28, 1)))
    c1, c2 = layers["conv1"].shape[-1], layers["conv2"].shape[-1]
    flat, classes = layers["pool2"][0].size, layers["logits"].shape[-1]
    assert sizes["W1"] == c1 * 3 * 3 * 1 and sizes["W2"] == c2 * 3 * 3 * c1 and sizes["W3"] == classes * flat

    question = quiz.conv2_parameters()
    assert question["answer"] == sizes["W2"] + sizes["b2"] == c2 * (3 * 3 * c1 + 1)
    assert set(mistake_values(question)) == {sizes["W2"], c2 * 9 + c2, c2 * 9, 3 * 3 * c1 + 1}

    question = quiz.most_weights()
    counts = {"conv1": sizes["W1"], "conv2": sizes["W2"], "dense": sizes["W3"]}
    assert question["answer"] == max(counts, key=counts.get) == "dense"
    for mistake in question["mistakes"]:
        assert f"{counts[mistake['value']]:,} weights" in mistake["hint"]
    assert f"= {counts['dense']:,} weights" in question["explanation"]


# -- Part 3: reading attribution maps -------------------------------------------------------


@pytest.fixture(scope="module")
def network(weights):
    params = {name: weights[name] for name in ("W1", "b1", "W2", "b2", "W3", "b3")}
    return params, weights["test_images"] / 255.0, weights["test_labels"]


def score(params, image, label):
    return float(forward_layers(params, image[None, :, :, None])["logits"][0, label])


def patch_drops(params, image, label, value, measure):
    """Occlusion by direct loops: (drops 12×12, mean ink under each patch) for a 6×6 patch of value."""
    drops, ink = np.empty((12, 12)), np.empty((12, 12))
    layers = forward_layers(params, image[None, :, :, None])
    base = layers[measure][0, label]
    for a, i in enumerate(range(0, 23, 2)):
        for b, j in enumerate(range(0, 23, 2)):
            covered = image.copy()
            covered[i : i + 6, j : j + 6] = value
            drops[a, b] = base - forward_layers(params, covered[None, :, :, None])[measure][0, label]
            ink[a, b] = image[i : i + 6, j : j + 6].mean()
    return drops, ink


def test_conv2_receptive_field_against_a_mask_grown_through_the_layers():
    from support.oracles import influence_box

    r0, r1, c0, c1 = influence_box("conv2", 7, 7)
    question = quiz.question("conv2-receptive-field")
    assert question["answer"] == r1 - r0 + 1 == c1 - c0 + 1 == 8
    assert f"input rows {r0} to {r1}" in question["explanation"]
    # Each mistake is a real miscount: the kernel alone, two stacked 3×3, pooling without conv1's
    # border, one pool1 unit (influence of pool1 unit: 4 pixels).
    p0, p1, _, _ = influence_box("pool1", 7, 7)
    assert set(mistake_values(question)) == {3, 5, 6, p1 - p0 + 1}


def test_blank_occlusion_map_numbers_by_direct_loops(network):
    params, images, labels = network
    question = quiz.question("blank-occlusion-map")
    index, label = (
        int(n) for n in re.search(r"Held-out digit No. (\d+), a (\d)", question["prompt"]).groups()
    )
    assert labels[index] == label
    probability_drops, _ = patch_drops(params, images[index], label, 0.0, "probabilities")
    score_drops, ink = patch_drops(params, images[index], label, 0.0, "logits")
    p = forward_layers(params, images[index][None, :, :, None])["probabilities"][0, label]
    assert probability_drops.max() < 0.01 < 3 < score_drops.max()
    assert (
        f"probability {p:.6f}" in question["prompt"]
        and f"(at most {probability_drops.max():.4f})" in question["prompt"]
    )
    assert f"by up to {score_drops.max():.1f}" in question["prompt"]
    background = next(m["hint"] for m in question["mistakes"] if m["value"] == "background")
    assert f"{ink.flat[score_drops.argmax()]:.2f} mean ink" in background


def test_gray_patch_numbers_by_direct_loops(network):
    params, images, labels = network
    question = quiz.question("gray-patch")
    index = int(re.search(r"held-out digit No. (\d+)", question["prompt"]).group(1))
    gray, ink = patch_drops(params, images[index], 7, 0.5, "logits")
    black, _ = patch_drops(params, images[index], 7, 0.0, "logits")
    a, b = np.unravel_index(gray.argmax(), gray.shape)
    assert (
        f"by {gray.max():.1f}, when the patch's top-left corner is at row {2 * a}, column {2 * b}"
        in question["prompt"]
    )
    assert f"The mean ink under that patch is {ink[a, b]:.2f}" in question["prompt"] and ink[a, b] < 0.05
    assert f"lowers the score by only {black[a, b]:.1f}" in " ".join(m["hint"] for m in question["mistakes"])


def test_saliency_meaning_by_finite_differences(network):
    params, images, labels = network
    question = quiz.question("saliency-meaning")
    r, c = (int(n) for n in re.search(r"row (\d+), column (\d+)", question["prompt"]).groups())
    image, label = images[0], int(labels[0])
    step = 1e-6
    bumped = [image.copy(), image.copy()]
    bumped[0][r, c] += step
    bumped[1][r, c] -= step
    slope = (score(params, bumped[0], label) - score(params, bumped[1], label)) / (2 * step)
    hints = {m["value"]: m["hint"] for m in question["mistakes"]}
    assert f"the gradient is {slope:.2f}" in hints["raised"]
    assert ("lower the score" if slope < 0 else "raise the score") in hints["raised"]
    blacked = image.copy()
    blacked[r, c] = 0.0
    assert (
        f"changes the score by {score(params, blacked, label) - score(params, image, label):+.2f}"
        in hints["removal"]
    )
    correlation = quiz_part3.saved_numbers()["saliency_other_class_correlation"]
    assert f"median rank correlation is {correlation}" in hints["class-only"]


def test_grad_cam_size_is_the_size_of_the_map_grad_cam_gives(network):
    from convviz.attribution_methods import grad_cam

    params, images, labels = network
    question = quiz.question("grad-cam-size")
    assert grad_cam(params, images[0], int(labels[0])).shape == (question["answer"],) * 2 == (14, 14)
    assert set(mistake_values(question)) == {28, 7, 12, 8}


def test_sanity_and_deletion_answers_follow_the_numbers_the_page_states():
    numbers = quiz_part3.saved_numbers()
    question = quiz.question("sanity-check")
    for name in quiz_part3.SANITY_CHOICES:
        key = quiz_part3.method_key(name)
        passes = float(numbers[f"sanity_{key}_all"]) <= float(numbers[f"sanity_{key}_unrelated"])
        assert passes == (name == question["answer"]), name
    question = quiz.question("deletion-best")
    areas = {
        n: float(numbers[f"deletion_area_{quiz_part3.method_key(n)}"]) for n in quiz_part3.DELETION_CHOICES
    }
    assert question["answer"] == min(areas, key=areas.get)


def question_texts(question):
    """Every sentence a question shows: prompt, choice labels, hints and explanation."""
    yield question["prompt"]
    yield from (choice["label"] for choice in question.get("choices", ()))
    yield from (mistake["hint"] for mistake in question["mistakes"])
    yield question["hint"]
    yield question["explanation"]


def test_numbers_of_four_digits_or_more_are_written_with_thousands_separators():
    """As the pages write them: 3,920, not 3920."""
    for qid in quiz.QUESTION_IDS:
        for text in question_texts(quiz.question(qid)):
            assert not re.search(r"(?<![\d,.])\d{4,}", text), (qid, text)
    assert quiz.number_text(3920) == "3,920" and quiz.number_text(-1250) == "−1,250"


def test_the_full_output_hint_names_the_library_whose_default_it_is():
    """scipy.signal.correlate2d's default is "full"; scipy.ndimage keeps the size (reflecting the border)."""
    from scipy import ndimage

    n, f = 30, 5
    hint = next(m["hint"] for m in quiz.valid_output_size(n, f)["mistakes"] if m["value"] == n + f - 1)
    image, kernel = np.random.default_rng(0).random((n, n)), np.ones((f, f))
    assert signal.correlate2d(image, kernel).shape == (n + f - 1, n + f - 1)  # no mode given: "full"
    assert ndimage.correlate(image, kernel).shape == (n, n)
    assert (
        "default mode of scipy.signal.correlate2d" in hint and "scipy.ndimage keeps the input's size" in hint
    )
    assert "SciPy's default" not in hint


# -- The built pages ------------------------------------------------------------------------


def page_questions(site, page):
    text = (site / page).read_text(encoding="utf-8")
    found = {}
    for match in re.finditer(r'<div class="quiz" id="quiz-([a-z0-9-]+)" data-quiz="([^"]*)">', text):
        found[match.group(1)] = json.loads(html.unescape(match.group(2)))
    return text, found


@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_carry_the_computed_questions(site, page):
    text, found = page_questions(site, page)
    assert list(found) == PAGES[page]
    assert "quiz/quiz.js" in text and "quiz/quiz.css" in text
    for qid, data in found.items():
        question = quiz.question(qid)
        assert data == {k: question[k] for k in ("kind", "answer", "mistakes", "hint", "explanation")}
        assert html.escape(question["prompt"]) in text


def test_pages_without_questions_do_not_load_the_quiz(site):
    text = (site / "index.html").read_text(encoding="utf-8")
    assert "quiz/quiz.js" not in text and 'class="quiz"' not in text


# -- In the browser -------------------------------------------------------------------------


def open_quiz(page, server, qid):
    path = next(p for p, ids in PAGES.items() if qid in ids)
    page.goto(server + path)
    return shown_question(page, qid)


def shown_question(page, qid):
    """The question's root, scrolled into view and laid out."""
    root = page.locator(f"#quiz-{qid}")
    root.scroll_into_view_if_needed()
    # Sections below the screen are laid out only when they come near (content-visibility in
    # course.css); wait until this one is, so its texts are there to read.
    root.locator("legend").wait_for(state="visible")
    return root


@pytest.fixture(scope="module")
def kept_pages(browser, server):
    """One kept page per module page (support.reused_page.KeptPage), loaded when a test first asks."""
    pages = {}
    yield pages
    for kept in pages.values():
        kept.close()


@pytest.fixture
def open_kept_quiz(kept_pages, server, request):
    """open_kept_quiz(qid): the question's root on its module page, loaded once for the tests that each
    answer a question of their own and read only that question; the page goes back after the test."""
    used = []

    def open_kept(qid):
        path = next(p for p, ids in PAGES.items() if qid in ids)
        if path not in kept_pages:
            kept_pages[path] = KeptPage(request.getfixturevalue("browser"), server + path, "document.body")
        used.append(kept_pages[path])
        return shown_question(kept_pages[path].lend(), qid)

    yield open_kept
    report = getattr(request.node, "report_call", None)
    for kept in used:
        kept.take_back(failed=report is None or report.failed)


def as_typed(value):
    """A value as a reader might type it: whole numbers without decimals."""
    return f"{value:.0f}" if float(value).is_integer() else str(value)


def answer(root, kind, value):
    """Give an answer with the mouse; return (feedback text, field message)."""
    if kind == "choice":
        root.locator(f"input[type=radio][value='{value}']").check()
    else:
        root.locator(".quiz-answer").fill(value)
    root.locator("button.quiz-check").click()
    return root.locator(".quiz-feedback").inner_text(), root.locator(".quiz-message").inner_text()


def typed_entries(question):
    """(text, expected state) pairs for a number or size question."""
    right = as_typed(question["answer"])
    entries = [(right, "correct"), (f" {right} ", "correct")]
    if question["kind"] == "size":
        entries += [(f"{right}x{right}", "correct"), (f"{right} × {right}", "correct")]
        entries += [(f"{right}, {right}", "correct"), (f"({right}, {right})", "correct")]
    entries += [(as_typed(m["value"]), "mistake") for m in question["mistakes"]]
    return entries


NUMBER_QUESTIONS = [q for q in quiz.QUESTION_IDS if quiz.question(q)["kind"] != "choice"]
CHOICE_QUESTIONS = [q for q in quiz.QUESTION_IDS if quiz.question(q)["kind"] == "choice"]


@pytest.mark.browser
@pytest.mark.parametrize("qid", NUMBER_QUESTIONS)
def test_typed_answers_right_wrong_and_unreadable(open_kept_quiz, qid):
    question = quiz.question(qid)
    root = open_kept_quiz(qid)
    show = root.locator(".quiz-show")
    assert root.locator(".quiz-feedback").inner_text() == ""
    for text, state in typed_entries(question):
        feedback, message = answer(root, question["kind"], text)
        assert root.get_attribute("data-state") == state, text
        assert message == ""
        if state == "correct":
            assert feedback.startswith("Correct.") and question["explanation"] in feedback
        else:
            hint = next(m["hint"] for m in question["mistakes"] if as_typed(m["value"]) == text)
            assert hint in feedback and question["explanation"] not in feedback
    # Wrong, but no known mistake: the general hint, and the answer is not given away.
    other = question["answer"] + 1000
    feedback, _ = answer(root, question["kind"], as_typed(other))
    assert root.get_attribute("data-state") == "wrong"
    assert question["hint"] in feedback and question["explanation"] not in feedback
    if question["kind"] == "size":
        right = as_typed(question["answer"])
        feedback, _ = answer(root, "size", f"{right}x{other}")
        assert root.get_attribute("data-state") == "wrong" and "square" in feedback
    # Unreadable: a message at the field, the last feedback stays, the field is marked.
    for text in ["", "twenty", "12 13 14", "1e999", "--4"]:
        before = root.locator(".quiz-feedback").inner_text()
        feedback, message = answer(root, question["kind"], text)
        assert message.startswith("Type"), text
        assert root.locator(".quiz-answer").get_attribute("aria-invalid") == "true"
        assert feedback == before
    root.locator(".quiz-answer").fill("1")
    assert root.locator(".quiz-message").inner_text() == ""
    # After a try, the answer can be shown.
    assert show.is_visible()
    show.click()
    assert question["explanation"] in root.locator(".quiz-feedback").inner_text()
    assert root.evaluate("r => document.activeElement === r.querySelector('.quiz-feedback')")


@pytest.mark.browser
@pytest.mark.parametrize("qid", CHOICE_QUESTIONS)
def test_choices_right_and_each_wrong_one(open_kept_quiz, qid):
    question = quiz.question(qid)
    root = open_kept_quiz(qid)
    labels = root.locator(".quiz-choice label").all_inner_texts()
    assert labels == [c["label"] for c in question["choices"]]
    root.locator("button.quiz-check").click()
    assert root.locator(".quiz-message").inner_text() == "Pick one of the answers first."
    assert root.locator(".quiz-feedback").inner_text() == ""
    for mistake in question["mistakes"]:
        feedback, message = answer(root, "choice", mistake["value"])
        assert root.get_attribute("data-state") == "mistake"
        assert mistake["hint"] in feedback and message == ""
        assert question["explanation"] not in feedback
    feedback, _ = answer(root, "choice", question["answer"])
    assert root.get_attribute("data-state") == "correct"
    assert feedback.startswith("Correct.") and question["explanation"] in feedback


@pytest.mark.browser
def test_the_grids_show_the_computed_values(page, server):
    for qid in ("one-output-cell", "which-kernel"):
        question = quiz.question(qid)
        root = open_quiz(page, server, qid)
        tables = root.locator("table.quiz-grid")
        assert tables.count() == len(question["grids"])
        for index, grid in enumerate(question["grids"]):
            cells = tables.nth(index).locator("tbody td").all_inner_texts()
            values = [float(c.replace("−", "-")) for c in cells]
            assert np.allclose(values, np.ravel(grid["values"]), atol=1e-9)
            assert tables.nth(index).locator("caption").inner_text() == grid["caption"]


PARSED = [
    ("26", [26], 26),
    (" 26 ", [26], 26),
    ("26x26", [26, 26], None),
    ("26 X 26", [26, 26], None),
    ("26 × 26", [26, 26], None),
    ("26*26", [26, 26], None),
    ("26, 26", [26, 26], None),
    ("(26, 26)", [26, 26], None),
    ("26 by 26", [26, 26], None),
    ("26 26", [26, 26], None),
    ("26,26", [26, 26], 26.26),
    ("16.5", [16.5], 16.5),
    ("16,5", [16.5], 16.5),
    ("26,0", [26], 26),
    ("−12", [-12], -12),
    ("- 12", [-12], -12),
    ("+3.5", [3.5], 3.5),
    ("3,920", [3920], 3920),
    ("3 920", [3, 920], 3920),
    ("12,5", [12.5], 12.5),
    ("1e3", [1000], 1000),
    ("2.96e2", [296], 296),
    ("1/2", [0.5], 0.5),
    ("12 13 14", None, None),
    ("", None, None),
    ("twelve", None, None),
    ("1e999", None, None),
    ("--4", None, None),
    ("26x", [26], None),
    ("x", None, None),
    ("Infinity", None, None),
]


@pytest.mark.browser
def test_parsing_is_tolerant_but_not_credulous(page, server):
    open_quiz(page, server, "valid-output-size")
    for text, size, number in PARSED:
        got = page.evaluate("t => [courseQuiz.parseSize(t), courseQuiz.parseNumber(t)]", text)
        assert got == [size, number], text


@pytest.mark.browser
def test_a_decimal_comma_or_a_power_of_ten_is_read_as_the_number_it_is(page, server):
    """Issue 23 S2: "16,5" got the hint for two unequal numbers, "2.96e2" got "Type one number"."""
    question = quiz.question("padded-strided-size")
    half = next(m for m in question["mistakes"] if not float(m["value"]).is_integer())
    root = open_quiz(page, server, "padded-strided-size")
    feedback, message = answer(root, "size", str(half["value"]).replace(".", ","))
    assert root.get_attribute("data-state") == "mistake" and message == ""
    assert half["hint"] in feedback and "square" not in feedback
    root = open_quiz(page, server, "valid-output-size")
    answer(root, "size", f"{quiz.question('valid-output-size')['answer']},0")
    assert root.get_attribute("data-state") == "correct"
    count = quiz.question("conv2-parameters")["answer"]
    root = open_quiz(page, server, "conv2-parameters")
    feedback, message = answer(root, "number", f"{count / 100:.2f}e2")
    assert root.get_attribute("data-state") == "correct" and message == ""


@pytest.mark.browser
def test_answered_questions_stay_accessible(browser, server):
    """axe-core on every question with its hint, its field message and the shown answer on display,
    in the light theme and then, chosen in the theme's colour-mode menu as a reader does, in the dark one."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = context.new_page()
    page.add_init_script("localStorage.setItem('mode', 'light'); localStorage.setItem('theme', 'light');")
    for path, ids in PAGES.items():
        page.goto(server + path)
        for qid in ids:
            question = quiz.question(qid)
            root = page.locator(f"#quiz-{qid}")
            answer(
                root,
                question["kind"],
                question["mistakes"][0]["value"] if question["kind"] == "choice" else "x",
            )
            if question["kind"] != "choice":
                answer(root, question["kind"], as_typed(question["mistakes"][0]["value"]))
                root.locator(".quiz-answer").fill("?")
                root.locator("button.quiz-check").click()
            else:
                root.locator(".quiz-show").click()
        for mode in ("light", "dark"):
            if mode == "dark":
                switch_theme(page, "dark")
            assert page.evaluate("document.documentElement.dataset.theme") == mode
            results = Axe().run(page, context={"include": [[".quiz"]]})
            serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
            assert not serious, (path, mode, [(v["id"], v["nodes"][0]["html"][:120]) for v in serious])
    context.close()


@pytest.mark.browser
def test_keyboard_only(page, server):
    """Tab into the field, type, Enter checks; Tab to a radio, arrows pick, Enter checks."""
    question = quiz.question("padded-strided-size")
    root = open_quiz(page, server, "padded-strided-size")
    field = root.locator(".quiz-answer")
    root.locator(".quiz-prompt").evaluate("p => { p.tabIndex = -1; p.focus(); }")
    page.keyboard.press("Tab")
    assert field.evaluate("f => document.activeElement === f")
    page.keyboard.type(as_typed(question["mistakes"][0]["value"]))
    page.keyboard.press("Enter")
    assert question["mistakes"][0]["hint"] in root.locator(".quiz-feedback").inner_text()
    assert field.evaluate("f => document.activeElement === f")  # focus stays in the field
    page.keyboard.press("Control+A")
    page.keyboard.type(f"{question['answer']} x {question['answer']}")
    page.keyboard.press("Enter")
    assert root.get_attribute("data-state") == "correct"

    question = quiz.question("most-weights")
    root = open_quiz(page, server, "most-weights")
    root.locator(".quiz-prompt").evaluate("p => { p.tabIndex = -1; p.focus(); }")
    page.keyboard.press("Tab")
    first = root.locator("input[type=radio]").first
    assert first.evaluate("r => document.activeElement === r")
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    assert root.get_attribute("data-state") == "mistake"
    order = [c["value"] for c in question["choices"]]
    for _ in range(order.index(question["answer"])):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    assert root.get_attribute("data-state") == "correct"
    # Tab reaches the Check button, and "Show the answer" is hidden after a right answer.
    page.keyboard.press("Tab")
    assert root.locator("button.quiz-check").evaluate("b => document.activeElement === b")


@pytest.mark.browser
@pytest.mark.parametrize(("mode", "width"), [("light", 1280), ("dark", 1280), ("light", 375), ("dark", 375)])
def test_quiz_screenshots_light_dark_and_narrow(browser, server, mode, width):
    """Writes _build/screenshots/quiz-<id>-<mode>-<width>.png for a person to look at."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=mode)
    page = context.new_page()
    page.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for qid in ("one-output-cell", "which-kernel", "most-weights"):
        question = quiz.question(qid)
        on_its_page = page.url == server + next(p for p, ids in PAGES.items() if qid in ids)
        root = shown_question(page, qid) if on_its_page else open_quiz(page, server, qid)
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        box = root.bounding_box()
        assert box["width"] <= width
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
        if question["kind"] == "choice":
            answer(root, "choice", question["mistakes"][0]["value"])
        else:
            answer(root, question["kind"], "twelve")
        page.add_style_tag(content=".bd-header, .skip-link { display: none !important; }")
        root.screenshot(path=str(SCREENSHOTS / f"quiz-{qid}-{mode}-{width}.png"))
    context.close()
