"""Speed of training in the part-3 network explorer, measured in Chromium on the built site.

Prints, side by side in one run: one epoch of training over the training digits in the page
(ConvCore.Training, the arithmetic alone, and the panel's Train button through the Web Worker,
until the first epoch is reported) against NumPy's convviz.tiny_cnn.train for one epoch; then,
while the worker trains, the explorer's update time after each pointer move of a stroke and the
longest task that blocked the page; and the bytes the page loads once training has started
(the worker's scripts included). Run after `make html`:
``.venv/bin/python benchmarks/network_training.py``.
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from coursesite.paths import HTML_DIR  # noqa: E402

PAGE = "module_9_2_2/trained_network.html"
RATIO_LIMIT = 2.0
MEDIAN_LIMIT_MS = 16
BLOCK_LIMIT_MS = 50
WEIGHT_LIMIT = 2 * 1024 * 1024
REPEATS = 2
STROKES = 4
MOVES_PER_STROKE = 50

#: One epoch of ConvCore.Training with the page's defaults, in the page's main thread: seconds.
EPOCH_IN_PAGE = """() => {
  const data = window.networkExplorer.explorer().data, d = data.training, s = data.params.shapes;
  const t = new ConvCore.Training({seed: d.seed, epochs: 1, learningRate: d.learning_rate,
    batchSize: d.batch_size, augment: true, decay: true, frozen: [], ranges: d.ranges},
    data.train, {W1: s.W1, W2: s.W2, W3: s.W3});
  const started = performance.now();
  while (!t.done()) t.step();
  return (performance.now() - started) / 1000;
}"""

#: Long tasks (over 50 ms) the page records from now on.
WATCH_LONG_TASKS = """() => {
  window.longTasks = [];
  new PerformanceObserver((list) => list.getEntries().forEach((e) => window.longTasks.push(e.duration)))
    .observe({type: 'longtask'});
}"""


def open_page(browser, base_url, loaded=None):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    if loaded is not None:
        page.on("requestfinished", lambda request: loaded.append(request))
    page.goto(base_url + PAGE, wait_until="networkidle")
    page.wait_for_function("window.networkExplorer && window.networkExplorer.ready()")
    return page


def worker_epoch(page):
    """Seconds from pressing Train (one epoch) until the worker reports the epoch done."""
    page.get_by_label("Epochs").fill("1")
    started = time.perf_counter()
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function(
        "window.networkExplorer.result('training').state === 'done'", timeout=300_000, polling=20
    )
    return time.perf_counter() - started


def numpy_epoch(data):
    from convviz.tiny_cnn import train

    started = time.perf_counter()
    train(epochs=1, data=data)
    return time.perf_counter() - started


def measure(base_url, browser):
    """The timings and the page's weight (see the top of this file), as a dict."""
    from convviz.tiny_cnn import load_digit_split

    data = load_digit_split()
    loaded = []
    page = open_page(browser, base_url, loaded)
    best = {"numpy": float("inf"), "page": float("inf"), "worker": float("inf")}
    for _ in range(REPEATS):  # interleaved, so that a busy moment of the machine hits each alike
        best["numpy"] = min(best["numpy"], numpy_epoch(data))
        best["page"] = min(best["page"], page.evaluate(EPOCH_IN_PAGE))
        page.reload()
        page.wait_for_function("window.networkExplorer && window.networkExplorer.ready()")
        best["worker"] = min(best["worker"], worker_epoch(page))
    page_bytes = sum(request.sizes()["responseBodySize"] for request in loaded)
    page.close()
    page = open_page(browser, base_url)
    page.evaluate(WATCH_LONG_TASKS)
    page.get_by_label("Epochs").fill("20")
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("window.networkExplorer.result('training').steps > 5")
    grid = page.locator("canvas.nx-grid")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    before = len(page.evaluate("window.networkExplorer.timings()"))
    for stroke in range(STROKES):
        x0 = box["x"] + box["width"] * (0.2 + 0.1 * stroke)
        page.mouse.move(x0, box["y"] + box["height"] * 0.15)
        page.mouse.down()
        for step in range(MOVES_PER_STROKE):
            t = step / MOVES_PER_STROKE
            page.mouse.move(x0 + box["width"] * 0.2 * t, box["y"] + box["height"] * (0.15 + 0.7 * t))
            page.wait_for_timeout(8)
        page.mouse.up()
    timings = page.evaluate("window.networkExplorer.timings()")[before:]
    steps = page.evaluate("window.networkExplorer.result('training').steps")
    long_tasks = page.evaluate("window.longTasks")
    page.close()
    return {
        **best,
        "ratio": best["worker"] / best["numpy"],
        "page_ratio": best["page"] / best["numpy"],
        "median_ms": statistics.median(timings),
        "updates": len(timings),
        "longest_ms": max(long_tasks, default=0.0),
        "long_tasks": len(long_tasks),
        "steps": steps,
        "page_bytes": page_bytes,
        "data_bytes": (HTML_DIR / "_static" / "explorer" / "network_data.js").stat().st_size,
    }


def report(result):
    print(f"network explorer, training in the page (one epoch, 1438 digits; best of {REPEATS})")
    print(f"  NumPy train(epochs=1): {result['numpy']:.2f} s")
    print(f"  Chromium, ConvCore.Training alone: {result['page']:.2f} s ({result['page_ratio']:.2f}x NumPy)")
    print(f"  Chromium, Train button to epoch reported (worker): {result['worker']:.2f} s "
          f"({result['ratio']:.2f}x NumPy, limit {RATIO_LIMIT}x)")  # fmt: skip
    print(f"  while the worker trains: update after a stroke, median of {result['updates']}: "
          f"{result['median_ms']:.2f} ms (limit {MEDIAN_LIMIT_MS} ms)")  # fmt: skip
    longest, count = result["longest_ms"], result["long_tasks"]
    print(
        f"  longest task blocking the page: {longest:.0f} ms ({count} over 50 ms; limit {BLOCK_LIMIT_MS} ms)"
    )
    print(f"part-3 page with everything it loads, training included: {result['page_bytes'] / 1024:.0f} KiB "
          f"(limit 2048 KiB); its data file {result['data_bytes'] / 1024:.0f} KiB")  # fmt: skip
    return (
        result["ratio"] <= RATIO_LIMIT
        and result["median_ms"] <= MEDIAN_LIMIT_MS
        and result["longest_ms"] <= BLOCK_LIMIT_MS
        and result["page_bytes"] <= WEIGHT_LIMIT
    )


def main():
    from support.browser import run_page_benchmark

    return run_page_benchmark(HTML_DIR, PAGE, measure, report)


if __name__ == "__main__":
    sys.exit(main())
