"""Headless Chromium for the map tests: no network, a fresh profile, the page's DOM after its
scripts ran, console messages, and a screenshot (:func:`open_page`); or a page driven over the
DevTools protocol (:class:`Page`: scripts, real clicks, screenshots, every request); and the
pixels of a PNG (:func:`png_pixels`)."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Self

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         # no request can leave the machine: every host name resolves to nothing
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
         "--window-size=1400,900", "--virtual-time-budget=6000"]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise AssertionError("the map tests need Debian's chromium: apt-get install chromium "
                             "(.ci/run installs it)")
    return path


def open_page(page: Path, screenshot: Path | None = None, fragment: str = "") -> tuple[str, str]:
    """The DOM after the page's scripts ran, and Chromium's log (console messages)."""
    with tempfile.TemporaryDirectory() as profile:
        args = [chromium(), *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0"]
        run = subprocess.run([*args, "--dump-dom", page.resolve().as_uri() + fragment], capture_output=True,
                             text=True, timeout=120, check=False)
        if screenshot is not None:
            with tempfile.TemporaryDirectory() as profile2:
                subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile2}",
                                f"--screenshot={screenshot}", page.resolve().as_uri()],
                               capture_output=True, timeout=120, check=False)
    return run.stdout, run.stderr


def console_errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if "CONSOLE" in line and
            ("Uncaught" in line or "Error" in line or "Refused" in line)]


class Page:
    """One page in headless Chromium driven over the DevTools protocol (a pipe, no port):
    scripts evaluated in the page, real mouse clicks, screenshots, and every request the page
    makes (``requests``: URLs other than file: and data:).

    >>> with Page(path) as page:              # doctest: +SKIP
    ...     page.wait("document.body.dataset.drawn > 0")
    ...     page.eval("document.title")
    """

    def __init__(self, page: Path, width: int = 1400, height: int = 900, fragment: str = "") -> None:
        self.url = page.resolve().as_uri() + fragment
        self.size = (width, height)
        self.requests: list[str] = []
        self.console: list[str] = []
        self._id = 0

    def __enter__(self) -> Self:
        import os
        self.profile = tempfile.TemporaryDirectory()
        to_chrome, self._out = os.pipe()     # chromium reads fd 3 and writes fd 4
        self._in, from_chrome = os.pipe()
        args = [chromium(), *[f for f in FLAGS if not f.startswith(("--virtual-time", "--window-size"))],
                f"--window-size={self.size[0]},{self.size[1]}", f"--user-data-dir={self.profile.name}",
                "--remote-debugging-pipe", "about:blank"]

        def fds() -> None:    # (in the child) the DevTools pipe is fds 3 and 4
            import fcntl
            read, write = fcntl.fcntl(to_chrome, fcntl.F_DUPFD, 10), fcntl.fcntl(from_chrome, fcntl.F_DUPFD, 10)
            os.dup2(read, 3)
            os.dup2(write, 4)
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, preexec_fn=fds,  # noqa: PLW1509 (no threads)
                                     close_fds=False)
        os.close(to_chrome)
        os.close(from_chrome)
        self._buffer = b""
        try:
            self._open()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _open(self) -> None:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", {"width": self.size[0], "height": self.size[1],
                                                         "deviceScaleFactor": 1, "mobile": False})
        self.call("Page.navigate", {"url": self.url})

    def __exit__(self, *exc) -> None:
        import os
        try:
            self.call("Browser.close", session=False)
        except (AssertionError, OSError):
            self.proc.kill()     # (it closed the pipe already)
        for fd in (self._out, self._in):
            os.close(fd)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.profile.cleanup()

    def _send(self, message: dict) -> None:
        import json
        import os
        os.write(self._out, json.dumps(message).encode() + b"\0")

    def _receive(self) -> dict:
        import json
        import os
        import select
        while b"\0" not in self._buffer:
            if not select.select([self._in], [], [], 120)[0]:
                raise AssertionError("chromium sent nothing for 120 s")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise AssertionError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: bool = True) -> dict:
        """Send one DevTools command and return its result (events met meanwhile are kept)."""
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session and hasattr(self, "session"):
            message["sessionId"] = self.session
        self._send(message)
        while True:
            reply = self._receive()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._event(reply)

    def _event(self, event: dict) -> None:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(("file:", "data:", "about:")):
                self.requests.append(url)
        elif method == "Runtime.exceptionThrown":
            self.console.append(str(params.get("exceptionDetails", {}).get("exception", {}).get("description")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            self.console.append(" ".join(str(a.get("value")) for a in params.get("args", [])))

    def eval(self, expression: str):
        """The value of a JavaScript expression in the page (awaited when it is a promise)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, condition: str, timeout: float = 60.0) -> float:
        """Wait until a JavaScript condition holds; return the seconds it took."""
        import time
        start = time.perf_counter()
        while not self.eval(f"(() => {{ try {{ return Boolean({condition}); }} catch (e) {{ return false; }} }})()"):
            if time.perf_counter() - start > timeout:
                raise AssertionError(f"waited {timeout} s for {condition}")
            time.sleep(0.05)
        return time.perf_counter() - start

    def settle(self, frames: int = 3) -> None:
        """Let the page draw a few frames (after a resize, a click, a slider's move)."""
        self.eval(f"new Promise(r => {{ let n = {frames}; const f = () => --n ? requestAnimationFrame(f) : "
                  "setTimeout(r, 100); requestAnimationFrame(f); })")

    def click(self, x: float, y: float) -> None:
        """A real left click at page coordinates."""
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left",
                                                   "clickCount": 1 if kind != "mouseMoved" else 0})

    def screenshot(self, path: Path) -> Path:
        import base64
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
        return path


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) bytes of an 8-bit PNG (what Chromium writes), read
    with the standard library."""
    import struct
    import zlib
    data = path.read_bytes()
    pos, chunks = 8, []
    width = height = 0
    colour = 2
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8, "only 8-bit PNGs"
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    bpp = {2: 3, 6: 4}[colour]
    stride = width * bpp
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, rows
