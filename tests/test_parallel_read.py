"""Pages read by a second process (plugins/bibcite/.../parallel.py, BIBCITE_PARALLEL).

The reader is driven as the build drives it, with a stand-in for analyse(): each page
is read once, by one process or the other, whatever order the pages are asked for in;
sources come back as the build's own objects; a page changed since the reader read it,
an analysis that does not pickle, and a reader that dies all leave the page to the
build. Then the real site, built with both helpers forced on, is the site built
without them, byte for byte.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

from pelican.plugins.bibcite import parallel
from pelican.plugins.bibcite.bibliography import load

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="needs fork, a second core and no other thread")


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def sources() -> dict[str, Any]:
    found, _ = load(["citations"], REPO)
    assert found  # (without the site's kinds, each kind is a problem here: only the sources matter)
    return found


def pages(tmp_path: Path, count: int) -> dict[str, Path]:
    written = {}
    for n in range(count):
        path = tmp_path / f"p{n:03d}.md"
        path.write_bytes(f"page {n}\n".encode())
        written[f"content/p{n:03d}.md"] = path
    return written


class Analyse:
    """A stand-in for analyse(): what it read, with a source in it; slow in the reader, so that the
    build asks for most pages before the reader gets to them; a page that fails as asked."""

    def __init__(
        self,
        known: dict[str, Any],
        die_at: str = "",
        unpicklable: str = "",
        pause: float = 0.0,
        log: Path | None = None,
    ) -> None:
        self.known, self.die_at, self.unpicklable, self.pause, self.log = known, die_at, unpicklable, pause, log
        self.first = next(iter(known.values()))
        self.parent = os.getpid()

    def __call__(self, raw: bytes, rel: str) -> Any:
        if self.log is not None:  # every reading, in either process: one line each (appends are atomic)
            with self.log.open("a", encoding="utf-8") as stream:
                stream.write(f"{rel}\n")
        if os.getpid() != self.parent:
            time.sleep(self.pause)
        if rel == self.die_at:
            os._exit(3)  # the reader dies without a word
        if rel == self.unpicklable:
            return lambda: None
        return {"rel": rel, "text": raw.decode().upper(), "source": self.first, "pid": os.getpid()}


def claimed_by_reader(reader: parallel.Reader, rel: str) -> None:
    """Wait until the reader has claimed page *rel* (it starts from the last)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with reader.lock:
            if reader.claimed[reader.index[rel]]:
                return
        time.sleep(0.001)
    raise AssertionError(f"the reader never claimed {rel}")


def read_all(reader: parallel.Reader, paths: dict[str, Path], analyse: Analyse, seed: int = 1) -> dict[str, Any]:
    """Ask for every page in a shuffled order, as Pelican does (it reads a set); read here what the reader
    does not give."""
    order = list(paths)
    random.Random(seed).shuffle(order)
    results = {}
    for rel in order:
        raw = paths[rel].read_bytes()
        got = reader.take(rel, raw)
        results[rel] = got if got is not None else analyse(raw, rel)
    reader.close()
    return results


def test_every_page_is_read_once_and_sources_come_back_as_the_builds_own(tmp_path: Path) -> None:
    known = sources()
    paths = pages(tmp_path, 120)
    log = tmp_path / "read.log"
    analyse = Analyse(known, pause=0.02, log=log)
    reader = parallel.Reader(paths, analyse, known)
    claimed_by_reader(reader, list(paths)[-1])
    results = read_all(reader, paths, analyse)
    assert sorted(log.read_text(encoding="utf-8").split()) == sorted(paths)  # each page read once, by one process
    assert {rel: r["text"] for rel, r in results.items()} == {rel: p.read_text().upper() for rel, p in paths.items()}
    by_reader = [r for r in results.values() if r["pid"] != os.getpid()]
    assert reader.used == len(by_reader) > 0 and len(by_reader) < len(paths)
    assert all(r["source"] is analyse.first for r in results.values())  # not a copy
    assert reader.private_kb > 0 and not reader.process.is_alive()


def test_a_page_changed_since_the_reader_read_it_is_read_again(tmp_path: Path) -> None:
    known = sources()
    paths = pages(tmp_path, 40)
    analyse = Analyse(known)
    reader = parallel.Reader(paths, analyse, known)
    last = list(paths)[-1]
    claimed_by_reader(reader, last)  # so that it is the reader's reading that is refused
    assert reader.take(last, b"page 39, edited\n") is None
    reader.close()


@pytest.mark.parametrize("failure", ["dies", "unpicklable"])
def test_a_reader_that_fails_leaves_its_pages_to_the_build(tmp_path: Path, failure: str) -> None:
    known = sources()
    paths = pages(tmp_path, 60)
    broken = list(paths)[-1]  # the first the reader claims
    analyse = Analyse(known, **({"die_at": broken} if failure == "dies" else {"unpicklable": broken}))
    reader = parallel.Reader(paths, analyse, known)
    claimed_by_reader(reader, broken)
    # every page is delivered or read here; none is lost and nothing hangs
    results = read_all(reader, paths, Analyse(known))
    assert set(results) == set(paths) and all(r["text"].startswith("PAGE") for r in results.values())
    assert results[broken]["pid"] == os.getpid()
    if failure == "dies":
        assert reader.process.exitcode == 3 and reader.used == 0


def test_the_real_site_read_in_two_processes_is_the_same_site(real_site: Path, tmp_path: Path) -> None:
    settings = tmp_path / "forced.py"
    real = REPO / "pelicanconf.py"
    settings.write_text(  # the real settings, read as from the repository, with both helpers from the first page
        f"__file__ = {str(real)!r}\nexec(compile(open(__file__, encoding='utf-8').read(), __file__, 'exec'))\n"
        f"PATH = {str(REPO / 'content')!r}\nTHEME = {str(REPO / 'theme')!r}\n"
        "BIBCITE_PARALLEL = 1\nSITESEARCH_WORKER = 1\n",
        encoding="utf-8",
    )
    out = tmp_path / "output"
    result = subprocess.run(
        [sys.executable, "-m", "tools.build", "build", "--verbose", "--settings", str(settings), "--output", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    read = re.search(r"bibcite: (\d+) of (\d+) pages read by a second process", result.stderr)
    assert read and 0 < int(read.group(1)) < int(read.group(2)) >= 30, result.stderr
    assert "the indexing process's peak memory" in result.stderr, result.stderr
    assert tree_bytes(out) == tree_bytes(real_site)
