"""The core route: part 1 is the module of the source material, complete on its own; the landing
card and every part say so, and part 1 marks what goes further. The durations they state agree:
the landing card's with each part's, part 1's with the sum of its timed activities."""

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


def minutes(text):
    """(low, high) of '85', '60–90' or 'about 60'."""
    low, _, high = text.replace("about ", "").partition("–")
    return int(low), int(high or low)


def part_duration(site, path):
    """(low, high) minutes of a part's Duration field, and the field's text."""
    field = words(read_page(site, path).select_one("dl.field-list"))
    found = re.search(r"Duration : (?:about )?(\d+(?:–\d+)?) minutes", field)
    return minutes(found.group(1)), field


def test_the_landing_card_names_the_core_route_and_its_durations_add_up(site):
    card = read_page(site, "index.html").select_one(".sd-card")
    text = words(card)
    parts = re.findall(r"\((\d+(?:–\d+)?) min\)", text)
    assert len(parts) == 3
    for shown, path in zip(parts, PARTS, strict=True):
        assert minutes(shown) == part_duration(site, path)[0], path
    core = re.search(r"Core route : part 1, (\d+) minutes with its three exercises \((\d+) to read it", text)
    assert core and (int(core.group(1)),) * 2 == minutes(parts[0]) and int(core.group(2)) < int(core.group(1))
    assert "is the module on its own; parts 2 and 3 go further" in text
    low, high = (sum(minutes(p)[k] for p in parts) for k in (0, 1))
    hours = re.search(r"about (\d)(½?)(?:–(\d)(½?))? hours in all", text).groups()
    first = int(hours[0]) + 0.5 * bool(hours[1])
    last = int(hours[2]) + 0.5 * bool(hours[3]) if hours[2] else first
    assert abs(first * 60 - low) <= 15 and abs(last * 60 - high) <= 15, (hours, low, high)


def test_part_1s_duration_is_the_sum_of_its_timed_activities(site):
    (low, high), field = part_duration(site, PARTS[0])
    shown = re.search(
        r"reading (\d+), the explorer and the questions (\d+), exercises 1 and 2 (\d+), exercise 3 (\d+)",
        field,
    )
    assert shown and low == high == sum(map(int, shown.groups()))
    later = re.search(r"parts 2 and 3 take about (\S+) and (\S+) minutes more", field).groups()
    assert minutes(later[0]) == part_duration(site, PARTS[1])[0]
    assert minutes(later[1]) == part_duration(site, PARTS[2])[0]


@pytest.mark.parametrize("path", PARTS)
def test_every_part_says_at_its_top_where_the_core_is(site, path):
    page = read_page(site, path)
    (note,) = page.select("div.admonition.core-route")
    first_section = page.select_one("section section")
    assert note.find_parent("section").find("h1") and first_section.find_previous("div", class_="core-route")
    text = words(note)
    if path.endswith("index.html"):
        assert text.startswith("Core route: this page This page is the module's core")
        assert f"about {part_duration(site, path)[0][0]} minutes in all" in text
        assert note.select_one("a[href^='inside_a_conv_layer.html']")
    else:
        part1 = part_duration(site, PARTS[0])[0][0]
        assert (
            f"The module's core is part 1 , about {part1} minutes, complete on its own. This part goes"
            in text
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
