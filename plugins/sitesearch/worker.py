"""Index the pages in a second process while Pelican renders the rest (SITESEARCH_WORKER).

Reading and cutting a written page takes about a millisecond, and a large site
writes thousands: on a machine with a second core, that work need not wait for
Pelican. The plugin then starts this module as a process of its own
(``python -m sitesearch``: Python and lxml, not Pelican), tells it the path of each
page as Pelican writes it, and at the end asks it what it found. The process
indexes exactly as the plugin does in its own process
(:class:`sitesearch.index.Collector`). It puts each page's units in a temporary
file the build opened and handed down to it (:class:`sitesearch.shards.Prepared`)
and a line about the page in a second one, so that it holds almost nothing a
page. Asked, it sends those lines and ends; the build then takes every page of the
output in order, indexing itself any page the process was not sent or that changed
since, and writes the index from that file (:func:`sitesearch.shards.write`), byte
for byte what it would have written alone. Writing the index is where memory peaks,
and the build's is at its largest by then: the two processes never peak together.

It is started, not forked: a fork of the build would come to hold its own copy of
every page of memory the build goes on changing (95 MB at 5,000 pages, against about
17 MB for a fresh interpreter with lxml). It loads only what indexing needs: the
build makes its two files (no tempfile, and with it random, in the process) and
names the shards (no hashlib, whose OpenSSL start alone is 3.6 MB).

The protocol is one line of JSON per message on the process's standard input::

    ["pages", ["/abs/output/point-21.html", ...]]
    ["finish"]

and, after "finish", on its standard output a line for each page it indexed, in the
order it indexed them (a page written twice has two: the later stands), then its
peak memory::

    ["page", "point-21.html", size, mtime_ns, inode, [url, title, name, offset, size, words, units]]
    ["page", "print.html", size, mtime_ns, inode, null]      (a page that opts out)
    ["end", 30124]

Anything else (a crash, a full disk, an answer of another shape) makes
:meth:`Handle.finish` return None, with the reason on standard error: the plugin
then indexes the whole output itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import IO, Any, NamedTuple

from .index import Collector, Stamp
from .model import Options, Page
from .shards import Prepared

#: Paths sent together: a message per page would cost the build a system call each.
BATCH = 16
#: Bytes of the records copied to the build at a time.
COPY_BYTES = 64 * 1024


def peak_kb() -> int:
    """This process's peak resident set since it started (Linux's VmHWM); 0 where that is not known."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class Spooling(Collector):
    """The indexing process's collector: each page's units go to the spool and a line about the page to
    *records* (:meth:`sitesearch.shards.Prepared.entry`); it holds nothing a page (a page written twice is
    recorded twice: the later line stands)."""

    def __init__(self, output: Path, options: Options, prepared: Prepared, records: IO[bytes]) -> None:
        super().__init__(output, options)
        self.prepared, self.records = prepared, records

    def keep(self, rel: str, version: Stamp, page: Page | None) -> None:
        entry = self.prepared.entry(page) if page is not None else None
        self.records.write(json.dumps(["page", rel, *version, entry]).encode("utf-8") + b"\n")


def serve(
    output: Path, options: Options, spool: IO[bytes], records: IO[bytes], stdin: IO[str], stdout: IO[bytes]
) -> int:
    """The indexing process: index each page named, its units into *spool* and a line about it into *records*;
    when asked, those lines, then one with its peak memory."""
    collector = Spooling(output, options, Prepared(spool), records)
    for line in stdin:
        message = json.loads(line)
        if message[0] == "pages":
            for path in message[1]:
                # a page gone already: the build failed and its folder was removed (the build
                # then never asks for the index), or it was replaced (the build reads it again)
                with contextlib.suppress(FileNotFoundError):
                    collector.written(path)
        elif message[0] == "finish":
            spool.flush()
            records.seek(0)
            while chunk := records.read(COPY_BYTES):
                stdout.write(chunk)
            stdout.write(json.dumps(["end", peak_kb()]).encode("utf-8") + b"\n")
            stdout.flush()
            return 0
    return 2  # the build ended without asking for the index


