"""Shared code of the course module 9.2.2: convolution, kernels, test patterns, figures.

The figure scripts in ``scripts/`` and the tests import from here, so every
figure and every number on the pages comes from one implementation.
"""

import importlib

#: The names the package offers, and the module of each. They load when first used (PEP 562), so
#: that importing one small module of the package (as the site's build does) does not load SciPy.
_EXPORTS = {
    "KERNELS": "convviz.kernels",
    "LABELS": "convviz.kernels",
    "checkerboard": "convviz.patterns",
    "correlate2d": "convviz.convolution",
    "output_size": "convviz.convolution",
    "shapes_pattern": "convviz.patterns",
    "small_example": "convviz.patterns",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'convviz' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
