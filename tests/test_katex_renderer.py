"""The KaTeX renderer of the build (docs/_ext/katex_tcp.py): over TCP, with no Nagle delay at either end."""

import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import types
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
    saved = {name: server.__dict__[name] for name in ("build_command", "start_server_process", "get")}
    katex_tcp.setup(types.SimpleNamespace(connect=lambda event, handler: None))
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


FORMULAS = [rf"\frac{{1}}{{{n}}}" for n in range(2, 32)]


def formula_site(tmp_path):
    """A Sphinx project of 30 pages of 8 formulas, typeset by the build's KaTeX (the index has none)."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(EXT)!r})\n"
        "import sphinxcontrib.katex\n"
        'sphinxcontrib.katex.KATEX_DEFAULT_OPTIONS["output"] = "mathml"\n'
        'extensions = ["sphinxcontrib.katex", "katex_tcp"]\n'
        "katex_prerender = True\n"
    )
    names = [f"page{n}" for n in range(len(FORMULAS))]
    formulas = {
        name: " ".join(f":math:`{formula} + {k}`" for k in range(8)) for name, formula in zip(names, FORMULAS)
    }
    (source / "index.rst").write_text(
        "Formulas\n========\n\n.. toctree::\n\n" + "".join(f"   {n}\n" for n in names)
    )
    for name in names:
        (source / f"{name}.rst").write_text(f"{name}\n{'=' * len(name)}\n\nFormulas: {formulas[name]}.\n")
    return source, names


def build_alone(source, out, jobs):
    """Build source with Sphinx's -j jobs in a session of its own; return what still runs in it after."""
    build = subprocess.Popen(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-j", str(jobs), str(source), str(out)],
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log, _ = build.communicate(timeout=300)
    assert build.returncode == 0, log
    left = subprocess.run(["ps", "-o", "pid=,args=", "-s", str(build.pid)], capture_output=True, text=True)
    return left.stdout.strip()


def test_pages_written_in_forked_processes_share_one_renderer_and_leave_none_running(tmp_path):
    source, names = formula_site(tmp_path)
    left = build_alone(source, tmp_path / "parallel", jobs=3)  # two processes write pages at once
    for process in left.splitlines():  # an orphaned renderer would keep the session
        os.kill(int(process.split()[0]), 9)
    assert left == "", "a renderer was left running"
    assert build_alone(source, tmp_path / "serial", jobs=1) == ""
    for name in names:
        parallel = (tmp_path / "parallel" / f"{name}.html").read_text()
        assert "<mfrac>" in parallel
        assert parallel == (tmp_path / "serial" / f"{name}.html").read_text()


def renderer_in_a_forked_process(katex_tcp, answers):
    """In a forked process: typeset a formula; send (html, this renderer's node pid, its connection)."""
    server = katex_tcp.renderer_of_this_process()
    html = server.render({"latex": FORMULAS[0], "katex_options": {"output": "mathml"}}, timeout=30)["html"]
    answers.send((html, server.process.pid, server.sock.getsockname()))


def typeset_in_a_forked_process(katex_tcp):
    """What renderer_in_a_forked_process sends, once that process has ended."""
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(
        target=renderer_in_a_forked_process, args=(katex_tcp, send)
    )
    child.start()
    answer = receive.recv()
    child.join(30)
    return answer


def test_a_forked_process_uses_the_builds_renderer_over_its_own_connection(patched_katex):
    server, katex_tcp = patched_katex
    server.katex_server = None
    try:
        mine = katex_tcp.renderer_of_this_process()
        expected = mine.render({"latex": FORMULAS[0], "katex_options": {"output": "mathml"}}, timeout=30)
        html, pid, address = typeset_in_a_forked_process(katex_tcp)
        assert html == expected["html"]
        assert pid == mine.process.pid and address != mine.sock.getsockname()  # same node, own connection
        assert mine.process.poll() is None  # the build's renderer still serves the build
        assert katex_tcp.renderer_of_this_process() is mine
    finally:
        server.katex_server = None  # the renderer stops when this process ends (the extension's exit handler)


def test_a_renderer_a_forked_process_starts_stops_when_that_process_ends(patched_katex):
    server, katex_tcp = patched_katex
    server.katex_server = None
    html, pid, _ = typeset_in_a_forked_process(katex_tcp)
    assert "<mfrac>" in html
    assert not Path(f"/proc/{pid}").exists(), "the forked process's renderer was left running"
