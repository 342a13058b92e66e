"""The images of a figure script's gallery page: the files the script saved, as the module pages show them.

sphinx-gallery's own matplotlib scraper draws every open figure again, at its own
resolution, after each block. A figure that :func:`convviz.figure_output.save_png`
has saved is already drawn: :func:`saved_figures` (named in conf.py's
``image_scrapers``) copies that file onto the gallery page and closes the
figure. A figure the block left open without saving it is drawn by the
matplotlib scraper, as before.
"""

import shutil
from pathlib import PurePosixPath

from sphinx_gallery.scrapers import figure_rst, matplotlib_scraper

from coursesite import recording


def figure_titles(figures):
    """The titles the figures show (suptitle, then each axes' titles), for the images' alt text."""
    titles = []
    for figure in figures:
        titles.append(figure.get_suptitle())
        titles += [ax.get_title(loc=loc) for ax in figure.axes for loc in ("left", "center", "right")]
    return ", ".join(title for title in titles if title)


def saved_figures(block, block_vars, gallery_conf, **kwargs):
    """sphinx-gallery image scraper: the block's saved figures as their files, then any left open."""
    import matplotlib.pyplot as plt

    run = recording.running_run()
    saved = [] if run is None else run.take_figures()
    paths = []
    for name, figure in saved:
        path = PurePosixPath(next(block_vars["image_path_iterator"]))
        shutil.copyfile(run.project.generated_dir / name, path)
        paths.append(path)
        plt.close(figure)
    rst = figure_rst(paths, gallery_conf["src_dir"], figure_titles(f for _, f in saved)) if paths else ""
    return rst + matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)
