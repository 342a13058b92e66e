"""sphinxcontrib-katex talks to its Node.js renderer over TCP, without Nagle's delay.

Over a Unix socket the extension gives up if the socket file exists before the
server listens (seen on a busy machine); its TCP variant waits and retries until
the server answers.

Over TCP, each request and each answer goes out as two writes (a 4-byte length,
then the text), and with Nagle's algorithm the second waits for the other side's
delayed acknowledgement: about 80 ms a formula, 3.7 s of every build. Both ends
turn it off: this connection with TCP_NODELAY, the renderer through
``katex_nodelay.cjs``, loaded with Node's documented ``--require`` option.
"""

import socket
from pathlib import Path

import sphinxcontrib.katex as sphinxcontrib_katex

NODELAY_SCRIPT = Path(__file__).with_name("katex_nodelay.cjs")

_server = sphinxcontrib_katex.KaTeXServer
_build_command = _server.build_command
_start_network_socket = _server.start_network_socket


def build_command(socket=None, port=None):
    """The extension's command for its renderer, with the no-delay script loaded first."""
    node, *rest = _build_command(socket=socket, port=port)
    return [node, "--require", str(NODELAY_SCRIPT), *rest]


def start_without_delay(rundir, timeout):
    """The extension's TCP start, its connection set to send each write at once."""
    process, connection = _start_network_socket(rundir, timeout)
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return process, connection


def setup(app):
    _server.build_command = staticmethod(build_command)
    _server.start_server_process = staticmethod(start_without_delay)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
