"""Content hashes: of one file, and of the package and the downloads together."""

import hashlib

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
