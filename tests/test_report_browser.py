"""The HTML reports open in a real browser (Debian's chromium, headless) without a console
error and with every section; a screenshot of each is kept under test-artifacts/.

How the browser is driven: chromium runs with ``--remote-debugging-pipe`` and we speak the
Chrome DevTools Protocol over the two pipes it reads (fd 3) and writes (fd 4), NUL-separated
JSON messages. That is the same protocol as ``--remote-debugging-port`` without a TCP port or
a websocket client: nothing listens on the network, no port can clash, and every console
message, uncaught exception and failed resource load arrives as a protocol event
(``Runtime.consoleAPICalled``, ``Runtime.exceptionThrown``, ``Log.entryAdded``), which is
more reliable than parsing ``--enable-logging`` output. Screenshots come from
``Page.captureScreenshot`` over the whole page height (``--screenshot`` only captures the
window), once for the screen and once with print media emulated, and ``Page.printToPDF``
checks that the page prints.

Skipped only when no chromium binary is installed (CI installs it: scripts/install-ci-deps.sh).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
)


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(RuntimeError):
    pass


def _bash() -> str:
    """bash, not sh: dash cannot redirect file descriptors above 9."""
    return shutil.which("bash") or "/bin/bash"


def _high_fd(fd: int) -> int:
    new = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return new


@dataclass
class PageCheck:
    """What a page showed: console errors, section ids, and where its screenshots went."""

    url: str
    errors: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    screenshots: list[Path] = field(default_factory=list)
    pdf_bytes: int = 0


class Browser:
    """A headless chromium driven through the DevTools protocol over pipes."""

    def __init__(self, binary: str, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="govkg-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # move chromium's ends above fd 4, so that the redirections below cannot overwrite them
        to_chrome_r, from_chrome_w = (_high_fd(to_chrome_r), _high_fd(from_chrome_w))
        args = [
            binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={self.profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        # fd 3 is what chromium reads, fd 4 what it writes (the --remote-debugging-pipe contract)
        shell = f'exec "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}'
        self.proc = subprocess.Popen(
            [_bash(), "-c", shell, "bash", *args],
            pass_fds=(to_chrome_r, from_chrome_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next = 0
        self._events: list[dict] = []

    # -- protocol ---------------------------------------------------------------------------
    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        want = self._next
        deadline = time.monotonic() + self.timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == want:
                if "error" in m:
                    raise BrowserError(f"{method}: {m['error']}")
                return m.get("result", {})
            self._events.append(m)

    def wait_event(self, method: str, session: str | None = None) -> dict:
        deadline = time.monotonic() + self.timeout
        while True:
            for i, m in enumerate(self._events):
                if m.get("method") == method and (session is None or m.get("sessionId") == session):
                    return self._events.pop(i)
            self._events.append(self._read(deadline))

    def drain(self, seconds: float) -> None:
        """Collect the events that arrive within ``seconds`` (late console messages)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                self._events.append(self._read(deadline))
            except TimeoutError:
                return

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise BrowserError(f"chromium closed the pipe; stderr:\n{err[-2000:]}")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    # -- pages ------------------------------------------------------------------------------
    def check_page(self, path: Path, shot_name: str | None, width: int = 1280) -> PageCheck:
        """Open ``path``; collect console errors, section ids and counts; save screenshots."""
        url = path.resolve().as_uri()
        check = PageCheck(url)
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        sid = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=sid)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            sid,
        )
        self._events = [e for e in self._events if e.get("sessionId") != sid]
        self.call("Page.navigate", {"url": url}, sid)
        self.wait_event("Page.loadEventFired", sid)
        self.drain(0.3)
        probe = """JSON.stringify({
            sections: Array.from(document.querySelectorAll('section.report-section')).map(s => s.id),
            svgs: document.querySelectorAll('svg').length,
            tables: document.querySelectorAll('table').length,
            external: Array.from(document.querySelectorAll('[src],link[href]'))
                .map(e => e.getAttribute('src') || e.getAttribute('href'))
                .filter(u => u && !u.startsWith('data:') && !u.startsWith('#')),
            emptySections: Array.from(document.querySelectorAll('section.report-section'))
                .filter(s => !s.querySelector('table, svg, p, dl')).map(s => s.id),
            title: document.title,
            height: document.documentElement.scrollHeight})"""
        res = self.call("Runtime.evaluate", {"expression": probe, "returnByValue": True}, sid)
        info = json.loads(res["result"]["value"])
        check.sections, check.info = info.pop("sections"), info
        if shot_name:
            ARTIFACTS.mkdir(exist_ok=True)
            for media in ("screen", "print"):
                self.call("Emulation.setEmulatedMedia", {"media": media}, sid)
                height = self.call("Page.getLayoutMetrics", session=sid)["cssContentSize"]["height"]
                shot = self.call(
                    "Page.captureScreenshot",
                    {
                        "format": "png",
                        "captureBeyondViewport": True,
                        "clip": {
                            "x": 0,
                            "y": 0,
                            "width": width,
                            "height": min(int(height) + 1, 16000),
                            "scale": 1,
                        },
                    },
                    sid,
                )
                out = ARTIFACTS / f"{shot_name}{'' if media == 'screen' else '-print'}.png"
                out.write_bytes(base64.b64decode(shot["data"]))
                check.screenshots.append(out)
            self.call("Emulation.setEmulatedMedia", {"media": ""}, sid)
            pdf = self.call("Page.printToPDF", {"printBackground": True}, sid)
            check.pdf_bytes = len(base64.b64decode(pdf["data"]))
        self.drain(0.2)
        check.errors = self._errors(sid)
        self.call("Target.closeTarget", {"targetId": target})
        return check

    def _errors(self, sid: str) -> list[str]:
        out = []
        keep = []
        for e in self._events:
            if e.get("sessionId") != sid:
                keep.append(e)
                continue
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(
                    "console."
                    + p["type"]
                    + ": "
                    + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                )
            elif method == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("exception: " + str(d.get("exception", {}).get("description") or d.get("text")))
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                entry = p["entry"]
                out.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip())
        self._events = keep
        return out

    def close(self) -> None:
        with contextlib.suppress(BrowserError, TimeoutError, OSError):
            self.call("Browser.close")
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
        for fd in (self._to_chrome, self._from_chrome):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self.proc.stderr:
            self.proc.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    binary = chromium_binary()
    if binary is None:
        pytest.skip("chromium is not installed (scripts/install-ci-deps.sh installs it)")
    b = Browser(binary)
    try:
        yield b
    finally:
        b.close()


