"""Performance budget of the course code and site: `make bench`.

Times are taken side by side in one run and reported mostly as ratios, which
hold on a noisy machine where absolute times drift. Each timing is the best of
several interleaved repeats. Goals come from the project's performance budget.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import ndimage

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the support modules the tests use too
sys.path.insert(0, str(ROOT / "benchmarks"))

from support.browser import chromium  # noqa: E402
from support.repo import copy_repository  # noqa: E402
from support.server import serve  # noqa: E402
from support.site_build import make_html  # noqa: E402

from convviz import convolution as conv  # noqa: E402
from convviz import correlate2d  # noqa: E402
from convviz.downloads import load_download  # noqa: E402
from convviz.tiny_cnn import EPOCHS, forward, init_parameters, load_digit_split, train  # noqa: E402

RESULTS = []


def best_time(function, repeat):
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def side_by_side(functions, repeat):
    """Best time of each function, measured in interleaved rounds."""
    for function in functions:
        function()  # warm-up
    best = [float("inf")] * len(functions)
    for _ in range(repeat):
        for i, function in enumerate(functions):
            best[i] = min(best[i], best_time(function, 1))
    return best


def report(name, value, goal, ok):
    RESULTS.append((name, value, goal, "ok" if ok else "MISSED"))
    verdict, load = "ok" if ok else "MISSED", os.getloadavg()[0]
    print(f"  {name:48s} {value:>14s}   goal {goal:14s} {verdict}  (load {load:.1f})", flush=True)


def convolution():
    print("Vectorized correlate2d against scipy.ndimage.correlate (ratio > 1: ours is faster)")
    rng = np.random.default_rng(0)
    for n in (256, 512, 1024):
        for k in (3, 5, 7):
            image, kernel = rng.random((n, n)), rng.random((k, k))
            ours, scipy_time = side_by_side(
                [
                    lambda image=image, kernel=kernel: correlate2d(image, kernel),
                    lambda image=image, kernel=kernel: ndimage.correlate(image, kernel, mode="constant"),
                ],
                repeat=15 if n < 1024 else 6,
            )
            ratio = scipy_time / ours
            report(
                f"{n}x{n}, {k}x{k}: scipy / ours ({ours * 1e3:.2f} ms)",
                f"{ratio:.2f}x",
                ">= 1x",
                ratio >= 0.95,
            )
    print("The FFT's error guard against the FFT itself, 11x11 kernel (what method='auto' adds to it)")
    for n in (256, 512, 1024):
        image, kernel = rng.random((n, n)), rng.random((11, 11))
        squares, out_shape = conv.square_sum(image, "image"), (n - 10, n - 10)
        guard, fft = side_by_side(
            [
                lambda image=image, kernel=kernel, squares=squares: conv._fft_is_accurate(
                    image, squares, kernel
                ),
                lambda image=image, kernel=kernel, shape=out_shape: conv._fft(image, kernel, shape, 1),
            ],
            repeat=15 if n < 1024 else 6,
        )
        share = guard / fft
        report(f"{n}x{n}: guard / FFT ({guard * 1e3:.2f} ms)", f"{share:.1%}", "<= 10%", share <= 0.1)
    print("Vectorized correlate2d against the teaching loop of cnn_visualization.py")
    loop = load_download("cnn_visualization").convolve2d
    image, kernel = rng.random((512, 512)), rng.random((3, 3))
    loop_time = best_time(lambda: loop(image, kernel), 2)
    ours = best_time(lambda: correlate2d(image, kernel), 20)
    ratio = loop_time / ours
    report(f"512x512, 3x3: loop / ours (loop {loop_time:.2f} s)", f"{ratio:.0f}x", ">= 800x", ratio >= 800)


def tiny_cnn():
    print("Tiny CNN forward pass on 1000 digits")
    train_x, _, test_x, _ = load_digit_split()
    images = np.concatenate([test_x, train_x])[:1000] / 255.0
    params = init_parameters()
    solution = load_download("tiny_cnn_solution")
    solution.WEIGHTS.update(params)
    batch = images[..., None]
    vectorized = best_time(lambda: forward(params, batch), 5)
    loop = best_time(lambda: [solution.forward(image) for image in images[:200]], 1) * 5
    report(
        f"vectorized forward ({vectorized * 1e3:.0f} ms)",
        f"{loop / vectorized:.0f}x",
        "faster than loop",
        True,
    )
    try:
        import torch
    except ImportError:
        print("  PyTorch is not installed: the comparison with torch CPU float64 is skipped")
    else:
        torch.set_num_threads(2)
        model = torch.nn.Sequential(
            torch.nn.Conv2d(1, 4, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(4, 8, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Flatten(),
            torch.nn.Linear(392, 10),
        ).double()
        tensor = torch.from_numpy(images[:, None].copy())
        with torch.no_grad():
            ours, theirs = side_by_side([lambda: forward(params, batch), lambda: model(tensor)], repeat=5)
        ratio = ours / theirs
        report(
            f"ours / torch float64 (torch {theirs * 1e3:.0f} ms)", f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5
        )
    print(f"Training the tiny CNN ({EPOCHS} epochs, 1438 digits)")
    started = time.perf_counter()
    train()
    seconds = time.perf_counter() - started
    report("training time", f"{seconds:.1f} s", "<= 5 s", seconds <= 5)
    print("One epoch of training: its step against the same step built from convviz.layers")
    data = load_digit_split()
    ours, layered = side_by_side(
        [lambda: train(epochs=1, data=data), lambda: train_with_layered_step(data)], repeat=3
    )
    ratio = layered / ours
    report(f"layered / ours (ours {ours:.2f} s)", f"{ratio:.1f}x", ">= 2x", ratio >= 2)


def train_with_layered_step(data):
    """One epoch of train() with the training step of tests/support/oracles.py (public layers)."""
    from support.oracles import layered_loss_and_gradients

    from convviz import tiny_cnn

    fast = tiny_cnn.loss_and_gradients
    tiny_cnn.loss_and_gradients = layered_loss_and_gradients
    try:
        train(epochs=1, data=data)
    finally:
        tiny_cnn.loss_and_gradients = fast


#: Runs a figure script as a file with the network trained first, and prints the seconds the script took.
SCRIPT_TIMER = """
import contextlib, io, os, runpy, sys, time
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot
from convviz.tiny_cnn import trained_network
trained_network()
os.chdir(os.path.dirname(sys.argv[1]))
started = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    runpy.run_path(sys.argv[1], run_name="__main__")
print(time.perf_counter() - started)
"""


def attribution():
    print(
        "Attribution maps of 100 digits, and the figure scripts that draw them (one BLAS thread, as they use)"
    )
    from threadpoolctl import threadpool_limits

    from convviz.attribution import input_gradient, input_gradients

    params = init_parameters()
    _, _, test_x, test_y = load_digit_split()
    images, labels = test_x[:100] / 255.0, test_y[:100]
    with threadpool_limits(limits=1, user_api="blas"):
        together, apart = side_by_side(
            [
                lambda: input_gradients(params, images, labels),
                lambda: [input_gradient(params, x, int(c)) for x, c in zip(images, labels)],
            ],
            repeat=5,
        )
    report(
        "gradients: one digit at a time / batched", f"{apart / together:.1f}x", ">= 2x", apart >= 2 * together
    )
    scripts = ROOT / "scripts" / "part3_trained_network"
    goals = {"plot_11_attribution_checks.py": 10, "plot_03_occlusion_and_saliency.py": 5}
    with tempfile.TemporaryDirectory() as tmp:
        for script, goal in goals.items():
            copy = Path(tmp) / script  # the figures it saves land beside the copy
            copy.write_text((scripts / script).read_text())
            environment = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
            found = subprocess.run(
                [sys.executable, "-c", SCRIPT_TIMER, str(copy)],
                env=environment,
                capture_output=True,
                text=True,
            )
            if found.returncode:
                report(f"{script} without training", "failed", f"<= {goal} s", False)
                print(found.stderr)
                continue
            seconds = float(found.stdout.split()[-1])
            report(f"{script} without training", f"{seconds:.1f} s", f"<= {goal} s", seconds <= goal)


def site():
    print("Site build, downloads, page weight")
    with tempfile.TemporaryDirectory() as tmp:
        copy = copy_repository(Path(tmp) / "site")
        started = time.perf_counter()
        _, log = make_html(copy)
        clean = time.perf_counter() - started
        report("clean make html (venv present)", f"{clean:.1f} s", "<= 30 s", clean <= 30)
        part3 = part_seconds(copy, "part3_trained_network")
        report("part 3 figure scripts in that build", f"{part3:.1f} s", "<= 10 s", part3 <= 10)
        training = part_seconds(copy, "part2_conv_layer", "plot_06_*")
        report("part 2 training script (trains twice)", f"{training:.1f} s", "<= 30 s", training <= 30)
        started = time.perf_counter()
        make_html(copy)
        again = time.perf_counter() - started
        report("no-change rebuild", f"{again:.1f} s", "<= 3 s", again <= 3)
        out = Path(tmp) / "out"
        out.mkdir()
        download = [sys.executable, str(ROOT / "downloads" / "cnn_visualization.py")]
        seconds = best_time(lambda: subprocess.run(download, cwd=out, check=True, capture_output=True), 3)
        report("python downloads/cnn_visualization.py", f"{seconds:.2f} s", "<= 2 s", seconds <= 2)
        html = copy / "_build" / "html"
        for page in sorted((html / "module_9_2_2").glob("*.html")):
            weight = page_weight(page, html)
            label = f"module page {page.name} with images, CSS, JS"
            report(label, f"{weight / 1e6:.2f} MB", "<= 2 MB", weight <= 2e6)
        gif = (html / "_images" / "convolution_animation.gif").stat().st_size
        report("convolution_animation.gif", f"{gif / 1e3:.0f} KB", "<= 500 KB", gif <= 500e3)
        explorer_redraw(html)
        network_explorer(html)
        network_training(html)


def network_explorer(html):
    """The part-3 explorer's update time after a stroke and the page's weight, in Chromium."""
    from network_explorer import MEDIAN_LIMIT_MS, P95_LIMIT_MS, WEIGHT_LIMIT, measure

    try:
        with chromium() as browser, serve(html) as url:
            result = measure(url, browser)
    except RuntimeError:
        print("  no Chromium found: the network explorer is not measured")
        return
    median, p95 = result["median_ms"], result["p95_ms"]
    report(
        f"network explorer update, median of {result['updates']}",
        f"{median:.2f} ms",
        f"<= {MEDIAN_LIMIT_MS} ms",
        median <= MEDIAN_LIMIT_MS,
    )
    report(
        "network explorer update, 95th percentile",
        f"{p95:.2f} ms",
        f"<= {P95_LIMIT_MS} ms",
        p95 <= P95_LIMIT_MS,
    )
    weight = result["page_bytes"]
    report("part 3 page as loaded by Chromium", f"{weight / 1e6:.2f} MB", "<= 2 MB", weight <= WEIGHT_LIMIT)


def network_training(html):
    """Training in the part-3 explorer: one epoch against NumPy's, strokes while it trains, page weight."""
    from network_training import BLOCK_LIMIT_MS, MEDIAN_LIMIT_MS, RATIO_LIMIT, WEIGHT_LIMIT, measure

    try:
        with chromium() as browser, serve(html) as url:
            result = measure(url, browser)
    except RuntimeError:
        print("  no Chromium found: training in the network explorer is not measured")
        return
    numpy = result["numpy"]
    for key, label in (
        ("page", "ConvCore.Training alone"),
        ("worker", "Train button, worker, to epoch reported"),
    ):
        ratio = result[key] / numpy
        report(
            f"one epoch in Chromium, {label} ({result[key]:.2f} s)",
            f"{ratio:.2f}x NumPy",
            f"<= {RATIO_LIMIT}x",
            ratio <= RATIO_LIMIT,
        )
    median, longest = result["median_ms"], result["longest_ms"]
    report(
        "stroke update while training, median",
        f"{median:.2f} ms",
        f"<= {MEDIAN_LIMIT_MS} ms",
        median <= MEDIAN_LIMIT_MS,
    )
    report(
        "longest task while training",
        f"{longest:.0f} ms",
        f"<= {BLOCK_LIMIT_MS} ms",
        longest <= BLOCK_LIMIT_MS,
    )
    weight = result["page_bytes"]
    report("part 3 page, training started", f"{weight / 1e6:.2f} MB", "<= 2 MB", weight <= WEIGHT_LIMIT)


