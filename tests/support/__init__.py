"""Helpers shared by the tests and by ``benchmarks/``: built pages, scratch copies, builds, a local server."""
