"""The record of what each figure script read and saved, and which scripts must run again.

The record, ``figures.json`` in the generated folder, holds for every figure
script (named relative to the scripts folder, e.g. ``part1_filters/plot_01_x.py``)
the hash of its text, the hash of every project file it used (the modules it
imports, the downloads and data files it read: :mod:`coursesite.recording`), and
the hash of every file it saved. A script must run again when any of these
differs from what is in the tree now, when it reads a file that a script about
to run makes, or when it never ran. Generated files that no script claims are
removed; two scripts cannot claim one name.
"""

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from coursesite.hashing import PACKAGE_FILES, file_hash

MANIFEST_NAME = "figures.json"
#: The record file's format. Raised whenever what a record means changes (3: conf.py joined the
#: shared inputs; 4: a script that ran again in an incremental build records the default thumbnail
#: as a clean build does; 5: constraints.txt joined them), so that records written before are read
#: as missing and every script runs once.
FORMAT = 5
#: Glob of the figure scripts, relative to the scripts folder (one folder per part of the module).
SCRIPT_GLOB = "*/plot_*.py"
#: Files every script depends on, relative to the project's root, when they exist: the pinned
#: packages the build runs with, direct or not (the Makefile makes the virtual environment again
#: when they change), and the configuration, whose gallery settings shape what each script's page shows.
SHARED_INPUTS = (*PACKAGE_FILES, "conf.py", "coursesite/gallery_images.py")


@dataclass(frozen=True)
class Project:
    """Where a site's figure scripts, their outputs and the files they may use live."""

    root: Path  # inputs are named relative to it
    scripts_dir: Path
    generated_dir: Path
    #: Folders whose files are never inputs (the build's own output, sphinx-gallery's copies, tools).
    ignored: tuple = ()

    def scripts(self):
        """Every figure script, as a path relative to the scripts folder."""
        return figure_scripts(self.scripts_dir)

    def script_path(self, script):
        return self.scripts_dir / script

    def input_name(self, path):
        """A file's name as an input (relative to the root, posix), or None if it cannot be one."""
        path = Path(path)
        if (
            any(path.is_relative_to(folder) for folder in self.ignored)
            or path == self.generated_dir / MANIFEST_NAME
        ):
            return None
        if not path.is_relative_to(self.root) or "__pycache__" in path.parts:
            return None
        return path.relative_to(self.root).as_posix()


@dataclass
class ScriptRecord:
    """What one run of a script used and made: {name: content hash}."""

    text: str
    inputs: dict = field(default_factory=dict)
    outputs: dict = field(default_factory=dict)


def figure_scripts(scripts_dir):
    """Every figure script under scripts_dir, relative to it (e.g. ``part1_filters/plot_01_x.py``)."""
    return sorted(path.relative_to(scripts_dir).as_posix() for path in Path(scripts_dir).glob(SCRIPT_GLOB))


# -- The record file ------------------------------------------------------------------------


def _valid_hashes(value):
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def read_manifest(generated_dir):
    """{script: ScriptRecord}, or None when the record is missing or damaged."""
    try:
        data = json.loads((Path(generated_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (
        isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("scripts"), dict)
    ):
        return None
    records = {}
    for script, entry in data["scripts"].items():
        if not (isinstance(entry, dict) and isinstance(entry.get("text"), str)):
            return None
        if not (_valid_hashes(entry.get("inputs")) and _valid_hashes(entry.get("outputs"))):
            return None
        if any(Path(name).name != name for name in entry["outputs"]):
            return None
        records[script] = ScriptRecord(entry["text"], dict(entry["inputs"]), dict(entry["outputs"]))
    names = [name for record in records.values() for name in record.outputs]
    return records if len(names) == len(set(names)) else None


def write_manifest(records, generated_dir):
    """Write the record atomically (a temporary file renamed over the old one)."""
    folder = Path(generated_dir)
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "format": FORMAT,
        "scripts": {
            script: {"text": record.text, "inputs": record.inputs, "outputs": record.outputs}
            for script, record in sorted(records.items())
        },
    }
    temporary = folder / f".{MANIFEST_NAME}.tmp"
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, folder / MANIFEST_NAME)


def owner_of(records, name):
    """The script whose record claims the output name, or None."""
    return next((script for script, record in records.items() if name in record.outputs), None)


# -- Which scripts run ----------------------------------------------------------------------


