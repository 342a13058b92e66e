"""A wrapped code line keeps its indentation readable: its continuation starts right of where its code starts.

When a line's first word is too long for what is left of its first row, the browser moves
it to the next row, which starts at the hanging indent; the rows after it start there too.
"""

import pytest

PAGES = ["module_9_2_2/index.html", "module_9_2_2/inside_a_conv_layer.html"]

#: For every line that wraps: (line text, left of its first code character, leftmost continuation).
WRAPPED_LINES = """() => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  const found = [];
  for (const line of document.querySelectorAll('div.highlight pre .hang')) {
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    let start = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('.linenos')) continue;
      const at = node.data.search(/\\S/);
      if (at >= 0) { start = [node, at]; break; }
    }
    if (!start) continue;
    const first = document.createRange();
    first.setStart(start[0], start[1]);
    first.setEnd(start[0], start[1] + 1);
    const code = first.getBoundingClientRect();
    const whole = document.createRange();
    whole.selectNodeContents(line);
    const rows = [...whole.getClientRects()].filter((r) => r.width > 0);
    const later = rows.filter((r) => r.top >= code.bottom - 1);
    if (later.length === 0) continue;
    const pushedDown = code.top > Math.min(...rows.map((r) => r.top)) + 1;
    const continuation = Math.min(...later.map((r) => r.left));
    found.push([line.textContent.trim().slice(0, 60), code.left, continuation, pushedDown]);
  }
  return found;
}"""


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path", PAGES)
def test_wrapped_lines_hang_past_their_own_indentation(browser, server, path, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(server + path)
        wrapped = page.evaluate(WRAPPED_LINES)
        # An emphasized line's tint covers the whole line, its number and first characters too.
        untinted = page.evaluate(
            "[...document.querySelectorAll('div.highlight pre .hang > .hll')].filter((h) => {"
            " const a = h.getBoundingClientRect(), b = h.parentElement.getBoundingClientRect();"
            " return Math.abs(a.left - b.left) > 0.5 || Math.abs(a.right - b.right) > 0.5; })"
            ".map((h) => h.textContent.trim().slice(0, 60))"
        )
        emphasized = page.evaluate("document.querySelectorAll('div.highlight pre .hang > .hll').length")
        scrolled = page.evaluate(
            "[...document.querySelectorAll('div.highlight pre')]"
            ".filter((p) => p.scrollWidth > p.clientWidth + 1).length"
        )
    finally:
        context.close()
    assert scrolled == 0, "a code block scrolls sideways: its lines do not fit the column"
    assert emphasized > 0 and untinted == [], "an emphasized line's tint should start at its line number"
    if width == 375:
        assert len(wrapped) >= 20, "on a phone many lines wrap; the check should see them"
    flat = [
        (text, round(code), round(continuation))
        for text, code, continuation, pushed_down in wrapped
        if continuation < code - 0.5 or (continuation <= code + 0.5 and not pushed_down)
    ]
    assert flat == [], "continuation rows should start right of the line's code"
