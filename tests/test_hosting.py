"""The hosting and CI configurations give the build what `make html` needs, and the lock is used."""

import importlib.metadata
import re
import subprocess

import yaml
from conftest import ROOT

#: The Read the Docs build tool that provides each program the Makefile looks for.
READ_THE_DOCS_TOOLS = {"python3": "python", "node": "nodejs"}


def load(path):
    return yaml.safe_load((ROOT / path).read_text())


def planned_commands(*targets):
    """The shell commands `make` would run for targets on a fresh clone (make -n -B: nothing runs)."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", *targets],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def version(text):
    return tuple(int(part) for part in text.split("."))


def steps_using(workflow, action):
    return [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith(action)
    ]


def test_read_the_docs_provides_every_program_make_html_looks_for():
    """Each program the html target checks for is declared (make html stops without Node.js)."""
    config = load(".readthedocs.yaml")
    planned = planned_commands("html")
    checked = re.findall(r"command -v (\S+)", planned)
    assert "node" in checked and "python3" in checked
    tools, packages = config["build"]["tools"], config["build"].get("apt_packages", [])
    for program in checked:
        assert READ_THE_DOCS_TOOLS.get(program) in tools or program in packages, program
    minimum = re.search(r"install Python (\d+\.\d+) or newer", planned)[1]
    assert version(tools["python"]) >= version(minimum)


def test_read_the_docs_builds_with_make_html_and_publishes_what_it_built():
    config = load(".readthedocs.yaml")
    assert config["version"] == 2
    commands = config["build"]["commands"]
    assert commands[0] == "make html"
    assert any("_build/html" in command and "$READTHEDOCS_OUTPUT/html" in command for command in commands)
    # The Makefile installs the packages; Read the Docs' own install or Sphinx run would differ from it.
    assert "python" not in config and "sphinx" not in config


def test_every_host_and_ci_uses_the_same_python_and_node():
    tools = load(".readthedocs.yaml")["build"]["tools"]
    for path in (".github/workflows/tests.yml", ".github/workflows/pages.yml"):
        workflow = load(path)
        assert [s["with"]["python-version"] for s in steps_using(workflow, "actions/setup-python")] == [
            tools["python"]
        ], path
        assert [s["with"]["node-version"] for s in steps_using(workflow, "actions/setup-node")] == [
            tools["nodejs"]
        ], path


def test_ci_runs_what_a_new_user_runs_on_every_push_and_pull_request():
    workflow = load(".github/workflows/tests.yml")
    triggers = workflow[True]  # yaml reads the bare key `on` as True
    assert "push" in triggers and "pull_request" in triggers
    assert (triggers["push"] or {}).get("branches") is None, "every branch is tested"
    runs = [step.get("run") for job in workflow["jobs"].values() for step in job["steps"]]
    assert ".ci/run" in runs
    assert "make test" in (ROOT / ".ci" / "run").read_text().splitlines()


def test_github_pages_workflow_builds_with_make_html_and_uploads_the_site():
    workflow = load(".github/workflows/pages.yml")
    steps = workflow["jobs"]["build"]["steps"]
    assert {"run": "make html", "name": "Build the site"} in steps
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert any(step.get("uses", "").startswith("actions/deploy-pages") for step in deploy["steps"])
    assert workflow[True]["push"]["branches"] == ["main"]


def pins(path):
    """{normalized name: version} of the name==version lines of a requirements or constraints file."""
    found = {}
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, separator, pinned = line.partition("==")
            assert separator and pinned, f"{path}: {line!r} is not pinned with =="
            found[re.sub(r"[-_.]+", "-", name).lower()] = pinned
    return found


def test_every_install_of_the_makefile_uses_the_lock():
    """pip installs uv, uv installs requirements.txt, then requirements-test.txt: each pinned by the lock."""
    installs = re.findall(r"pip install [^;&|]*", planned_commands("venv", "test-venv"))
    assert [re.search(r"-r (\S+)|(\buv)$", line.strip()).group(1, 2) for line in installs] == [
        (None, "uv"),
        ("requirements.txt", None),
        ("requirements-test.txt", None),
    ]
    assert all("-c constraints.txt" in line for line in installs), installs


def test_the_lock_pins_the_direct_requirements_and_the_venv_holds_it():
    """constraints.txt pins what requirements*.txt pin, and every other package the venv got with them."""
    locked = pins("constraints.txt")
    direct = {**pins("requirements.txt"), **pins("requirements-test.txt")}
    assert {name: locked.get(name) for name in direct} == direct
    assert len(locked) > len(direct) + 20, "the indirect dependencies are pinned too"
    installed = {name: importlib.metadata.version(name) for name in locked}
    assert installed == locked


def test_site_works_from_a_sub_path(site):
    """Static hosts serve the site under /<project>/: no page may use a root-absolute URL."""
    from bs4 import BeautifulSoup

    for page in site.rglob("*.html"):
        if "_static" in page.relative_to(site).parts:
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.select("[href], [src]"):
            url = tag.get("href") or tag.get("src")
            assert not url.startswith("/"), f"{page.relative_to(site)}: {url}"
