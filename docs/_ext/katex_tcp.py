"""sphinxcontrib-katex talks to its Node.js renderer over TCP instead of a Unix socket.

Over a Unix socket the extension gives up if the socket file exists before the
server listens (seen on a busy machine); its TCP variant waits and retries until
the server answers.
"""

import sphinxcontrib.katex as sphinxcontrib_katex


def setup(app):
    server = sphinxcontrib_katex.KaTeXServer
    server.start_server_process = server.start_network_socket
    return {"parallel_read_safe": True, "parallel_write_safe": True}
