"""Around each figure script: where its saves go, which project files it uses, what it made.

sphinx-gallery calls two of its documented hooks around every example it runs
(conf.py names them): :func:`start_script` as ``reset_argv``, just before the
script runs, with the script's path; :func:`end_script` as one of the
``reset_modules``, before and after. While a script runs, its saves go into the
generated folder (:func:`convviz.figure_output.save_into`), each name claimed
for it (a name another script saves stops the build), and every project file it
opens for reading is noted (through an audit hook). When it ends, its record
(:mod:`coursesite.outputs`) holds the hash of its text, of every project module
it imports (:mod:`coursesite.imports`) and file it read, and of every file it saved.
"""

import importlib.util
import os
import sys
from pathlib import Path

from convviz import figure_output
from coursesite import outputs
from coursesite.hashing import file_hash
from coursesite.imports import imported_files


class DuplicateOutput(ValueError):
    """Two figure scripts save a file of the same name."""


class ScriptRun:
    """One figure script while it runs: the names it saves, the files it reads."""

    def __init__(self, project, records, script):
        self.project, self.records, self.script = project, records, script
        self.saved, self.read = set(), set()

    def claim(self, name):
        if name == outputs.MANIFEST_NAME:
            raise ValueError(f"{self.script}: {name} is the build's own record; choose another name")
        owner = outputs.owner_of(self.records, name)
        if owner is not None and owner != self.script:
            raise DuplicateOutput(
                f"{self.script} saves {name}, which {owner} saves too: every output needs a name of its own"
            )
        self.saved.add(name)

    def opened(self, path, mode, flags):
        """Note a file opened for reading (an audit "open" event)."""
        if isinstance(path, int) or path is None:
            return
        if mode is not None and any(letter in mode for letter in "wax+"):
            return
        if mode is None and flags & (os.O_WRONLY | os.O_RDWR):
            return
        self.read.add(os.path.abspath(os.fsdecode(path)))

    def inputs(self):
        """{input name: hash}: the project files the script imports or read, and the shared inputs."""
        script_path = self.project.script_path(self.script).resolve()
        files = set(imported_files(script_path, [script_path.parent, self.project.root]))
        for name in self.read:
            path = Path(name)
            if path.suffix == ".pyc" and path.parent.name == "__pycache__":
                try:
                    path = Path(importlib.util.source_from_cache(name))
                except ValueError:
                    continue
            files.add(path.resolve())
        files |= {(self.project.root / name).resolve() for name in outputs.SHARED_INPUTS}
        own = {(self.project.generated_dir / name).resolve() for name in self.saved} | {script_path}
        found = {}
        for path in sorted(files - own):
            name = self.project.input_name(path)
            if name is not None and path.is_file():
                found[name] = file_hash(path)
        return found

    def record(self):
        """The script's record, from what it used and saved."""
        return outputs.ScriptRecord(
            text=file_hash(self.project.script_path(self.script)),
            inputs=self.inputs(),
            outputs={name: file_hash(self.project.generated_dir / name) for name in sorted(self.saved)},
        )


#: The site being built (set by the build before the scripts run) and its records, and the script running.
_project = None
_records = None
_run = None
_audit_installed = False


def _audit(event, args):
    if event == "open" and _run is not None:
        try:
            _run.opened(*args[:3])
        except Exception:  # an error raised here would stop the script's own open()
            pass


def use_project(project, records):
    """Record the figure scripts of project from now on (records: what prepare() kept); None stops."""
    global _project, _records, _audit_installed
    abandon()
    _project, _records = project, records
    if project is not None and not _audit_installed:
        sys.addaudithook(
            _audit
        )  # an audit hook cannot be removed: this one is installed once, idle between scripts
        _audit_installed = True


def running_script():
    """The figure script running now (relative to the scripts folder), or None."""
    return None if _run is None else _run.script


def running_script_path():
    """The file of the figure script running now, or None."""
    return None if _run is None else _project.script_path(_run.script).resolve()


def start_script(gallery_conf, script_vars):
    """sphinx-gallery's ``reset_argv``: route the saves of the script about to run; it gets no arguments."""
    global _run
    abandon()
    path = Path(script_vars["src_file"]).resolve()
    if _project is not None and path.is_relative_to(_project.scripts_dir.resolve()):
        script = path.relative_to(_project.scripts_dir.resolve()).as_posix()
        _run = ScriptRun(_project, _records, script)
        figure_output.save_into(_project.generated_dir, claim=_run.claim)
    return []


def end_script(gallery_conf, fname, when):
    """sphinx-gallery's ``reset_modules`` hook: after a script, write its record."""
    global _run
    if when != "after" or _run is None:
        abandon()
        return
    run, _run = _run, None
    figure_output.save_into(None)
    _records[run.script] = run.record()
    outputs.write_manifest(_records, _project.generated_dir)


def abandon():
    """Forget the script running now, if any (it failed): its saves go back to their default place."""
    global _run
    _run = None
    figure_output.save_into(None)
