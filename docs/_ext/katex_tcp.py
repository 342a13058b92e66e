"""sphinxcontrib-katex talks to its Node.js renderer over TCP, without Nagle's delay.

Over a Unix socket the extension gives up if the socket file exists before the
server listens (seen on a busy machine); its TCP variant waits and retries until
the server answers.

Over TCP, each request and each answer goes out as two writes (a 4-byte length,
then the text), and with Nagle's algorithm the second waits for the other side's
delayed acknowledgement: about 80 ms a formula, 3.7 s of every build. Both ends
turn it off: this connection with TCP_NODELAY, the renderer through
``katex_nodelay.cjs``, loaded with Node's documented ``--require`` option.

When Sphinx writes pages in forked processes (``-j N``), the renderer starts in
the build's process before the first fork, and each forked process opens a
connection of its own to it: a forked process ends without running the exit
handler that stops a renderer, so one it started itself would keep running.
"""

import multiprocessing
import multiprocessing.util
import os
import socket
from pathlib import Path

import sphinxcontrib.katex as sphinxcontrib_katex

NODELAY_SCRIPT = Path(__file__).with_name("katex_nodelay.cjs")

_server = sphinxcontrib_katex.KaTeXServer
_build_command = _server.build_command
_start_network_socket = _server.start_network_socket
_get = _server.get


def build_command(socket=None, port=None):
    """The extension's command for its renderer, with the no-delay script loaded first."""
    node, *rest = _build_command(socket=socket, port=port)
    return [node, "--require", str(NODELAY_SCRIPT), *rest]


def start_without_delay(rundir, timeout):
    """The extension's TCP start, its connection set to send each write at once."""
    process, connection = _start_network_socket(rundir, timeout)
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return process, connection


def connect(address):
    """A connection to the renderer at address, each write sent at once."""
    connection = socket.create_connection(address)
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def renderer_of_this_process():
    """The extension's renderer: in a forked process, the build's over a connection of its own, or
    one it starts and stops when it ends (multiprocessing runs that finalizer; not exit handlers)."""
    server = _server.katex_server
    here = os.getpid()
    if server is not None and here not in (getattr(server, "owner", here), getattr(server, "user", None)):
        own = object.__new__(_server)
        own.__dict__.update(server.__dict__, sock=connect(server.sock.getpeername()), user=here)
        own.buffer = bytearray(len(server.buffer))
        _server.katex_server = server = own
    elif server is None:
        server = _get()
        server.owner = here
        if multiprocessing.parent_process() is not None:
            multiprocessing.util.Finalize(server, server.terminate, exitpriority=0)
    return server


def note_pages_read(app, env, docnames):
    """Remember whether this build reads pages (then it writes them)."""
    app.katex_pages_read = bool(docnames)


def start_before_forking(app, builder):
    """Start the renderer in the build's process when pages will be written in forked processes
    (not in a build that reads no page: starting Node.js would only slow it down)."""
    if app.parallel > 1 and app.config.katex_prerender and getattr(app, "katex_pages_read", False):
        renderer_of_this_process()


def setup(app):
    _server.build_command = staticmethod(build_command)
    _server.start_server_process = staticmethod(start_without_delay)
    _server.get = staticmethod(renderer_of_this_process)
    app.connect("env-before-read-docs", note_pages_read)
    app.connect("write-started", start_before_forking)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
