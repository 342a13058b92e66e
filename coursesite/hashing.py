"""Content hashes: of one file, of the package and the downloads together, and of the package pins."""

import hashlib
from pathlib import Path

from convviz.paths import DOWNLOADS_DIR, PACKAGE_DIR


def file_hash(path):
    """The SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_hash(folders=(PACKAGE_DIR, DOWNLOADS_DIR)):
    """One hash of every Python file of the folders (the stamp of the explorers' data, made from them)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.glob("*.py")):
            digest.update(f"{folder.name}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


#: The files the build's packages are installed from, in the project's root: the Makefile makes the
#: virtual environment again when one of them changes.
PACKAGE_FILES = ("requirements.txt", "constraints.txt")


def packages_stamp(root):
    """One hash of the PACKAGE_FILES in root (a missing one counts as missing): the packages the
    build runs with, whose versions shape every page (the theme's templates, Pygments' markup)."""
    digest = hashlib.sha256()
    for name in PACKAGE_FILES:
        path = Path(root) / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"missing") + b"\0")
    return digest.hexdigest()
