"""Index the pages in a second process while Pelican renders the rest (SITESEARCH_WORKER).

Reading and cutting a written page takes about a millisecond, and a large site
writes thousands: on a machine with a second core, that work need not wait for
Pelican. The plugin then starts this module as a process of its own
(``python -m sitesearch``: Python and lxml, not Pelican), tells it the path of each
page as Pelican writes it, and at the end asks it to write the index. The process
does exactly what the plugin does in its own process
(:class:`sitesearch.index.Collector`, :func:`sitesearch.shards.write`), so the files
are byte for byte the same; it keeps each page's units in a temporary file rather
than in memory (:class:`sitesearch.shards.Prepared`).

It is started, not forked: a fork of the build would come to hold its own copy of
every page of memory the build goes on changing (95 MB at 5,000 pages, against about
20 MB for a fresh interpreter).

The protocol is one line of JSON per message on the process's standard input::

    ["pages", ["/abs/output/point-21.html", ...]]
    ["finish", "search-index.js", 307200]

and one line of JSON on its standard output once the index is written: the summary
the plugin logs. Anything else (a crash, a full disk) makes :meth:`Handle.finish`
return None, with the reason on standard error: the plugin then indexes the whole
output itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

from .index import Collector
from .model import Options
from .shards import Prepared, summary, write

#: Paths sent together: a message per page would cost the build a system call each.
BATCH = 16


def peak_kb() -> int:
    """This process's peak resident set since it started (Linux's VmHWM); 0 where that is not known."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def serve(output: Path, options: Options, stdin: IO[str], stdout: IO[str]) -> int:
    """The indexing process: index each page named, then write the index and report."""
    with tempfile.TemporaryFile() as spool:
        prepared = Prepared(spool)
        collector = Collector(output, options, prepared.add)
        for line in stdin:
            message = json.loads(line)
            if message[0] == "pages":
                for path in message[1]:
                    # a page gone already: the build failed and its folder was removed (the build
                    # then never asks for the index), or it was replaced (pages() reads it again)
                    with contextlib.suppress(FileNotFoundError):
                        collector.written(path)
            elif message[0] == "finish":
                pages = collector.pages()
                written = write(pages, output, message[1], message[2], prepared)
                stdout.write(json.dumps({**summary(pages, written), "peak_kb": peak_kb()}) + "\n")
                stdout.flush()
                return 0
    return 2  # the build ended without asking for the index


def main(argv: list[str]) -> int:
    output, site_name, default_description, exclude = json.loads(argv[0])
    return serve(Path(output), Options(site_name, default_description, tuple(exclude)), sys.stdin, sys.stdout)


class Handle:
    """The build's side of one indexing process."""

    def __init__(self, output: Path, options: Options) -> None:
        package = __package__ or "sitesearch"
        # The folder the package is found in, so that the process imports this same copy of it.
        root = Path(__file__).resolve().parents[len(package.split("."))]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
        arguments = json.dumps([str(output), options.site_name, options.default_description, list(options.exclude)])
        import subprocess  # here: the indexing process itself imports this module, and starts none

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
        self.waiting: list[str] = []

    def send(self, path: str) -> bool:
        """Pass one page on (in batches); False if the indexing process is gone."""
        self.waiting.append(path)
        return len(self.waiting) < BATCH or self._send(["pages", self.waiting])

    def _send(self, message: list[Any]) -> bool:
        try:
            self.stdin.write(json.dumps(message) + "\n")
            self.stdin.flush()
        except (BrokenPipeError, OSError):
            return False
        self.waiting = []
        return True

    def finish(self, name: str, limit: int) -> dict[str, Any] | None:
        """Have the index written and wait for it: the summary, or None if the process failed."""
        sent = self._send(["pages", self.waiting]) and self._send(["finish", name, limit])
        try:
            out, _ = self.process.communicate()
        except (BrokenPipeError, OSError):
            out = ""
        if not sent or self.process.returncode != 0:
            _warn("sitesearch: the indexing process failed (exit %s)", self.process.returncode)
            return None
        try:
            summary: dict[str, Any] = json.loads(out)
        except ValueError:
            _warn("sitesearch: the indexing process answered %r", out[:200])
            return None
        return summary

    def stop(self) -> int:
        """End the indexing process without an index (the build failed, or the process did); its exit code."""
        if self.process.poll() is None:
            self.process.kill()
        for stream in (self.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        return self.process.wait()


def _warn(message: str, *args: Any) -> None:
    """Log on the build's side (logging is loaded there; the indexing process never logs)."""
    import logging

    logging.getLogger(__name__).warning(message, *args)