def main(argv: list[str]) -> int:
    output, site_name, default_description, exclude, spool, records = json.loads(argv[0])
    # the build's two temporary files, inherited: their descriptors
    with open(spool, "w+b") as spooled, open(records, "w+b") as recorded:
        options = Options(site_name, default_description, tuple(exclude))
        return serve(Path(output), options, spooled, recorded, sys.stdin, sys.stdout.buffer)


class Indexed(NamedTuple):
    """What an indexing process found: each page it indexed by its path in the output, with the stamp of the file
    it read (as :attr:`sitesearch.index.Collector.found` holds them), the units in its spool."""

    found: dict[str, tuple[Stamp, Page | None]]
    prepared: Prepared
    #: the process's peak memory, in KB (0: not known)
    peak_kb: int


class Handle:
    """The build's side of one indexing process."""

    def __init__(self, output: Path, options: Options) -> None:
        package = __package__ or "sitesearch"
        # The folder the package is found in, so that the process imports this same copy of it.
        root = Path(__file__).resolve().parents[len(package.split("."))]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
        import subprocess  # here: the indexing process itself imports this module, and starts none

        #: where the process puts each page's units, and this one reads them to write the index: a file without a
        #: name (as tempfile.TemporaryFile makes it), open until stop()
        self.spool = _anonymous_file()
        try:
            # Where the process puts a line about each page until it is asked for them: made here, so that the
            # process never loads tempfile (and with it random); this process never reads it, and lets it go
            # as soon as the process has it.
            records = _anonymous_file()
        except BaseException:
            self.spool.close()
            raise
        descriptors = (self.spool.fileno(), records.fileno())
        arguments = [str(output), options.site_name, options.default_description, list(options.exclude), *descriptors]
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", package, json.dumps(arguments)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                env=env,
                pass_fds=descriptors,
            )
        except BaseException:
            self.spool.close()
            raise
        finally:
            records.close()
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

    def finish(self) -> Indexed | None:
        """Each page the process indexed, its units in the spool, once it has ended; None if it failed. The
        index is written by the build, from these: the process ends first, so that the two never hold their
        memory at once (writing the index is where each peaks)."""
        sent = self._send(["pages", self.waiting]) and self._send(["finish"])
        prepared = Prepared(self.spool)
        found: dict[str, tuple[Stamp, Page | None]] = {}
        peak = line = spooled = None
        try:
            self.stdin.close()
            assert self.process.stdout is not None
            for line in self.process.stdout:
                if spooled is None:  # the process wrote the spool out before its first line: its size is final
                    spooled = os.fstat(self.spool.fileno()).st_size
                message = json.loads(line)
                if message[0] == "page":
                    _, rel, size, mtime, inode, entry = message
                    page = prepared.adopt(entry, spooled) if entry else None
                    found[str(rel)] = ((int(size), int(mtime), int(inode)), page)
                elif message[0] == "end":
                    peak = int(message[1])
        except OSError:
            pass
        except Exception:  # any answer of another shape (the process is ours, but it may be broken)
            _warn("sitesearch: the indexing process answered %r", (line or "")[:200])
            self.stop()
            return None
        if not sent or self.process.wait() != 0 or peak is None:
            _warn("sitesearch: the indexing process failed (exit %s)", self.process.returncode)
            return None
        return Indexed(found, prepared, peak)

    def stop(self) -> int:
        """End the indexing process if it still runs (the build failed, or the process did), and close the spool;
        its exit code."""
        self.spool.close()
        if self.process.poll() is None:
            self.process.kill()
        for stream in (self.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        return self.process.wait()


def _anonymous_file() -> IO[bytes]:
    """A temporary file, read and written, whose name is gone already: it goes with its last descriptor."""
    import tempfile  # here: the indexing process is handed its files, and never loads tempfile (nor random)

    descriptor, path = tempfile.mkstemp(prefix="sitesearch-")
    try:
        os.unlink(path)
        return os.fdopen(descriptor, "w+b")
    except BaseException:
        os.close(descriptor)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def _warn(message: str, *args: Any) -> None:
    """Log on the build's side (logging is loaded there; the indexing process never logs)."""
    import logging

    logging.getLogger(__name__).warning(message, *args)
