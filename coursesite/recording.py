"""Around each figure script: where its saves go, which project files it uses, what it made.

sphinx-gallery calls two of its documented hooks around every example it runs
(conf.py names them): :func:`start_script` as ``reset_argv``, just before the
script runs, with the script's path; :func:`end_script` as one of the
``reset_modules``, before and after. While a script runs, its saves go into the
generated folder (:func:`convviz.figure_output.save_into`), each name claimed
for it (a name another script's record holds stops the build), and every
project file it opens for reading is noted (through an audit hook). When it
ends, its record (:mod:`coursesite.outputs`) holds the hash of its text, of
every project module it imports (:mod:`coursesite.imports`) and file it read,
and of every file it saved; it joins the record file at once.

The scripts may run in sphinx-gallery's worker processes (its ``parallel``
option): the hooks then run there. The build hands them the project in the
gallery configuration (:func:`plan`, under :data:`PLAN_KEY`), and every script,
in whatever process, adds its record to the record file under a lock on the
generated folder, where a name two scripts saved is found even when the two
ran at the same time.
"""

import fcntl
import gc
import importlib.util
import os
import re
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path

from convviz import figure_output
from coursesite import outputs, shared_training
from coursesite.hashing import file_hash
from coursesite.imports import imported_files

#: The gallery configuration's entry that carries the project to the hooks, in any process.
PLAN_KEY = "course_recording"
#: The plan's entry naming the folder of the build's shared training (coursesite.shared_training).
TRAINING_KEY = "shared_training"


class DuplicateOutput(ValueError):
    """Two figure scripts save a file of the same name."""


def duplicate_message(script, name, owner):
    return f"{script} saves {name}, which {owner} saves too: every output needs a name of its own"


class ScriptRun:
    """One figure script while it runs: the names it saves, the files it reads."""

    def __init__(self, project, records, script):
        self.project, self.records, self.script = project, records, script
        self.saved, self.read = set(), set()
        self.figures = []  # (name, figure) of each figure saved and not yet on the gallery page

    def shown(self, name, figure):
        """Note a figure saved as name: the gallery page shows that file (coursesite.gallery_images)."""
        self.figures.append((name, figure))

    def take_figures(self):
        """The figures saved since the last call, in order, as (name, figure)."""
        figures, self.figures = self.figures, []
        return figures

    def claim(self, name):
        if name == outputs.MANIFEST_NAME:
            raise ValueError(f"{self.script}: {name} is the build's own record; choose another name")
        owner = outputs.owner_of(self.records, name)
        if owner is not None and owner != self.script:
            raise DuplicateOutput(duplicate_message(self.script, name, owner))
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
        imported = set(imported_files(script_path, [script_path.parent, self.project.root]))
        files = set(imported)
        for name in self.read:
            path = Path(name)
            if path.suffix == ".pyc" and path.parent.name == "__pycache__":
                try:
                    path = Path(importlib.util.source_from_cache(name))
                except ValueError:
                    continue
            path = path.resolve()
            files.add(path)
            if path.suffix == ".py" and path not in imported and self.project.input_name(path) is not None:
                # a project module the script loaded from its file (a download): what that imports
                # too, which an earlier script of this process may have imported already, unseen here
                files.update(imported_files(path, [path.parent, self.project.root]))
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


@contextmanager
def locked(folder):
    """Hold an exclusive lock on folder (the build's processes take turns with the record file)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def add_record(project, script, record):
    """Add a script's record to the record file; DuplicateOutput if another record holds one of its names."""
    with locked(project.generated_dir):
        records = outputs.read_manifest(project.generated_dir) or {}
        for name in record.outputs:
            owner = outputs.owner_of(records, name)
            if owner is not None and owner != script:
                raise DuplicateOutput(duplicate_message(script, name, owner))
        records[script] = record
        outputs.write_manifest(records, project.generated_dir)


def plan(project):
    """The project as plain values, for PLAN_KEY (the gallery configuration reaches worker processes)."""
    return {
        "root": str(project.root),
        "scripts_dir": str(project.scripts_dir),
        "generated_dir": str(project.generated_dir),
        "ignored": [str(folder) for folder in project.ignored],
    }


