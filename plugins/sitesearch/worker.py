"""Index the pages in a second process while Pelican renders the rest (SITESEARCH_WORKER).

Reading and cutting a written page takes about a millisecond, and a large site
writes thousands: on a machine with a second core, that work need not wait for
Pelican. The plugin then forks the build into an indexing process, tells it the
path of each page as Pelican writes it, and at the end asks it to write the index.
The process does exactly what the plugin does in its own process
(:class:`sitesearch.index.Collector`, :func:`sitesearch.shards.write`), so the files
are byte for byte the same; it keeps each page's units in a temporary file rather
than in memory (:class:`sitesearch.shards.Prepared`), and the objects it shares with
the build are frozen before the fork, so that its garbage collector never copies
them.

Anything that goes wrong in it (a crash, a full disk) makes :meth:`Handle.finish`
return None: the plugin then indexes the whole output itself. A fork is refused where
it is unsafe or impossible (no fork, other threads running): the plugin indexes in
its own process.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import tempfile
import threading
from pathlib import Path
from typing import Any

from .extract import Options
from .index import Collector
from .shards import Prepared, write

logger = logging.getLogger(__name__)

#: Paths sent together: one message per page would cost the build a system call each.
BATCH = 16


def can_fork() -> bool:
    """fork, and no other thread that a fork could catch holding a lock."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def peak_kb() -> int:
    """The memory this process holds that it does not share with the build (Linux's Private_Clean
    and Private_Dirty of /proc/self/smaps_rollup); 0 where that is not known."""
    try:
        text = Path("/proc/self/smaps_rollup").read_text(encoding="ascii")
    except OSError:
        return 0
    private = ("Private_Clean:", "Private_Dirty:")
    return sum(int(line.split()[1]) for line in text.splitlines() if line.startswith(private))


def serve(output: Path, options: Options, conn: Any) -> None:
    """The indexing process: index each page named, then write the index and report."""
    with tempfile.TemporaryFile() as spool:
        prepared = Prepared(spool)
        collector = Collector(output, options, prepared.add)
        while True:
            message = conn.recv()
            if message[0] == "pages":
                for path in message[1]:
                    collector.written(path)
            elif message[0] == "finish":
                pages = collector.pages()
                written = write(pages, output, message[1], message[2], prepared)
                conn.send(
                    {
                        "pages": len(pages),
                        "units": written.units,
                        "bytes": sum(path.stat().st_size for path in (written.main, *written.shards)),
                        "main": written.main.name,
                        "shards": len(written.shards),
                        "private_kb": peak_kb(),
                    }
                )
                return


class Handle:
    """The build's side of one indexing process."""

    def __init__(self, output: Path, options: Options) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=serve, args=(output, options, theirs), daemon=True)
        self.waiting: list[str] = []
        gc.freeze()  # the build's objects stay where they are: the child's collector never walks them
        try:
            self.process.start()
        finally:
            gc.unfreeze()
        theirs.close()

    def send(self, path: str) -> bool:
        """Pass one page on (in batches); False if the indexing process is gone."""
        self.waiting.append(path)
        return len(self.waiting) < BATCH or self._flush()

    def _flush(self) -> bool:
        try:
            self.conn.send(("pages", self.waiting))
        except (BrokenPipeError, OSError):
            return False
        self.waiting = []
        return True

    def finish(self, name: str, limit: int) -> dict[str, Any] | None:
        """Have the index written and wait for it: the summary, or None if the process failed."""
        summary: dict[str, Any] | None = None
        try:
            if self._flush():
                self.conn.send(("finish", name, limit))
                summary = self.conn.recv()
        except (EOFError, BrokenPipeError, OSError):
            summary = None
        self.process.join()
        if summary is None or self.process.exitcode != 0:
            logger.warning("sitesearch: the indexing process failed (exit %s)", self.process.exitcode)
            return None
        return summary

    def stop(self) -> int | None:
        """End the indexing process without an index (the build failed, or the process did); its exit code."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()
        return self.process.exitcode
