"""Read a large site's pages in two processes (BIBCITE_PARALLEL).

Reading a page (:func:`document.analyse`: checks, citations, Markdown) is most of
a build, one page after another in one process. On a machine with a second core
and a site of many pages, the build forks one *reader* just before Pelican starts
reading: it shares everything read so far (settings, bibliography, the hooks'
state), analyses pages from the end of the list while Pelican asks for them in its
own order, and sends each analysis back, pickled and compressed. The two never read the same
page: each claims a page in a shared table before reading it, and Pelican, asking
for a page the reader claimed, waits for that one page. The analysis is the same
either way (analyse() depends only on the bytes and the context both processes
share), and a page whose bytes changed since the reader read them is read again
here. A reader that fails or dies costs nothing but time: every page it did not
deliver is read by the build itself.

Sources are not copied across: a note's source travels as its key and is the
build's own Source object again on arrival, as if read here.

Forking is refused where it is unsafe or useless: one core, a platform without
fork, a process running other threads (the devserver), or fewer pages than the
setting asks.
"""

from __future__ import annotations

import gc
import hashlib
import io
import multiprocessing
import os
import pickle
import sys
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .bibliography import Source

#: What the reader sends when it has nothing more: an index no page has.
DONE = -1
#: How long the build waits for one page from the reader before reading it itself (a page takes
#: milliseconds; the checks refuse any that would take long).
STUCK_S = 30.0
#: zlib's fastest level for what the reader sends: it compresses in the reader, beside the build.
LEVEL = 1


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, sources: dict[str, Source]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.sources = sources

    def persistent_id(self, obj: Any) -> str | None:
        if isinstance(obj, Source) and self.sources.get(obj.key) is obj:
            return obj.key
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, sources: dict[str, Source]) -> None:
        super().__init__(file)
        self.sources = sources

    def persistent_load(self, pid: Any) -> Source:
        return self.sources[pid]


def dumps(value: Any, sources: dict[str, Source]) -> bytes:
    """*value* pickled (sources by key) and compressed: an analysis waits in the build's memory from the
    moment the reader sends it until Pelican asks for its page, and the HTML in it shrinks about fivefold."""
    stream = io.BytesIO()
    _Pickler(stream, sources).dump(value)
    return zlib.compress(stream.getvalue(), LEVEL)


def loads(data: bytes, sources: dict[str, Source]) -> Any:
    return _Unpickler(io.BytesIO(zlib.decompress(data)), sources).load()


def cores() -> int:
    """The cores this process may run on (its affinity where the system tells it, not the machine's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Linux, a second core, and no other thread that a fork could catch holding a lock."""
    # Linux only: macOS lists fork but its system libraries are not safe in a forked child.
    return (
        sys.platform.startswith("linux")
        and cores() > 1
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def private_kb() -> int:
    """The memory this process holds that no other does (a forked reader shares the rest with the
    build): Private_Clean + Private_Dirty of Linux's /proc/self/smaps_rollup; 0 where there is none."""
    try:
        text = Path("/proc/self/smaps_rollup").read_text(encoding="ascii")
    except OSError:
        return 0
    private = ("Private_Clean:", "Private_Dirty:")
    return sum(int(line.split()[1]) for line in text.splitlines() if line.startswith(private))


class Reader:
    """The build's side of the reader process.

    *paths* are the pages Pelican is expected to ask for, by their shown path;
    *analyse* reads one (path, raw bytes) -> Analysis; *sources* the bibliography.
    """

    def __init__(self, paths: dict[str, Path], analyse: Callable[[bytes, str], Any], sources: dict[str, Source]):
        self.sources = sources
        self.index = {rel: n for n, rel in enumerate(paths)}
        context = multiprocessing.get_context("fork")
        self.lock = context.Lock()
        self.claimed = context.RawArray("b", len(paths))
        receive, send = context.Pipe(duplex=False)
        items = list(paths.items())
        self.process = context.Process(
            target=_serve, args=(items, analyse, sources, self.lock, self.claimed, send, receive), daemon=True
        )
        # Frozen, the objects both processes share are never walked by the reader's garbage collector,
        # which would otherwise copy every page of memory it touches (copy-on-write).
        gc.freeze()
        try:
            self.process.start()
        except BaseException:
            receive.close()
            send.close()
            raise
        finally:
            gc.unfreeze()
        send.close()
        #: pages asked for already (a second ask is answered at once: read it here)
        self.asked: set[int] = set()
        self.arrived: dict[int, tuple[bytes, bytes | None]] = {}
        self.done = False
        self.ready = threading.Condition()
        #: pages the reader delivered and the build used
        self.used = 0
        #: the memory the reader held of its own when it was done (not shared with the build), in KB
        self.private_kb = 0
        self.thread = threading.Thread(target=self._receive, args=(receive,), daemon=True)
        self.thread.start()

    def _receive(self, receive: Any) -> None:
        """Take each analysis off the pipe as it comes, so that the reader never waits on a full pipe."""
        try:
            while True:
                number, digest, payload = pickle.loads(receive.recv_bytes())
                if number == DONE:
                    self.private_kb = int(digest)
                    break
                with self.ready:
                    self.arrived[number] = (digest, payload)
                    self.ready.notify_all()
        except (EOFError, OSError, pickle.UnpicklingError):
            pass  # the reader is gone: the build reads what it did not deliver
        finally:
            receive.close()
            with self.ready:
                self.done = True
                self.ready.notify_all()

    def take(self, rel: str, raw: bytes) -> Any | None:
        """The reader's analysis of page *rel* whose bytes are *raw*, or None: read it here."""
        number = self.index.get(rel)
        if number is None or number in self.asked:
            return None
        self.asked.add(number)
        with self.lock:
            mine = not self.claimed[number]
            self.claimed[number] = 1
        if mine:
            return None
        with self.ready:
            # A reader that dies closes its end of the pipe (done); one that hangs is given up on.
            if not self.ready.wait_for(lambda: number in self.arrived or self.done, timeout=STUCK_S):
                self.done = True  # every page it claimed and did not send is read here
            digest, payload = self.arrived.pop(number, (b"", None))
        if payload is None or digest != hashlib.sha256(raw).digest():
            return None
        self.used += 1
        return loads(payload, self.sources)

    def close(self) -> None:
        """Stop the reader (it may still be reading pages nobody asked for) and forget what it sent."""
        with self.lock:  # nothing left to claim: the reader stops after its current page
            for number in range(len(self.claimed)):
                self.claimed[number] = 1
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.thread.join(timeout=30)
        self.arrived.clear()


def _serve(
    items: list[tuple[str, Path]],
    analyse: Callable[[bytes, str], Any],
    sources: dict[str, Source],
    lock: Any,
    claimed: Any,
    send: Any,
    theirs: Any,
) -> None:
    """The reader: claim each unclaimed page from the last, analyse it, send it."""
    theirs.close()  # the build's end, inherited: only the build reads from the pipe
    try:
        for number in range(len(items) - 1, -1, -1):
            with lock:
                if claimed[number]:
                    continue
                claimed[number] = 1
            rel, path = items[number]
            digest, payload = b"", None
            try:
                raw = path.read_bytes()
                digest = hashlib.sha256(raw).digest()
                payload = dumps(analyse(raw, rel), sources)
            except Exception:  # unreadable, or an analysis that does not pickle: the build reads it
                payload = None
            send.send_bytes(pickle.dumps((number, digest, payload), protocol=pickle.HIGHEST_PROTOCOL))
        send.send_bytes(pickle.dumps((DONE, private_kb(), None)))
    finally:
        send.close()