def lighthouse_scores():
    """Lighthouse scores of the landing and module pages (mobile, served compressed), when installed."""
    import lighthouse

    print("Lighthouse (performance, accessibility, best practices, SEO)")
    lighthouse.main([])


def part_seconds(tree, part, pattern="plot_*"):
    """Seconds sphinx-gallery spent running the scripts of one part (or those matching pattern).

    Read from the ``.cost.json`` file sphinx-gallery keeps beside each script it ran:
    exact, also for scripts under its one-second reporting threshold.
    """
    total = 0.0
    for cost in (tree / "docs" / "auto_examples" / part).glob(f"{pattern}.cost.json"):
        total += float(json.loads(cost.read_text())["time"])
    return total


def explorer_redraw(html):
    """Median redraw time of the in-page explorer on the 256×256 input, in Chromium if there is one."""
    try:
        browser_context = chromium()
        browser = browser_context.__enter__()
    except RuntimeError:
        print("  no Chromium found: the explorer's redraw time is not measured")
        return
    try:
        with serve(html) as url:
            page = browser.new_page()
            page.goto(url + "module_9_2_2/index.html")
            page.wait_for_function("window.convExplorer && window.convExplorer.lastOutput()")
            times = page.evaluate(
                """() => { const e = window.convExplorer.explorer(0); const t = [];
                           const kernels = Object.values(window.convExplorer.presets);
                           for (let i = 0; i < 40; i++) {
                             e.kernel = kernels[i % kernels.length].values.slice();
                             e.redraw();
                             t.push(e.renderMs);
                           }
                           return t.sort((a, b) => a - b); }"""
            )
    finally:
        browser_context.__exit__(None, None, None)
    median = times[len(times) // 2]
    report("explorer redraw, 256x256 (median of 40)", f"{median:.1f} ms", "<= 16 ms", median <= 16)


def page_weight(page, html):
    """Bytes of a page plus every local image, script and stylesheet it loads."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(), "html.parser")
    files = {page}
    for tag in soup.select("img[src], script[src], link[rel~=stylesheet][href], link[rel~=preload][href]"):
        url = (tag.get("src") or tag.get("href")).split("?")[0]
        target = (page.parent / url).resolve()
        if target.is_file():
            files.add(target)
    return sum(f.stat().st_size for f in files)


if __name__ == "__main__":
    convolution()
    tiny_cnn()
    attribution()
    site()
    lighthouse_scores()
    missed = [r for r in RESULTS if r[3] != "ok"]
    print(f"{len(RESULTS) - len(missed)} of {len(RESULTS)} within budget")
