"""The static server of the browser tests (tests/support/server.py)."""

import http.client
import socket
import time
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
from support.server import serve


@pytest.fixture
def site(tmp_path):
    (tmp_path / "big.bin").write_bytes(b"x" * 8_000_000)
    (tmp_path / "page.html").write_text("<p>hello</p>")
    return tmp_path


def leave_mid_response(url):
    """Ask for a file, read a little of it and close the connection, as a browser leaving a page does."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port)) as connection:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        connection.sendall(f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
        connection.recv(1024)


def test_a_client_that_leaves_mid_response_is_not_reported(site, capfd):
    with serve(site) as url:
        for _ in range(3):
            leave_mid_response(url + "big.bin")
        time.sleep(0.5)  # the handler threads meet the closed connection
        with urlopen(url + "page.html") as response:  # and the server still serves
            assert response.read() == b"<p>hello</p>"
    assert capfd.readouterr().err == ""


def test_other_errors_of_a_handler_are_still_reported(site, capfd, monkeypatch):
    from support import server

    def broken(self):
        raise RuntimeError("a fault of the server")

    monkeypatch.setattr(server.QuietHandler, "do_GET", broken)
    with serve(site) as url:
        with pytest.raises(http.client.RemoteDisconnected):  # the handler ended without answering
            urlopen(url + "page.html")
        time.sleep(0.2)
    assert "a fault of the server" in capfd.readouterr().err
