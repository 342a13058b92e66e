"""Sphinx extension: the figure scripts' outputs kept in line with the tree, on every build.

Before sphinx-gallery runs, the generated files are brought in line with the
tree (:mod:`coursesite.outputs`), so that whatever was edited, renamed, deleted
or damaged, the build shows what a clean build would show:

* files no figure script makes any more, and gallery pages of scripts that no
  longer exist, are removed;
* every script whose record says it must run (its text, a module it imports, a
  file it read or one of its outputs changed, or it never ran) loses its
  sphinx-gallery md5 cache, so it runs, and its gallery page is read again (its
  plots are not Sphinx dependencies of the page);
* while each script runs, :mod:`coursesite.recording` (sphinx-gallery's hooks,
  named in conf.py) sends its saves into the generated folder and records them;
* the scripts of each gallery section run in ``course_figure_jobs`` processes
  (sphinx-gallery's ``parallel``), which then share one training of each network
  they ask for (:mod:`coursesite.shared_training`); a script that reads what another script of
  its section makes, both running in this build, is reported: the two may run
  at the same time (``# sphinx_gallery_parallel = False`` in the maker makes it
  run first, alone);
* a script that prints more than a gallery page should show is reported;
* when a page is added or removed, every page is written again (the navigation
  of every page changes), into an emptied output folder when one was removed
  (Sphinx leaves the HTML, plots and downloads of a removed page behind).
  ``make html`` builds beside the published site (:mod:`coursesite.build`), so
  the site in ``_build/html`` stays whole until the new one is complete.

Configuration: ``course_generated_dir``, the folder the scripts save into,
relative to the source folder (pages show its files as ``/_generated/<name>``);
``course_figure_jobs``, how many processes run the scripts (``make html`` passes
``FIGURE_JOBS`` with ``python -m coursesite.build --figure-jobs``; it changes no
page, so another number rebuilds nothing).
"""

import shutil
import sys
from pathlib import Path

from sphinx.util import logging

from coursesite import gallery_pages, outputs, recording, shared_training
from coursesite.hashing import packages_stamp
from coursesite.imports import imported_files

logger = logging.getLogger(__name__)


def site_project(app):
    """The figure scripts, generated folder and gallery of the site app builds."""
    srcdir, root = Path(app.srcdir), Path(app.confdir).resolve()
    conf = app.config.sphinx_gallery_conf
    scripts_dir = (srcdir / conf["examples_dirs"][0]).resolve()
    gallery_dir = (srcdir / conf["gallery_dirs"][0]).resolve()
    ignored = (
        Path(app.outdir).resolve(),
        gallery_dir,
        root / ".git",
        root / "node_modules",
        Path(sys.prefix),
    )
    project = outputs.Project(
        root, scripts_dir, (srcdir / app.config.course_generated_dir).resolve(), ignored
    )
    return project, gallery_dir


def prepare_generated_files(app):
    """Remove orphans and make stale scripts run, before sphinx-gallery generates the gallery."""
    project, gallery_dir = site_project(app)
    unrecorded = outputs.read_manifest(project.generated_dir) is None
    running, orphans = outputs.prepare(
        project, also=gallery_pages.pages_to_rerun(project.scripts_dir, gallery_dir)
    )
    if unrecorded and orphans:
        logger.info(f"removed {len(orphans)} generated files: no record says which script made them")
    else:
        for name in orphans:
            logger.info(f"removed {name}: no figure script makes it any more")
    for name in gallery_pages.remove_orphan_pages(project.scripts_dir, gallery_dir):
        logger.info(f"removed the gallery page of {name}: the script is gone")
    gallery_pages.rerun(running, gallery_dir)
    gallery_name = gallery_dir.relative_to(Path(app.srcdir).resolve()).as_posix()
    app.course_rerun_pages = [f"{gallery_name}/{script[: -len('.py')]}" for script in running]
    reasons = {}
    for script, reason in running.items():
        reasons.setdefault(reason, []).append(script)
    for reason, scripts in reasons.items():
        every = "every figure script" if len(scripts) == len(project.scripts()) > 1 else ", ".join(scripts)
        logger.info(f"to run: {every} ({reason})")
    conf = app.config.sphinx_gallery_conf
    # Set here, after Sphinx compared the configuration with the last build's: the number of
    # processes changes no page. The plan travels with the configuration into worker processes.
    # With at most one script to run, no worker processes start (sphinx-gallery would start
    # them for every section, only to have them skip the scripts that need no run).
    app.course_gallery_parallel = conf.get("parallel", False)
    jobs = app.config.course_figure_jobs if len(running) > 1 else 1
    conf["parallel"] = jobs if jobs > 1 else False
    conf[recording.PLAN_KEY] = recording.plan(project)
    if jobs > 1 and len(training_scripts(project, running)) > 1:
        conf[recording.PLAN_KEY][recording.TRAINING_KEY] = shared_training.start()
    app.course_running_scripts = list(running)
    recording.use_project(project)


