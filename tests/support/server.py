"""A static server on 127.0.0.1 for the built site, as a static host would serve it."""

import contextlib
import functools
import http.server
import tempfile
import threading
from pathlib import Path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(site, prefix="course"):
    """Serve the folder site under /<prefix>/ (a sub-path, as on GitHub Pages); yield the base URL."""
    with tempfile.TemporaryDirectory() as root:
        link = Path(root) / prefix
        link.symlink_to(Path(site).resolve(), target_is_directory=True)
        handler = functools.partial(QuietHandler, directory=root)
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}/{prefix}/"
        finally:
            httpd.shutdown()
            httpd.server_close()
