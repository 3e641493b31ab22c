"""Index the pages in a second process while Pelican renders the rest (SITESEARCH_WORKER).

Reading and cutting a written page takes about a millisecond, and a large site
writes thousands: on a machine with a second core, that work need not wait for
Pelican. The plugin then starts this module as its own process (plain
``python -m sitesearch``, no fork of the build), tells it the path of each page as Pelican
writes it, and at the end asks it to write the index; the worker does exactly
what the plugin does in its own process (:class:`sitesearch.index.Collector`,
:func:`sitesearch.shards.write`), so the files are byte for byte the same.

The protocol is one line per message on the worker's standard input, JSON-encoded
so that no path can break a line::

    ["page", "/abs/output/point-21.html"]
    ["finish", "search-index.js", 307200]

and one line of JSON on its standard output once the index is written: the
summary the plugin logs, with the worker's own peak memory. Anything else (a
crash, a full disk) is a non-zero exit with the reason on standard error; the
plugin then indexes the whole output itself (:meth:`Handle.finish` returns None).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

from .extract import Options
from .index import Collector
from .shards import Prepared, write

logger = logging.getLogger(__name__)


def serve(output: Path, options: Options, stdin: IO[str], stdout: IO[str]) -> int:
    """The worker's loop: index each page named, then write the index and report."""
    prepared = Prepared()
    collector = Collector(output, options, prepared.add)
    for line in stdin:
        message = json.loads(line)
        if message[0] == "page":
            collector.written(message[1])
        elif message[0] == "finish":
            pages = collector.pages()
            written = write(pages, output, message[1], message[2], prepared)
            summary = {
                "pages": len(pages),
                "units": written.units,
                "bytes": sum(path.stat().st_size for path in (written.main, *written.shards)),
                "main": written.main.name,
                "shards": len(written.shards),
                "peak_rss_kb": peak_kb(),
            }
            stdout.write(json.dumps(summary) + "\n")
            stdout.flush()
            return 0
    return 2  # the build ended without asking for the index


def peak_kb() -> int:
    """This process's peak resident set since it started (Linux's VmHWM; ru_maxrss elsewhere, which on
    Linux would count the build's memory at the moment it started this process)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)


def main(argv: list[str]) -> int:
    output, site_name, default_description, exclude = json.loads(argv[0])
    return serve(Path(output), Options(site_name, default_description, tuple(exclude)), sys.stdin, sys.stdout)


class Handle:
    """The build's side of one worker."""

    def __init__(self, output: Path, options: Options) -> None:
        package = __package__ or "sitesearch"
        # The folder the package is found in, so that the worker imports this same copy of it.
        root = Path(__file__).resolve().parents[len(package.split("."))]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
        arguments = json.dumps([str(output), options.site_name, options.default_description, list(options.exclude)])
        self.process = subprocess.Popen(
            [sys.executable, "-m", package, arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
        )
        assert self.process.stdin is not None
        self.stdin = self.process.stdin

    def send(self, message: list[Any]) -> bool:
        """Pass one message on; False if the worker is gone."""
        try:
            self.stdin.write(json.dumps(message) + "\n")
            self.stdin.flush()
        except (BrokenPipeError, OSError):
            return False
        return True

    def finish(self, name: str, limit: int) -> dict[str, Any] | None:
        """Have the index written and wait for it: the worker's summary, or None if it failed."""
        sent = self.send(["finish", name, limit])
        try:
            out, _ = self.process.communicate()
        except (BrokenPipeError, OSError):
            out = ""
        if not sent or self.process.returncode != 0:
            logger.warning("sitesearch: the indexing process failed (exit %s)", self.process.returncode)
            return None
        try:
            summary: dict[str, Any] = json.loads(out)
        except ValueError:
            logger.warning("sitesearch: the indexing process answered %r", out[:200])
            return None
        return summary

    def stop(self) -> int:
        """End the worker without an index (the build failed, or the worker did); its exit code."""
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(OSError):
            self.stdin.close()
        return self.process.wait()