def training_scripts(project, scripts):
    """The scripts that import convviz.tiny_cnn (most of them use its trained network)."""
    module = (project.root / "convviz" / "tiny_cnn.py").resolve()
    paths = {script: project.script_path(script).resolve() for script in scripts}
    return [
        script
        for script, path in paths.items()
        if module in imported_files(path, [path.parent, project.root])
    ]


def check_section_order(app):
    """Warn about a script that read what another script of its section made while both ran in parallel."""
    if not app.config.sphinx_gallery_conf.get("parallel"):
        return
    project, _ = site_project(app)
    records = outputs.read_manifest(project.generated_dir) or {}
    ran = set(getattr(app, "course_running_scripts", ()))
    for script, maker, name in outputs.same_section_reads(project, records, ran):
        if not runs_alone(project.script_path(maker)):
            logger.warning(
                f"{script} reads {name}, which {maker} makes: with course_figure_jobs > 1 the two may "
                f"run at the same time; add `# sphinx_gallery_parallel = False` to {maker} (it then runs "
                "first, alone)"
            )


def runs_alone(path):
    """Whether the script opts out of sphinx-gallery's parallel run (it then runs before the others)."""
    from sphinx_gallery.py_source_parser import extract_file_config

    return extract_file_config(Path(path).read_text(encoding="utf-8")).get("parallel", True) is False


def check_printed_output(app):
    """Warn about a script whose gallery page shows more printed output than a page should hold."""
    project, gallery_dir = site_project(app)
    for script, lines, size in gallery_pages.oversized_output(project.scripts_dir, gallery_dir):
        logger.warning(
            f"{script} printed {lines:,} lines ({size / 1e6:.1f} MB) onto its gallery page; "
            f"print at most {gallery_pages.MAX_PRINTED_BYTES // 1000} KB"
        )


def restore_gallery_conf(app):
    """The gallery configuration as conf.py gave it, once the scripts ran (Sphinx saves it with the
    build's state and compares it with the next build's: it would report a change every time)."""
    conf = app.config.sphinx_gallery_conf
    conf.pop(recording.PLAN_KEY, None)
    if hasattr(app, "course_gallery_parallel"):
        conf["parallel"] = app.course_gallery_parallel


def stop_recording(app, exception):
    restore_gallery_conf(app)
    recording.use_project(None)
    shared_training.stop()


def outdated_pages(app, env, added, changed, removed):
    """Gallery pages whose script ran (their plots changed though their text may not have);
    every page when a page was added or removed (the navigation of every page changes)."""
    if removed:
        clear_output(Path(app.outdir), Path(app.doctreedir))
    if added or removed:
        return sorted(env.found_docs)
    return [name for name in getattr(app, "course_rerun_pages", []) if name in env.found_docs]


def clear_output(outdir, doctreedir):
    """Delete everything in the output folder but the saved doctrees."""
    if not outdir.is_dir():
        return
    for path in outdir.iterdir():
        if path.resolve() == doctreedir.resolve():
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def setup(app):
    app.add_config_value("course_generated_dir", "_generated", "env", types=frozenset({str}))
    app.add_config_value("course_figure_jobs", 1, "", types=frozenset({int}))
    # The packages the site is built with, as a setting Sphinx compares with the last build's: when a
    # pinned version changes, it reads and writes every page again, as a clean build would.
    app.add_config_value("course_packages", packages_stamp(app.confdir), "env", types=frozenset({str}))
    # Around sphinx-gallery's own builder-inited handler (priority 500).
    app.connect("builder-inited", prepare_generated_files, priority=100)
    app.connect("builder-inited", check_printed_output, priority=600)
    app.connect("builder-inited", check_section_order, priority=600)
    app.connect("builder-inited", restore_gallery_conf, priority=700)
    app.connect("env-get-outdated", outdated_pages)
    app.connect("build-finished", stop_recording)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
