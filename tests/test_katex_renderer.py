"""The KaTeX renderer of the build (docs/_ext/katex_tcp.py): over TCP, with no Nagle delay at either end."""

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from coursesite.paths import ROOT

EXT = ROOT / "docs" / "_ext"

# A server made with net.createServer, one client; prints whether the accepted socket was set to no delay.
PROBE = """
const net = require("node:net");
const calls = [];
const setNoDelay = net.Socket.prototype.setNoDelay;
net.Socket.prototype.setNoDelay = function (value) {
  calls.push(value);
  return setNoDelay.call(this, value);
};
const server = net.createServer((socket) => {
  setImmediate(() => {  // after every other "connection" listener
    console.log(JSON.stringify(calls));
    socket.destroy();
    server.close();
  });
});
server.listen(0, "127.0.0.1", () => net.connect(server.address().port, "127.0.0.1").on("error", () => {}));
"""


def probe(*options):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: the site's build needs Node.js (on Debian: apt-get install nodejs)")
    run = subprocess.run([node, *options, "-e", PROBE], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_the_preload_turns_off_nagle_on_every_accepted_connection():
    assert probe() == []  # Node's own default: the delay stays on
    assert probe("--require", str(EXT / "katex_nodelay.cjs")) == [True]


@pytest.fixture
def patched_katex():
    import sphinxcontrib.katex as sphinxcontrib_katex

    sys.path.insert(0, str(EXT))
    try:
        import katex_tcp
    finally:
        sys.path.remove(str(EXT))
    server = sphinxcontrib_katex.KaTeXServer
    saved = {name: server.__dict__[name] for name in ("build_command", "start_server_process")}
    katex_tcp.setup(None)
    yield server, katex_tcp
    for name, value in saved.items():
        setattr(server, name, value)


def test_the_build_starts_its_renderer_with_the_preload_and_a_no_delay_connection(patched_katex, tmp_path):
    server, katex_tcp = patched_katex
    process, connection = server.start_server_process(tmp_path, 30)
    try:
        cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
        assert cmdline[1:3] == [b"--require", str(katex_tcp.NODELAY_SCRIPT).encode()]
        assert connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        renderer = server(tmp_path, process, connection)
        request = {"latex": r"\frac{1}{16}", "katex_options": {"output": "mathml"}}
        answer = renderer.render(request, timeout=30)
        assert "<mfrac>" in answer["html"]
    finally:
        connection.close()
        process.terminate()
        process.wait(timeout=10)
