"""The project modules a Python file imports, directly or through each other, read from the code.

Every ``import`` statement counts, those inside functions too, so a module a
script imports only when a function runs is one of its dependencies as well.
A module is a file of the project when it is found under one of the folders
searched (the project's root, the script's own folder).
"""

import ast
from pathlib import Path


def _imported_names(tree, package_parts):
    """(module name, names imported from it) of every import statement; relative ones resolved."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module
            if module:
                yield module, tuple(alias.name for alias in node.names if alias.name != "*")


#: (file, its package parts) -> (its bytes, its imports): a build asks for the same modules once per script.
_parsed = {}


def _imports_of(path, package_parts):
    """The imports of the file at path, parsed again only when its bytes differ from the last parse."""
    text = path.read_bytes()
    key = (path, tuple(package_parts))
    cached = _parsed.get(key)
    if cached is None or cached[0] != text:
        tree = ast.parse(text, filename=str(path))
        cached = _parsed[key] = (text, list(_imported_names(tree, package_parts)))
    return cached[1]


def _module_files(name, roots):
    """The files a module name loads from the first root holding it: package __init__s, then the module."""
    for root in roots:
        files = []
        folder = Path(root)
        parts = name.split(".")
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            package = folder / part / "__init__.py"
            if package.is_file():
                files.append(package)
                folder = folder / part
            elif last and (folder / f"{part}.py").is_file():
                files.append(folder / f"{part}.py")
            else:
                break
        else:
            return files
    return []


def imported_files(path, roots):
    """The project files (resolved) the Python file at path imports, at any depth, itself excluded."""
    roots = [Path(root).resolve() for root in roots]
    start = Path(path).resolve()
    found, queue = set(), [start]
    while queue:
        current = queue.pop()
        try:
            imports = _imports_of(current, _package_parts(current, roots))
        except (OSError, SyntaxError, ValueError):
            continue
        for module, names in imports:
            candidates = _module_files(module, roots)
            for name in names:  # "from package import module" loads package/module.py
                candidates += _module_files(f"{module}.{name}", roots)
            for file in candidates:
                file = file.resolve()
                if file not in found and file != start:
                    found.add(file)
                    queue.append(file)
    return sorted(found)


def _package_parts(path, roots):
    """The dotted package a module file belongs to, as parts (for relative imports)."""
    for root in roots:
        try:
            relative = path.relative_to(root)
        except ValueError:
            continue
        return list(relative.parent.parts)
    return []
