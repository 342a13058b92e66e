"""A static server on 127.0.0.1 for the built site, as a static host would serve it."""

import contextlib
import functools
import gzip
import http.server
import sys
import tempfile
import threading
from pathlib import Path

#: The file types GitHub Pages and Read the Docs send gzip-compressed.
COMPRESSED = {".html", ".css", ".js", ".svg", ".json", ".txt", ".map", ".xml"}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class CompressingHandler(QuietHandler):
    """Text files gzip-compressed when the browser accepts it, with a short cache lifetime."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in COMPRESSED and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return _Body(body)


class SiteServer(http.server.ThreadingHTTPServer):
    """A browser that leaves a page while it loads closes its connections mid-response: not an error
    of the site, so not reported (other errors are, as by http.server)."""

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class _Body:
    """A file-like body for SimpleHTTPRequestHandler.copyfile."""

    def __init__(self, data):
        self.data = data

    def read(self, size=-1):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


@contextlib.contextmanager
def serve(site, prefix="course", compressed=False):
    """Serve the folder site under /<prefix>/ (a sub-path, as on GitHub Pages); yield the base URL.

    With compressed=True, text files go out gzip-compressed, as GitHub Pages and
    Read the Docs send them.
    """
    with tempfile.TemporaryDirectory() as root:
        link = Path(root) / prefix
        link.symlink_to(Path(site).resolve(), target_is_directory=True)
        handler = functools.partial(CompressingHandler if compressed else QuietHandler, directory=root)
        httpd = SiteServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}/{prefix}/"
        finally:
            httpd.shutdown()
            httpd.server_close()