class _Hashes:
    """File hashes, each file read once (None for a file that is not there)."""

    def __init__(self):
        self._known = {}

    def __call__(self, path):
        if path not in self._known:
            self._known[path] = file_hash(path) if path.is_file() else None
        return self._known[path]


def _own_reason(project, script, record, hashes):
    """Why the script must run judged by its own record, or None."""
    if record is None:
        return "no run of it is recorded"
    if hashes(project.script_path(script)) != record.text:
        return "its text changed"
    for name, recorded in sorted(record.inputs.items()):
        now = hashes(project.root / name)
        if now != recorded:
            return f"{name} is gone" if now is None else f"{name} changed"
    for name, recorded in sorted(record.outputs.items()):
        now = hashes(project.generated_dir / name)
        if now != recorded:
            return f"{name} is missing" if now is None else f"{name} is not what it saved"
    return None


def _why_unreadable(path):
    """Why the record file at path gives no records: missing, written by another format, or damaged."""
    if not path.exists():
        return "there is no record of outputs"
    try:
        found = json.loads(path.read_text(encoding="utf-8")).get("format")
    except (OSError, ValueError, AttributeError):
        found = None
    if isinstance(found, int) and found != FORMAT:
        return "the record of outputs was written by an earlier build"
    return "the record of outputs is damaged"


def scripts_to_run(project, records, also=()):
    """{script: why it must run}, in script order.

    records is read_manifest's result (None: every script runs); also names
    scripts that run anyway (sphinx-gallery's own reasons). A script that reads
    a generated file whose maker runs runs too.
    """
    scripts = project.scripts()
    if records is None:
        reason = _why_unreadable(project.generated_dir / MANIFEST_NAME)
        return {script: reason for script in scripts}
    hashes = _Hashes()
    reasons = {}
    for script in scripts:
        reason = _own_reason(project, script, records.get(script), hashes)
        if reason is None and script in also:
            reason = "its gallery page is out of date"
        if reason is not None:
            reasons[script] = reason
    changed = True
    while changed:  # through chains: a reads what b makes, b reads what c makes
        changed = False
        for script in scripts:
            if script in reasons:
                continue
            for name, maker in generated_reads(project, records, script):
                if maker in reasons:
                    reasons[script] = f"it reads {name}, which {maker} makes again"
                    changed = True
                    break
    return {script: reasons[script] for script in scripts if script in reasons}


def generated_reads(project, records, script):
    """(name, maker) for each generated file the script's record says it read that another
    script's record says it made, in name order."""
    generated = project.generated_dir.relative_to(project.root).as_posix() + "/"
    record = records.get(script)
    for name in sorted(record.inputs) if record else ():
        if name.startswith(generated):
            maker = owner_of(records, name[len(generated) :])
            if maker is not None and maker != script:
                yield name[len(generated) :], maker


def same_section_reads(project, records, scripts):
    """(script, maker, name) for each of scripts that reads a generated file, name, that another of
    scripts in the same gallery section (folder) makes."""
    for script in sorted(scripts):
        for name, maker in generated_reads(project, records, script):
            if maker in scripts and Path(maker).parent == Path(script).parent:
                yield script, maker, name


def unclaimed_files(project, records):
    """Files of the generated folder that no existing script's record claims."""
    folder = project.generated_dir
    if not folder.is_dir():
        return []
    scripts = set(project.scripts())
    claimed = {
        name for script, record in (records or {}).items() if script in scripts for name in record.outputs
    }
    return sorted(p.name for p in folder.iterdir() if p.name != MANIFEST_NAME and p.name not in claimed)


def prepare(project, also=()):
    """Bring the generated folder in line with the tree before the scripts run.

    Removes the files no script claims, and what the scripts about to run made
    before, and drops their records (what a script saves after it ran again is
    then what it saves now). Returns ({script: why it runs}, [files no script makes any more]).
    """
    records = read_manifest(project.generated_dir)
    running = scripts_to_run(project, records, also)
    existing = set(project.scripts())
    claimed = {script: record for script, record in (records or {}).items() if script in existing}
    orphans = unclaimed_files(project, claimed)
    kept = {script: record for script, record in claimed.items() if script not in running}
    for name in unclaimed_files(project, kept):
        path = project.generated_dir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    write_manifest(kept, project.generated_dir)
    return running, orphans
