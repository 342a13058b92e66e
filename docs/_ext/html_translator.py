"""The site's HTML translator: Sphinx's HTML5 translator with the markup the site needs.

* Citations are list items: docutils gives them the role ``doc-biblioentry`` inside a
  ``<div role="list">``, which ARIA no longer accepts there (axe reports it as critical).
* Every image carries its file's size as ``width`` and ``height`` (measured by Sphinx's
  own ``get_image_size``), so the page does not shift as images arrive, and every image
  after a page's first loads lazily.
* A figure drawn by convviz (its file carries the figure record) gets, on its image, the
  narrowest width at which its smallest text still shows at 12 CSS px, as
  ``--figure-min-width`` (page_speed.readable_width); course.css keeps the picture at
  least that wide and lets the figure scroll sideways on a phone.
* What scrolls sideways on a phone takes a tab stop, so it scrolls by keyboard too: those
  figures (and those course.css keeps wide by a ``*keeps-width`` class) and display formulas.
* A number keeps its percent sign on its line: the space in "50.7 %" is written as a
  no-break space in prose (not in code), so a phone never shows the "%" alone at a line's start.
* sphinx-gallery writes the ``<img>`` of its ``image-sg`` directive itself; an image of it
  that names only its own file (no high-density variants) becomes a plain image when the
  page is read, so Sphinx copies it and the translator sizes it like every other image.
"""

import re

from docutils import nodes
from page_speed import readable_width
from sphinx.errors import ExtensionError
from sphinx.util.images import get_image_size
from sphinx.writers.html5 import HTML5Translator
from sphinx_gallery.directives import imgsgnode

#: A class with this in its name keeps a figure wide (course.css), so the figure scrolls.
KEEPS_WIDTH = "keeps-width"
#: The white space between a number and its percent sign.
NUMBER_PERCENT = re.compile(r"(?<=\d)\s+(?=%)")
#: Text inside these is code or markup, written as it stands.
VERBATIM = (nodes.literal, nodes.FixedTextElement, nodes.math, nodes.raw)


class CourseTranslator(HTML5Translator):
    def __init__(self, document, builder):
        super().__init__(document, builder)
        self.images_written = 0
        self.image_file = None

    def visit_Text(self, node):
        if "%" in node and not self.protect_literal_text and not _inside(node, VERBATIM):
            before = len(self.body)
            super().visit_Text(node)
            self.body[before:] = [NUMBER_PERCENT.sub("&#160;", part) for part in self.body[before:]]
            return
        super().visit_Text(node)

    def visit_citation(self, node):
        super().visit_citation(node)
        self.body[-1] = self.body[-1].replace('role="doc-biblioentry"', 'role="listitem"')

    def visit_image(self, node):
        # Sphinx rewrites node["uri"] to the copy in _images/, which does not exist yet:
        # measure the source file (image_size below, called by docutils' visit_image).
        self.image_file = source_file(self.builder, node)
        if self.images_written and "loading" not in node:
            node["loading"] = "lazy"
        self.images_written += 1
        super().visit_image(node)

    def image_size(self, node):
        """docutils' width/height/style attributes, with the file's size and a figure's minimum width."""
        attributes = super().image_size(node)
        if self.image_file is None:
            return attributes
        if "width" not in attributes and "height" not in attributes:
            size = get_image_size(self.image_file)
            if size:
                attributes["width"], attributes["height"] = str(size[0]), str(size[1])
        if enclosing_figure(node) is not None:
            width = readable_width(self.image_file)
            if width:
                style = attributes.get("style")
                attributes["style"] = f"--figure-min-width: {width}px" + (f"; {style}" if style else "")
        return attributes

    def starttag(self, node, tagname, suffix="\n", empty=False, **attributes):
        if scrolls_sideways(self.builder, node, tagname):
            attributes["tabindex"] = "0"
        return super().starttag(node, tagname, suffix, empty, **attributes)


def source_file(builder, node):
    """The image file in the source tree that node shows, or None (a URL, data, missing)."""
    uri = node["uri"]
    if "://" in uri or uri.startswith("data:"):
        return None
    path = builder.srcdir / uri
    return path if path.is_file() else None


def enclosing_figure(image):
    """The figure an image is the picture of (directly or inside its link), or None."""
    parent = image.parent
    if isinstance(parent, nodes.reference):
        parent = parent.parent
    return parent if isinstance(parent, nodes.figure) else None


def scrolls_sideways(builder, node, tagname):
    """Whether the element node starts may scroll sideways on a phone (course.css)."""
    if isinstance(node, nodes.math_block):
        return tagname == "div"  # the outer element of a display formula
    if not isinstance(node, nodes.figure) or tagname != "figure":
        return False
    image = node.next_node(nodes.image)
    if image is None:
        return False
    holders = [node, image] + ([image.parent] if isinstance(image.parent, nodes.reference) else [])
    if any(KEEPS_WIDTH in name for holder in holders for name in holder["classes"]):
        return True
    path = source_file(builder, image)
    return path is not None and readable_width(path) is not None


def gallery_images_as_plain_images(app, doctree):
    """Turn each sphinx-gallery image that names only its own file into a docutils image."""
    for node in list(doctree.findall(imgsgnode)):
        srcset = [entry.strip() for entry in (node["srcset"] or node["uri"]).split(",")]
        if srcset != [node["uri"]]:
            raise ExtensionError(
                f"html_translator: the gallery image {node['uri']} has high-density variants "
                "(image_srcset); size them in docs/_ext/html_translator.py"
            )
        node.replace_self(nodes.image(uri=node["uri"], alt=node["alt"], classes=list(node["class"] or [])))


def _inside(node, kinds):
    """Whether node lies within a node of one of kinds."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        parent = parent.parent
    return False


def setup(app):
    app.set_translator("html", CourseTranslator)
    # Before Sphinx's image collector (priority 500) records the page's images.
    app.connect("doctree-read", gallery_images_as_plain_images, priority=400)
    # env_version: doctrees read before a change of gallery_images_as_plain_images are read again.
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
