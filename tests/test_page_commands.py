"""Every shell command a page shows runs as printed, in a folder holding what that page offers.

A learner copies a command from a page into a folder where they saved the page's downloads
(and unpacked its zips). For each module page this test does the same: it saves every file the
page links for download into an empty folder, unpacks the zips there, and runs each command of
the page's console blocks and each ``python ...`` command of its prose. A command shown with
the output it prints must print exactly that output; any other command must end normally, or,
for an exercise starter whose TODOs are still open, with the self-check naming the first one.
"""

import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from urllib.parse import unquote, urlparse

import pytest
from support.pages import read_page

PAGES = [
    "module_9_2_2/index.html",
    "module_9_2_2/inside_a_conv_layer.html",
    "module_9_2_2/trained_network.html",
]


def commands(soup):
    """(command, printed output or None) for every command the page shows, in page order."""
    found = []
    for block in soup.select("div.highlight-console pre"):
        lines = block.get_text().splitlines()
        starts = [n for n, line in enumerate(lines) if line.startswith("$ ")]
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else len(lines)
            output = "\n".join(lines[start + 1 : end]).strip("\n")
            found.append((lines[start][2:].strip(), output or None))
    for literal in soup.select("p code.literal"):
        text = " ".join(literal.get_text().split())
        if text.startswith("python ") and text.split()[1].endswith(".py"):
            found.append((text, None))
    return found


def offered_files(site, page, soup):
    """The files the page links for download, as paths in the built site."""
    files = set()
    for link in soup.select("a[href]"):
        href = urlparse(link["href"])
        if href.scheme or href.netloc or not re.search(r"(^|/)_?downloads/", href.path):
            continue
        path = (site / page).parent / unquote(href.path)
        if path.is_file():
            files.add(path.resolve())
    return sorted(files)


def learner_folder(tmp_path, files):
    """An empty folder with the files in it and every zip unpacked beside them."""
    for path in files:
        shutil.copyfile(path, tmp_path / path.name)
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                archive.extractall(tmp_path)
    return tmp_path


def where_to_run(folder, script):
    """The folder a learner runs script in: the unpacked exercise folder holding it, else the top."""
    unpacked = [sub for sub in sorted(folder.iterdir()) if sub.is_dir() and (sub / script).is_file()]
    if unpacked:
        return unpacked[0]
    assert (folder / script).is_file(), f"the page shows `python {script}` but offers no {script}"
    return folder


@pytest.mark.parametrize("page", PAGES)
def test_every_command_a_page_shows_runs_as_printed(site, tmp_path, page):
    soup = read_page(site, page)
    shown = commands(soup)
    assert shown, f"{page} shows no command"
    folder = learner_folder(tmp_path, offered_files(site, page, soup))
    for command, printed in shown:
        words = shlex.split(command)
        assert words[0] == "python", command
        cwd = where_to_run(folder, words[1])
        result = subprocess.run(
            [sys.executable, *words[1:]], cwd=cwd, capture_output=True, text=True, timeout=300
        )
        said = result.stdout + result.stderr
        assert "Traceback" not in said and "No such file" not in said, f"`{command}`: {said[-400:]}"
        if printed is not None:
            assert result.returncode == 0, f"`{command}` stopped: {said[-400:]}"
            assert result.stdout.strip("\n") == printed, f"`{command}` prints something else than the page"
        elif words[1].endswith("_starter.py") and result.returncode != 0:
            # The starter as downloaded: the self-check names the first TODO still open.
            assert result.returncode == 1 and "TODO 1 is still open" in said, f"`{command}`: {said[-400:]}"
        else:
            assert result.returncode == 0, f"`{command}` stopped: {said[-400:]}"


def test_the_commands_are_found_in_the_pages_as_shown(site):
    """The extraction sees the commands a reader sees (a check of the test itself)."""
    shown = {command for page in PAGES for command, _ in commands(read_page(site, page))}
    assert "python cnn_visualization.py --random-filters 8 --seed 3 --image cameraman.png" in shown
    assert "python occlusion_starter.py --check" in shown
    assert "python tiny_cnn_starter.py --check" in shown


def test_a_command_needing_a_file_the_page_does_not_offer_is_caught(site, tmp_path):
    """Before the photo was offered, part 1's random-filters command failed in a learner's folder."""
    soup = read_page(site, PAGES[0])
    files = [path for path in offered_files(site, PAGES[0], soup) if path.name != "cameraman.png"]
    folder = learner_folder(tmp_path, files)
    command = "--random-filters 8 --seed 3 --image cameraman.png".split()
    result = subprocess.run(
        [sys.executable, "cnn_visualization.py", *command],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0 and "cameraman.png" in result.stderr
    assert any(path.name == "cameraman.png" for path in offered_files(site, PAGES[0], soup))
