"""Speed and weight of the part-3 network explorer, measured in Chromium on the built site.

Prints the time of one update after a stroke moves (the drawing prepared, the
forward pass, every map and bar redrawn: median and 95th percentile over a few
hundred pointer moves) and the bytes the part-3 page loads with everything it
needs, and the attribution maps: the main thread's time for the maps painted at once, and for
SmoothGrad, computed after them (median of a few runs on one input). Run after `make html`:
``.venv/bin/python benchmarks/network_explorer.py``.
"""

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from coursesite.paths import HTML_DIR  # noqa: E402

PAGE = "module_9_2_2/trained_network.html"
MEDIAN_LIMIT_MS = 8
P95_LIMIT_MS = 16
WEIGHT_LIMIT = 2 * 1024 * 1024
STROKES = 6
MOVES_PER_STROKE = 60


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(base_url, browser):
    """{"median_ms", "p95_ms", "updates", "page_bytes", "toggle_ms"} for the explorer page under base_url."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    loaded = []
    page.on("requestfinished", lambda request: loaded.append(request))
    page.goto(base_url + PAGE, wait_until="networkidle")
    page.wait_for_function("window.networkExplorer && window.networkExplorer.ready()")
    page_bytes = sum(request.sizes()["responseBodySize"] for request in loaded)
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
        page.mouse.up()
    timings = page.evaluate("window.networkExplorer.timings()")[before:]
    toggle_ms = page.evaluate(
        """() => new Promise(done => {
             const box = document.querySelector('.nx-layer input[type=checkbox]');
             const t = performance.now(); box.click();
             const wait = () => window.networkExplorer.state().accuracyPending ? setTimeout(wait, 5)
                                                                              : done(performance.now() - t);
             wait(); })"""
    )
    maps_ms, smoothgrad_ms = measure_maps(page)
    page.close()
    return {
        "maps_ms": maps_ms,
        "smoothgrad_ms": smoothgrad_ms,
        "median_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 0.95),
        "updates": len(timings),
        "page_bytes": page_bytes,
        "toggle_ms": toggle_ms,
    }


SMOOTHGRAD_RUNS = 7


def measure_maps(page):
    """(ms for the maps painted when the panel opens, median ms of SmoothGrad on the same input) in page."""
    return page.evaluate(
        """async (runs) => {
             const core = window.ConvCore, settings = window.NETWORK_EXPLORER_DATA.attribution.smoothgrad;
             const toggle = document.querySelector('.nx-attribution input[type=checkbox]');
             let t = performance.now(); toggle.click(); const maps = performance.now() - t;
             const params = core.checkNetworkData(window.NETWORK_EXPLORER_DATA).params;
             const x = Float64Array.from(window.networkExplorer.state().image, (v) => v / 255);
             const label = window.networkExplorer.attribution().label, times = [];
             for (let i = 0; i < runs; i++) {
               t = performance.now();
               core.smoothGrad(params, x, label, settings.samples, settings.noise, settings.seed);
               times.push(performance.now() - t);
             }
             times.sort((a, b) => a - b);
             return [maps, times[(runs - 1) / 2]]; }""",
        SMOOTHGRAD_RUNS,
    )


def report(result):
    print(f"network explorer, update after a stroke ({result['updates']} updates)")
    print(f"  median {result['median_ms']:.2f} ms (limit {MEDIAN_LIMIT_MS} ms)")
    print(f"  95th percentile {result['p95_ms']:.2f} ms (limit {P95_LIMIT_MS} ms)")
    print(f"  a filter switched off, prediction and test accuracy again: {result['toggle_ms']:.0f} ms")
    print(f"  attribution maps painted when the panel opens: {result['maps_ms']:.0f} ms")
    median = f"median of {SMOOTHGRAD_RUNS}"
    print(f"  SmoothGrad, computed after them ({median}): {result['smoothgrad_ms']:.0f} ms")
    print(f"part-3 page with everything it loads: {result['page_bytes'] / 1024:.0f} KiB (limit 2048 KiB)")
    return (
        result["median_ms"] <= MEDIAN_LIMIT_MS
        and result["p95_ms"] <= P95_LIMIT_MS
        and result["page_bytes"] <= WEIGHT_LIMIT
    )


def main():
    from support.browser import run_page_benchmark

    return run_page_benchmark(HTML_DIR, PAGE, measure, report)


if __name__ == "__main__":
    sys.exit(main())
