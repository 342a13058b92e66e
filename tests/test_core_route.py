"""The core route: part 1 is the 35–40-minute module of the source material, complete on its own;
the landing card and every part say so, and part 1 marks what goes further."""

import re

import pytest
from support.pages import read_page

PARTS = (
    "module_9_2_2/index.html",
    "module_9_2_2/inside_a_conv_layer.html",
    "module_9_2_2/trained_network.html",
)
#: The paragraphs of part 1 that can wait for a second pass, by their first words.
FURTHER = (
    "Try it: shapes through a whole network.",
    "You can see where training starts.",
    "Reflection.",
    "Challenge: animate the filter.",
)


def words(element):
    return " ".join(element.get_text(" ").split()).replace("’", "'")


def test_the_landing_card_names_the_core_route(site):
    card = read_page(site, "index.html").select_one(".sd-card")
    text = words(card)
    assert "Core route : part 1, 35–40 minutes, is the module on its own; parts 2 and 3 go further" in text
    durations = re.search(r"\((\d+)–(\d+) min\).*\((\d+)–(\d+) min\).*\((\d+)–(\d+) min\)", text).groups()
    low, high = sum(map(int, durations[::2])), sum(map(int, durations[1::2]))
    assert low <= 150 <= high and "about 2½ hours in all" in text  # 2½ hours lies within the parts' sum


@pytest.mark.parametrize("path", PARTS)
def test_every_part_says_at_its_top_where_the_core_is(site, path):
    page = read_page(site, path)
    (note,) = page.select("div.admonition.core-route")
    first_section = page.select_one("section section")
    assert note.find_parent("section").find("h1") and first_section.find_previous("div", class_="core-route")
    text = words(note)
    if path.endswith("index.html"):
        assert text.startswith("Core route: this page, 35–40 minutes This page is the module's core")
        assert note.select_one("a[href^='inside_a_conv_layer.html']")
    else:
        assert (
            "The module's 35–40-minute core is part 1 , complete on its own. This part goes further" in text
        )
        assert note.select_one("a[href^='index.html']")


def test_part1_names_the_sections_of_the_core_and_they_are_there(site):
    page = read_page(site, PARTS[0])
    note = words(page.select_one("div.core-route"))
    assert "the overview, the quick start, the three concepts, exercises 1 to 3 and the summary" in note
    headings = [words(h).rstrip("#").strip() for h in page.select("h2, h3")]
    for start in ("Overview", "Quick start", "Concept 1", "Concept 2", "Concept 3", "Summary"):
        assert any(h.startswith(start) for h in headings), start
    for number in (1, 2, 3):
        assert any(h.startswith(f"Exercise {number}:") for h in headings), number


def test_part1_marks_what_goes_further_and_the_other_parts_need_no_marks(site):
    page = read_page(site, PARTS[0])
    badges = [b for b in page.select("span.sd-badge") if words(b) == "going further"]
    marked = [words(b.parent).removeprefix("going further ") for b in badges[1:]]  # the first is the note's
    assert badges[0].find_parent("div", class_="core-route")
    assert len(marked) == len(FURTHER)
    for paragraph, start in zip(marked, FURTHER):
        assert paragraph.startswith(start), paragraph[:60]
    for badge in badges[1:]:  # each opens its paragraph
        assert badge.parent.name == "p" and words(badge.parent).startswith("going further")
    for path in PARTS[1:]:
        assert not [b for b in read_page(site, path).select("span.sd-badge") if words(b) == "going further"]


def test_part1_stands_on_its_own(site):
    """Its exercises' files are linked from it, and every source it cites is listed on it."""
    page = read_page(site, PARTS[0])
    linked = {a["href"].rsplit("/", 1)[-1] for a in page.select("a[href]")}
    assert {"cnn_visualization.py", "exercise3.zip", "cnn_solution.py"} <= linked
    targets = [a["href"] for a in page.select("a.reference.internal") if re.fullmatch(r"\[\w+\]", words(a))]
    assert len(targets) >= 10
    for target in targets:
        assert target.startswith("#"), f"part 1 cites {target}, a reference listed on another page"
