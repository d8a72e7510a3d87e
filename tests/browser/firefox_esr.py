"""Firefox ESR for the browser tests: Debian's firefox-esr driven over WebDriver BiDi by puppeteer-core.

A Node process (firefox/bridge.mjs) holds the browser; `FirefoxPage` sends it one command at a time and returns
its answer, so a test reads like a Playwright test. Needs /usr/bin/firefox-esr, Node.js and
`npm ci --prefix tests/browser/firefox` (CI does all three); without them the tests skip, saying which is missing.
"""

import json
import queue
import shutil
import subprocess
import threading
from pathlib import Path

FIREFOX = "/usr/bin/firefox-esr"
BRIDGE = Path(__file__).with_name("firefox") / "bridge.mjs"
MODULES = BRIDGE.parent / "node_modules" / "puppeteer-core"


def missing() -> str | None:
    """Why Firefox tests cannot run here, or None when they can."""
    if not shutil.which(FIREFOX):
        return f"{FIREFOX} is missing: install Debian's firefox-esr package to run the Firefox tests"
    if not shutil.which("node"):
        return "node is missing: install Debian's nodejs package to run the Firefox tests"
    if not MODULES.is_dir():
        return "puppeteer-core is missing: run `npm ci --prefix tests/browser/firefox` to run the Firefox tests"
    return None


class FirefoxError(AssertionError):
    """A command the browser could not carry out (an element not found, a wait that timed out...)."""


class FirefoxPage:
    def __init__(self, javascript: bool = True, prefs: dict | None = None):
        self.javascript = javascript
        env = {
            "PATH": "/usr/bin:/bin",
            "FIREFOX": FIREFOX,
            "FIREFOX_JAVASCRIPT": "1" if javascript else "0",
            "FIREFOX_PREFS": json.dumps(prefs or {}),
        }
        self.process = subprocess.Popen(
            ["node", str(BRIDGE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=BRIDGE.parent, env=env
        )
        self.answers: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.sent = 0

    def _read(self):
        for line in self.process.stdout:
            self.answers.put(json.loads(line))
        self.answers.put(None)

    def send(self, op: str, *args, timeout: float = 60):
        self.sent += 1
        self.process.stdin.write(json.dumps({"id": self.sent, "op": op, "args": list(args)}) + "\n")
        self.process.stdin.flush()
        try:
            answer = self.answers.get(timeout=timeout)
        except queue.Empty:
            raise FirefoxError(f"Firefox did not answer {op}{args!r} within {timeout} s") from None
        if answer is None:
            raise FirefoxError(f"Firefox exited during {op}{args!r} (exit code {self.process.wait()})")
        if not answer["ok"]:
            raise FirefoxError(f"{op}{args!r}: {answer['error']}")
        return answer["value"]

    # What the tests use

    def version(self) -> str:
        return self.send("version")

    def viewport(self, width: int, height: int) -> None:
        self.send("viewport", width, height)

    def goto(self, url: str) -> None:
        self.send("goto", url)

    def url(self) -> str:
        return self.send("url")

    def click(self, selector: str) -> None:
        """Clicks the element as a user would: fails if it is hidden or covered."""
        self.send("click", selector)

    def click_and_wait_for_load(self, selector: str) -> None:
        self.send("waitForNavigation", selector)

    def type(self, selector: str, text: str) -> None:
        self.send("type", selector, text)

    def press(self, key: str) -> None:
        self.send("press", key)

    def evaluate(self, function: str, *args):
        """The value of a JavaScript function (its source text) called in the page with `args`."""
        return self.send("evaluate", function, list(args))

    def wait_for(self, function: str, *args) -> None:
        """Waits until the JavaScript function returns something truthy (15 s at most)."""
        self.send("waitFor", function, list(args))

    def text(self, selector: str) -> str:
        return self.evaluate("(s) => document.querySelector(s)?.textContent.replace(/\\s+/g, ' ').trim()", selector)

    def visible(self, selector: str) -> bool:
        return self.evaluate("(s) => !!document.querySelector(s)?.checkVisibility()", selector)

    def screenshot(self, path: Path, full_page: bool = False) -> None:
        self.send("screenshot", str(path), full_page)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
