"""Shared browser plumbing: Debian's Chromium driven by Playwright, a loopback server, a request log."""

from __future__ import annotations

import functools
import http.server
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def isolated_args(dead_port: int) -> list[str]:
    """LAUNCH_ARGS plus a proxy for every request that is not for 127.0.0.1: a loopback port bound and
    never listened on (*dead_port*), so each such request is refused in the browser itself. Chromium's
    implicit exceptions (localhost, the rest of 127/8, [::1], link-local addresses such as 169.254.169.254)
    are removed (``<-loopback>``); only 127.0.0.1, where the tests serve, goes direct."""
    return [*LAUNCH_ARGS, f"--proxy-server=http://127.0.0.1:{dead_port}", "--proxy-bypass-list=<-loopback>;127.0.0.1"]


def require_chromium() -> None:
    """Skip without Chromium, except under CI where a missing browser is a failure."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("Chromium is required under CI (apt-get install chromium)")
    pytest.skip("Chromium is not installed (apt-get install chromium); CI runs these tests")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the session."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    # Bound, not listening: a connection to it is refused at once (a port that merely looks free could be
    # taken by another program meanwhile, which might hold the request instead).
    with socket.socket() as dead, sync_playwright() as pw:
        dead.bind(("127.0.0.1", 0))
        args = isolated_args(dead.getsockname()[1])
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=args, headless=True)
        yield instance
        instance.close()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve(folder: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    """Serve *folder* on a free loopback port; return its base URL and the server."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


class Watch:
    """Records console errors, page errors and every request that is not local, from any page of the
    page's context (a popup too).

    Requests are watched, not intercepted: interception sends each one through Playwright's driver and
    this process before the browser may go on (loading the site's 42 pages took 9.1 s so, 6.1 s watched).
    The browser cannot reach another host anyway (isolated_args: the dead proxy). With *allowed* empty
    (a page opened from disk, which must work with no request at all), the context is also offline: every
    request that is not for a file (or a data: or blob: address) fails, to 127.0.0.1 too.
    """

    def __init__(self, page: object, allowed: tuple[str, ...] = ("127.0.0.1",)) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.allowed = allowed
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.context.on("request", lambda request: self._record(request.url))
        if not allowed:
            page.context.set_offline(True)

    def _is_foreign(self, url: str) -> bool:
        parsed = urlparse(url)
        return parsed.scheme not in ("file", "data", "blob") and parsed.hostname not in self.allowed

    def _record(self, url: str) -> None:
        if self._is_foreign(url):
            self.foreign.append(url)
