"""The hosting configurations parse and publish what `make html` builds."""

import yaml
from conftest import ROOT


def test_read_the_docs_builds_with_make_html():
    config = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text())
    assert config["version"] == 2
    assert config["build"]["tools"]["python"] == "3.11"
    commands = config["build"]["commands"]
    assert commands[0] == "make html"
    assert any("_build/html" in command and "$READTHEDOCS_OUTPUT/html" in command for command in commands)


def test_github_pages_workflow_builds_with_make_html_and_uploads_the_site():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    assert {"run": "make html", "name": "Build the site"} in steps
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert any(step.get("uses", "").startswith("actions/deploy-pages") for step in deploy["steps"])
    # yaml reads the bare key `on` as True
    assert workflow[True]["push"]["branches"] == ["main"]


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
