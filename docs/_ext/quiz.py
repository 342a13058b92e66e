"""Short questions in the page: ``.. quiz:: <id>`` places one question of :mod:`coursesite.quiz`.

The question, its answer, the hints and the explanation are computed by
:mod:`convviz` while the page is read and travel in the element's ``data-quiz``
attribute (JSON); ``quiz.js`` checks what the reader types against them in the
browser. The prompt and the small grids are written as HTML here, from the same
data. Only pages that hold a question link ``quiz.js`` (after ``explorer/numbers.js``, the
site's one parser of typed numbers) and ``quiz.css``.
"""

import html
import json

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

#: The quiz's scripts, in order (the one number parser of the site, then the quiz), and its style sheet.
SCRIPTS = ("explorer/numbers.js", "quiz/quiz.js")
STYLE = "quiz/quiz.css"
logger = logging.getLogger(__name__)
LEGEND = "Check your understanding"


def _mix(colour, amount):
    """colour (#rrggbb) mixed with white: amount 0 is white, 1 the colour itself."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 + (c - 255) * amount):02x}" for c in channels)


def grid_html(grid, number_text):
    """A small array as a table with its caption, row and column numbers, cells tinted by sign."""
    from convviz.plotting import NEGATIVE_LIGHT, POSITIVE_LIGHT

    values = grid["values"]
    limit = max(abs(v) for row in values for v in row) or 1.0
    head = "".join(f'<th scope="col">{c}</th>' for c in range(len(values[0])))
    rows = []
    for r, row in enumerate(values):
        cells = []
        for v in row:
            tint = _mix(POSITIVE_LIGHT if v > 0 else NEGATIVE_LIGHT, abs(v) / limit)
            cells.append(f'<td style="background-color: {tint}">{number_text(v)}</td>')
        rows.append(f'<tr><th scope="row">{r}</th>{"".join(cells)}</tr>')
    return (
        f'<table class="quiz-grid"><caption>{html.escape(grid["caption"])}</caption>'
        f'<thead><tr><td class="quiz-corner"></td>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def question_html(question, number_text):
    """The HTML of one question: a form with the prompt, its grids, the answer field or choices."""
    qid = html.escape(question["id"])
    base = f"quiz-{qid}"
    data = {key: question[key] for key in ("kind", "answer", "mistakes", "hint", "explanation")}
    grids = "".join(grid_html(grid, number_text) for grid in question.get("grids", []))
    if question["kind"] == "choice":
        options = "".join(
            f'<div class="quiz-choice"><input type="radio" name="{base}-choice" id="{base}-{value}" '
            f'value="{value}"><label for="{base}-{value}">{html.escape(c["label"])}</label></div>'
            for c in question["choices"]
            for value in [html.escape(c["value"])]
        )
        entry = (
            f'<div class="quiz-choices" role="radiogroup" aria-labelledby="{base}-prompt" '
            f'aria-describedby="{base}-message">{options}</div>'
            '<div class="quiz-actions"><button type="submit" class="quiz-check">Check</button></div>'
        )
    else:
        entry = (
            f'<div class="quiz-entry"><label for="{base}-answer">Your answer</label> '
            f'<input type="text" id="{base}-answer" class="quiz-answer" autocomplete="off" '
            f'spellcheck="false" aria-describedby="{base}-message"> '
            '<button type="submit" class="quiz-check">Check</button></div>'
        )
    attribute = html.escape(json.dumps(data, ensure_ascii=False, allow_nan=False), quote=True)
    return (
        f'<div class="quiz" id="{base}" data-quiz="{attribute}">\n'
        f'<form class="quiz-form" novalidate><fieldset aria-describedby="{base}-prompt">'
        f"<legend>{LEGEND}</legend>"
        f'<p class="quiz-prompt" id="{base}-prompt">{html.escape(question["prompt"])}</p>'
        + (f'<div class="quiz-grids">{grids}</div>' if grids else "")
        + entry
        + f'<p class="quiz-message" id="{base}-message"></p>'
        f'<div class="quiz-feedback" role="status" aria-live="polite" tabindex="-1"></div>'
        f'<button type="button" class="quiz-show" hidden>Show the answer</button>'
        "</fieldset></form>\n"
        '<noscript><p class="quiz-nojs">Checking an answer needs JavaScript, which is turned off.</p>'
        "</noscript>\n"
        "</div>\n"
    )


class QuizDirective(SphinxDirective):
    """``.. quiz:: id``: one question of coursesite.quiz, checked in the browser."""

    required_arguments = 1
    has_content = False

    def run(self):
        from convviz.paths import PACKAGE_DIR
        from coursesite import quiz, quiz_part3
        from coursesite.network_data import weights_path
        from coursesite.paths import DOCS_DIR, GENERATED_DIR

        qid = self.arguments[0]
        if qid not in quiz.QUESTION_IDS:
            raise self.error(f"unknown quiz id {qid!r}; known: {', '.join(quiz.QUESTION_IDS)}")
        pages = self.env.__dict__.setdefault("quiz_pages", {})
        ids = pages.setdefault(self.env.docname, set())
        if qid in ids:
            raise self.error(f"quiz {qid!r} appears twice on this page")
        ids.add(qid)
        # The answers come from these files, the page links these scripts (their ?v= is written into
        # the page): a change in any of them reads the page again.
        for name in (
            "convolution.py",
            "kernels.py",
            "tiny_cnn.py",
            "attribution.py",
            "activation_maximization.py",
        ):
            self.env.note_dependency(str(PACKAGE_DIR / name))
        self.env.note_dependency(quiz.__file__)
        self.env.note_dependency(quiz_part3.__file__)
        numbers = GENERATED_DIR / quiz_part3.CHECK_NUMBERS  # part 3's answers from the build's checks
        if numbers.exists():
            self.env.note_dependency(str(numbers))
        self.env.note_dependency(__file__)  # the question's HTML is written here
        for name in SCRIPTS + (STYLE,):
            self.env.note_dependency(str(DOCS_DIR / "_static" / name))
        if weights_path().exists():
            self.env.note_dependency(str(weights_path()))
        try:
            question = quiz.question(qid)
        except ValueError as error:
            raise self.error(str(error)) from None
        return [nodes.raw("", question_html(question, quiz.number_text), format="html")]


def purge_page(app, env, docname):
    env.__dict__.get("quiz_pages", {}).pop(docname, None)


def merge_pages(app, env, docnames, other):
    mine = env.__dict__.setdefault("quiz_pages", {})
    for docname, ids in other.__dict__.get("quiz_pages", {}).items():
        if docname in docnames:
            mine[docname] = set(ids)


def add_files(app, pagename, templatename, context, doctree):
    """Link the quiz script and style sheet on the pages that hold a question, and only there."""
    if app.env.__dict__.get("quiz_pages", {}).get(pagename):
        app.add_css_file(STYLE)
        for script in SCRIPTS:
            app.add_js_file(script)


def check_ids(app, env):
    """Every question id of coursesite.quiz is used on some page (a question nobody sees is a mistake)."""
    from coursesite.quiz import QUESTION_IDS

    used = set().union(*env.__dict__.get("quiz_pages", {}).values())
    unused = [qid for qid in QUESTION_IDS if qid not in used]
    if unused and app.builder.format == "html":
        logger.warning(f"quiz questions on no page: {', '.join(unused)}")


def setup(app):
    app.add_directive("quiz", QuizDirective)
    app.connect("env-purge-doc", purge_page)
    app.connect("env-merge-info", merge_pages)
    app.connect("html-page-context", add_files)
    app.connect("env-check-consistency", check_ids)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
