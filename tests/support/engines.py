"""Firefox and WebKit for the engine tests, behind one small interface: goto, evaluate, screenshot.

- Firefox: Debian's ``firefox-esr`` driven by puppeteer-core (npm, in ./node_modules) over
  WebDriver BiDi, through tests/engines/firefox.mjs, which takes one JSON command per line.
- WebKit: Debian's ``webkit2gtk-driver`` (WebKitWebDriver) driven by Selenium, with the
  ``MiniBrowser`` of Debian's WebKitGTK 4.1 library package, on an Xvfb screen of its own.

``.ci/engines`` installs both (and Xvfb); :func:`missing` says in one line what is not there.
Every evaluate sends its result from the page as one JSON string, so numbers arrive bit for bit.
"""

import contextlib
import glob
import json
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIREFOX_DRIVER = ROOT / "tests" / "engines" / "firefox.mjs"
PUPPETEER = ROOT / "node_modules" / "puppeteer-core"
MINIBROWSER_GLOBS = ("/usr/lib/*/webkit2gtk-4.1/MiniBrowser", "/usr/libexec/webkit2gtk-4.1/MiniBrowser")
ENGINES = ("firefox", "webkit")


def firefox_path():
    return shutil.which("firefox-esr") or shutil.which("firefox")


def minibrowser_path():
    found = [path for pattern in MINIBROWSER_GLOBS for path in sorted(glob.glob(pattern))]
    return found[0] if found else None


def missing(engine):
    """None if engine can run here, else one line saying what is missing and how to get it."""
    if engine == "firefox":
        if not firefox_path():
            return "no Firefox: apt-get install firefox-esr (.ci/engines does)"
        if not shutil.which("node") or not PUPPETEER.is_dir():
            return "no puppeteer-core in node_modules: make lint installs it (npm ci)"
        return None
    if not shutil.which("WebKitWebDriver"):
        return "no WebKitWebDriver: apt-get install webkit2gtk-driver (.ci/engines does)"
    if not minibrowser_path():
        return "no MiniBrowser: apt-get install libwebkit2gtk-4.1-0 (.ci/engines does)"
    if not shutil.which("Xvfb"):
        return "no Xvfb for WebKit's window: apt-get install xvfb (.ci/engines does)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "no selenium: it is in requirements-test.txt"
    return None


class EngineError(RuntimeError):
    """The page or the browser raised; the message is theirs."""


def _decoded(text):
    return None if text is None else json.loads(text)


class FirefoxPage:
    """One Firefox page, driven through tests/engines/firefox.mjs."""

    name = "firefox"

    def __init__(self):
        self.process = subprocess.Popen(
            ["node", str(FIREFOX_DRIVER), firefox_path()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        ready = self.process.stdout.readline()
        if not ready:
            raise EngineError("Firefox did not start (run tests/engines/firefox.mjs by hand to see why)")

    def _send(self, **command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline() or '{"error": "Firefox stopped"}')
        if "error" in answer:
            raise EngineError(answer["error"])
        return answer["value"]

    def goto(self, url):
        self._send(op="goto", url=url)

    def evaluate(self, source, arg=None):
        """The result of the page function source(arg) (awaited), through JSON."""
        return _decoded(self._send(op="evaluate", source=source, arg=arg))

    def set_viewport(self, width, height):
        self._send(op="viewport", width=width, height=height)

    def screenshot(self, path):
        self._send(op="screenshot", path=str(path))

    def version(self):
        return self._send(op="version")

    def close(self):
        with contextlib.suppress(Exception):
            self.process.stdin.write(json.dumps({"op": "close"}) + "\n")
            self.process.stdin.flush()
            self.process.wait(timeout=20)
        if self.process.poll() is None:
            self.process.kill()


class WebKitPage:
    """One WebKit page: MiniBrowser through WebKitWebDriver (Selenium), on its own Xvfb screen."""

    name = "webkit"

    def __init__(self):
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.service import Service

        self.screen = subprocess.Popen(
            ["Xvfb", "-displayfd", "1", "-screen", "0", "1400x1000x24", "-nolisten", "tcp"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        display = self.screen.stdout.readline().strip()
        if not display:
            self.screen.kill()
            raise EngineError("Xvfb did not start")
        options = webdriver.WebKitGTKOptions()
        options.binary_location = minibrowser_path()
        options.add_argument("--automation")
        service = Service(env={**os.environ, "DISPLAY": f":{display}"})
        try:
            self.driver = webdriver.WebKitGTK(options=options, service=service)
        except Exception:
            self.screen.kill()
            raise
        self.driver.set_script_timeout(120)
        self.set_viewport(1280, 900)

    def goto(self, url):
        self.driver.get(url)

    def evaluate(self, source, arg=None):
        """The result of the page function source(arg) (awaited), through JSON."""
        script = (
            "const done = arguments[arguments.length - 1];"
            f"Promise.resolve().then(() => ({source})(arguments[0]))"
            ".then(v => done({value: JSON.stringify(v)}), e => done({error: String(e && e.message || e)}));"
        )
        answer = self.driver.execute_async_script(script, arg)
        if "error" in answer:
            raise EngineError(answer["error"])
        return _decoded(answer["value"])

    def set_viewport(self, width, height):
        # The window holds the page and MiniBrowser's toolbar: sized so that the page gets width × height.
        self.driver.set_window_size(width, height)
        inner = self.driver.execute_script("return [window.innerWidth, window.innerHeight]")
        self.driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])

    def screenshot(self, path):
        self.driver.save_screenshot(str(path))

    def version(self):
        return self.driver.capabilities.get("browserVersion", "?")

    def close(self):
        with contextlib.suppress(Exception):
            self.driver.quit()
        self.screen.kill()
        self.screen.wait()


def open_page(engine):
    """A new FirefoxPage or WebKitPage."""
    return FirefoxPage() if engine == "firefox" else WebKitPage()