def project_of(gallery_conf):
    """The project the build put into gallery_conf (see :func:`plan`), or None."""
    values = gallery_conf.get(PLAN_KEY)
    if not values:
        return None
    return outputs.Project(
        Path(values["root"]),
        Path(values["scripts_dir"]),
        Path(values["generated_dir"]),
        tuple(Path(folder) for folder in values["ignored"]),
    )


#: The site whose figure scripts this process's build runs (set by the build; for its error reports).
_project = None
#: The figure script running in this process, if any.
_run = None
_audit_installed = False


def _audit(event, args):
    if event == "open" and _run is not None:
        try:
            _run.opened(*args[:3])
        except Exception:  # an error raised here would stop the script's own open()
            pass


def _install_audit_hook():
    global _audit_installed
    if not _audit_installed:
        sys.addaudithook(_audit)  # an audit hook cannot be removed: installed once, idle between scripts
        _audit_installed = True


def use_project(project):
    """The build's site from now on (None: the build ended); forgets any script running."""
    global _project
    abandon()
    _project = project


def failure_place(error):
    """(script, line or None) of the figure script in whose code error was raised, or None.

    The script ran in this process (the one running now), or in a worker process of
    sphinx-gallery's parallel run: joblib then gives the worker's traceback, as text, as the
    error's cause, and the innermost of its frames in a figure script names the script.
    """
    if _run is not None:
        path = running_script_path()
        lines = [
            frame.lineno
            for frame in traceback.extract_tb(error.__traceback__)
            if Path(frame.filename).resolve() == path
        ]
        return _run.script, (lines[-1] if lines else None)
    if _project is None or error.__cause__ is None:
        return None
    scripts_dir = _project.scripts_dir.resolve()
    frames = re.findall(r'^\s*File "([^"\n]+)", line (\d+)', str(error.__cause__), re.M)
    for filename, line in reversed(frames):
        path = Path(filename).resolve()
        if path.is_relative_to(scripts_dir) and path.match(outputs.SCRIPT_GLOB):
            return path.relative_to(scripts_dir).as_posix(), int(line)
    return None


def running_script():
    """The figure script running in this process now (relative to the scripts folder), or None."""
    return None if _run is None else _run.script


def running_run():
    """The ScriptRun of the figure script running in this process now, or None."""
    return _run


def running_script_path():
    """The file of the figure script running in this process now, or None."""
    return None if _run is None else _run.project.script_path(_run.script).resolve()


def start_script(gallery_conf, script_vars):
    """sphinx-gallery's ``reset_argv``: route the saves of the script about to run; it gets no arguments."""
    global _run
    abandon()
    freeze_survivors()
    project = project_of(gallery_conf)
    if _project is None:  # a worker process: the training the build shares, if it does
        shared_training.attach(gallery_conf.get(PLAN_KEY, {}).get(TRAINING_KEY))
    path = Path(script_vars["src_file"]).resolve()
    if project is not None and path.is_relative_to(project.scripts_dir.resolve()):
        if _project is None:  # a worker process of sphinx-gallery's parallel run: log as the build does
            from sphinx.util.console import disable_colour, terminal_supports_colour

            if not terminal_supports_colour():
                disable_colour()
        _install_audit_hook()
        script = path.relative_to(project.scripts_dir.resolve()).as_posix()
        with locked(project.generated_dir):
            records = outputs.read_manifest(project.generated_dir) or {}
        _run = ScriptRun(project, records, script)
        figure_output.save_into(project.generated_dir, claim=_run.claim, shown=_run.shown)
    return []


def freeze_survivors():
    """Collect the garbage of the scripts that ran in this process, then leave every object still
    alive out of later collections (gc.freeze).

    sphinx-gallery calls gc.collect() just after this, before every script. Without the freeze each
    of those calls walked every object loaded so far (Sphinx's, NumPy's, matplotlib's, the earlier
    scripts' modules): in the build's own process (one figure job) about 7 s of CPU per clean build.
    Frozen objects are never freed; they are the ones the process keeps anyway."""
    gc.collect()
    gc.freeze()


def end_script(gallery_conf, fname, when):
    """sphinx-gallery's ``reset_modules`` hook: after a script, add its record to the record file."""
    global _run
    if when != "after" or _run is None:
        abandon()
        return
    run, _run = _run, None
    figure_output.save_into(None)
    add_record(run.project, run.script, run.record())


def abandon():
    """Forget the script running now, if any (it failed): its saves go back to their default place."""
    global _run
    _run = None
    figure_output.save_into(None)