def assert_report_ok(check: PageCheck, expected_sections: tuple[str, ...]) -> None:
    assert not check.errors, f"console errors in {check.url}:\n" + "\n".join(check.errors)
    missing = [s for s in expected_sections if s not in check.sections]
    assert not missing, f"{check.url}: missing sections {missing} (found {check.sections})"
    assert not check.info["emptySections"], f"empty sections: {check.info['emptySections']}"
    assert not check.info["external"], f"the report loads external resources: {check.info['external']}"


# ---------------------------------------------------------------------------
# The checker itself catches broken pages
# ---------------------------------------------------------------------------


def test_checker_catches_console_errors_missing_resources_and_sections(browser, tmp_path):
    from govkg.report import Section, page

    good = page(
        "测试",
        "test",
        [],
        [
            Section("one", "一", "one", "<p>fine</p>"),
            Section("two", "二", "two", "<table><tr><td>1</td></tr></table>"),
        ],
    )
    ok = tmp_path / "ok.html"
    ok.write_text(good, encoding="utf-8")
    check = browser.check_page(ok, None)
    assert_report_ok(check, ("one", "two"))

    broken = tmp_path / "broken.html"
    broken.write_text(
        good.replace(
            "</main>",
            '<img src="no-such-image.png"><script>console.error("boom");'
            'throw new Error("kaput")</script></main>',
        ),
        encoding="utf-8",
    )
    check = browser.check_page(broken, None)
    text = "\n".join(check.errors)
    assert "boom" in text and "kaput" in text, check.errors
    assert "no-such-image.png" in text or "ERR_FILE_NOT_FOUND" in text, check.errors
    with pytest.raises(AssertionError, match="console errors"):
        assert_report_ok(check, ("one", "two"))

    missing = tmp_path / "missing.html"
    missing.write_text(good.replace('id="two"', 'id="deux"'), encoding="utf-8")
    check = browser.check_page(missing, None)
    with pytest.raises(AssertionError, match=r"missing sections \['two'\]"):
        assert_report_ok(check, ("one", "two"))


# ---------------------------------------------------------------------------
# The three reports
# ---------------------------------------------------------------------------

REFORMS = REPO / "examples" / "reforms"


def _open(browser, tmp_path: Path, name: str, text: str, sections: tuple[str, ...]) -> PageCheck:
    from govkg.report import write_atomic

    path = write_atomic(tmp_path / f"{name}.html", text)
    check = browser.check_page(path, f"report-{name}")
    assert_report_ok(check, sections)
    assert check.info["svgs"] > 0 and check.info["tables"] > 0
    assert check.pdf_bytes > 1000, "the report does not print"
    assert all(p.stat().st_size > 5000 for p in check.screenshots)
    return check


def test_compare_report_in_browser(browser, tmp_path):
    from govkg.compare import compare_cities
    from govkg.report import COMPARE_SECTIONS, compare_html

    comparison = compare_cities(["beijing", "nanjing-qinhuai", "chongqing-f-street"], at="2020-06-01")
    check = _open(browser, tmp_path, "compare", compare_html(comparison), COMPARE_SECTIONS)
    assert "城市模型比较" in check.info["title"]


def test_audit_report_in_browser(browser, tmp_path):
    import govkg
    from govkg.report import AUDIT_SECTIONS, audit_html

    kb = govkg.load("nanjing-qinhuai")
    _open(browser, tmp_path, "audit", audit_html(kb.audit(at="2020-06-01"), kb), AUDIT_SECTIONS)


def test_reform_report_in_browser(browser, tmp_path):
    import govkg
    from govkg.reform import whatif
    from govkg.report import REFORM_SECTIONS, reform_html

    result = whatif(govkg.load("nanjing-qinhuai"), sorted(REFORMS.glob("qinhuai-*.yaml")))
    _open(browser, tmp_path, "reform", reform_html(result), REFORM_SECTIONS)
