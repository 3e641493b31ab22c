"""Build, serve and watch the site.

    python tools/site.py build [--settings FILE] [--output DIR]
    python tools/site.py serve [--port N]
    python tools/site.py devserver [--port N]

A build writes into a fresh folder beside the output and replaces the output
only when it succeeds, so a failed build never destroys the last good site.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What the devserver watches: Pelican's own autoreload misses citations/ and plugins/.
WATCHED = ("content", "citations", "theme", "plugins", "pelicanconf.py", "publishconf.py")
#: Editors' and sed's temporary files must not trigger a rebuild.
WATCHED_SUFFIXES = {".md", ".bib", ".py", ".html", ".css", ".js"}


def _configure_logging() -> None:
    """One plain line per Pelican message (its rich handler wraps and decorates)."""
    from pelican.log import LimitFilter

    # Pelican's LimitFilter remembers messages for the whole process; a rebuild
    # must see a repeated warning again.
    LimitFilter._ignore.clear()
    LimitFilter._raised_messages.clear()
    root = logging.getLogger()
    if not any(getattr(h, "_site_tool", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        handler._site_tool = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.setLevel(logging.WARNING)


def build(settings_file: str = "pelicanconf.py", output: str | None = None, quiet: bool = False) -> int:
    """Build the site atomically; return 0 on success, 1 on failure."""
    from pelican import Pelican
    from pelican.settings import read_settings

    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    _configure_logging()
    started = time.perf_counter()
    settings = read_settings(str(ROOT / settings_file))
    target = Path(output or settings["OUTPUT_PATH"]).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    settings = read_settings(str(ROOT / settings_file), override={"OUTPUT_PATH": str(staging)})
    try:
        Pelican(settings).run()
    except Exception as exc:  # noqa: BLE001 - every failure must keep the old output
        from bibcite.plugin import BuildFailed

        if not isinstance(exc, BuildFailed):
            print(f"build failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        shutil.rmtree(staging, ignore_errors=True)
        print(f"build failed; {_rel(target)}/ still holds the last good build", file=sys.stderr)
        return 1
    _replace(staging, target)
    if not quiet:
        pages = sum(1 for _ in target.rglob("*.html"))
        print(f"built {pages} pages into {_rel(target)}/ in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    return 0


def _rel(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def _replace(staging: Path, target: Path) -> None:
    """Swap the new build in with two renames, then delete the old one."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        old.rmdir()
        target.rename(old)
    staging.rename(target)
    target.chmod(0o755)  # mkdtemp made it private; a web server must read it
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files without logging every request."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def serve(port: int, folder: Path, block: bool = True) -> http.server.ThreadingHTTPServer:
    """Serve *folder* on 127.0.0.1:*port*."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    print(f"serving {_rel(folder)}/ at http://127.0.0.1:{port}/index.html", file=sys.stderr)
    if block:
        server.serve_forever()
    else:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def devserver(port: int) -> int:
    """Build, serve, and rebuild on every change; a failed build waits for the next edit."""
    from watchfiles import watch

    build()
    serve(port, ROOT / "output", block=False)
    paths = [ROOT / p for p in WATCHED if (ROOT / p).exists()]
    for changes in watch(*paths, watch_filter=lambda _, path: Path(path).suffix in WATCHED_SUFFIXES):
        names = ", ".join(sorted({_rel(Path(p)) for _, p in changes}))
        print(f"changed: {names}", file=sys.stderr)
        if build() != 0:
            print("waiting for the next edit", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the site atomically")
    b.add_argument("--settings", default="pelicanconf.py")
    b.add_argument("--output")
    s = sub.add_parser("serve", help="serve output/ on 127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    d = sub.add_parser("devserver", help="build, serve and rebuild on change")
    d.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if args.command == "build":
        return build(args.settings, args.output)
    if args.command == "serve":
        try:
            serve(args.port, ROOT / "output")
        except KeyboardInterrupt:
            return 0
    if args.command == "devserver":
        try:
            return devserver(args.port)
        except KeyboardInterrupt:
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
