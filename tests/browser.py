"""Shared browser plumbing: Debian's Chromium driven by Playwright, a loopback server, a request log."""

from __future__ import annotations

import functools
import http.server
import os
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

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
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
    """Records console errors, page errors and every request that is not local."""

    def __init__(self, page: object, allowed: tuple[str, ...] = ("127.0.0.1",)) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.allowed = allowed
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.route("**/*", self._route)

    def _route(self, route: object) -> None:
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("file", "data", "blob") or parsed.hostname in self.allowed:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()
