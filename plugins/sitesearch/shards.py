"""Write the index: one file, or when that is too large a head and shards loaded on demand (pure).

An index whose gzip size stays within the limit (SITESEARCH_SHARD_BYTES) is the one
file :func:`sitesearch.index.render` describes. A larger one is split, page by page
and in page order, into shards of at most that size each, and the file the search
page loads becomes a head::

    window.SEARCH_INDEX = {"v": 2,
      "p": [[url, title, name], ...],                 # every page, as in one file
      "s": [["search-index-0.0123456789.js", 0, 0],   # each shard: its file, its first
            ["search-index-1.abcdef0123.js", 180, 4100]],  # page, its first unit
      "w": {"0-1": "agreement border ...",            # the words of the units' sections and
            "1": "zaporizhia ..."}};                  # texts, by the shards that hold them

A shard is a plain script too, ``window.SEARCH_SHARD(1, [{unit}, ...]);``, whose
units are those of the single file, in the same order, numbered from its first unit.

The words are cut as search.js cuts them (:mod:`sitesearch.folding`), so search.js
knows the whole vocabulary from the head: it reads a word one edit away or a word
being typed exactly as with one file, then loads only the shards where every query
word can match (a unit matches a word in its section, its text, or its page's title,
which search.js reads from "p"). A shard is skipped only when it holds none of the
words a query word can match, so no result of the single file is ever missed.

A shard's size is measured as it is filled, with zlib's fastest level: about eight times
faster than gzip -9, and about 12% larger on this text, so that a shard is within the
limit at gzip -9 with room to spare.

A shard's name carries a hash of its content: the published site caches it for a
year (deploy/nginx), and assethash leaves names of that form alone, so the head,
which it renames, keeps naming them right.
"""

from __future__ import annotations

import os
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from . import folding
from .index import PREFIX, SUFFIX, VERSION, dumps, stamp, unit_entry
from .model import Page

#: zlib's fastest level: it compresses the index worse than gzip -9 (what the benchmark measures and a
#: server precompresses), so a size measured with it is an upper bound, found in an eighth of the time.
LEVEL = 1
#: The gzip header and trailer and the last block, beyond what a sync flush has shown.
SLACK = 32
SHARD_CALL = "window.SEARCH_SHARD"


class Written(NamedTuple):
    """What was written."""

    #: the file the search page loads (the whole index, or the head)
    main: Path
    #: the shard files, in order (none for a single file)
    shards: tuple[Path, ...]
    #: units in the index
    units: int


#: Where a unit's page number stands in its JSON, whose keys are sorted l, p, u, x (index.unit_entry).
NUMBER_HOLE = '"p":0,"u":'


class Prepared:
    """Each page's units as JSON, page numbers left to fill in, and the words they hold, worked out
    once per page: the indexing process does it while Pelican is still writing, so that writing
    the index at the end takes little more than the compression.

    With a *spool* (a temporary file), the JSON and the words wait there rather than in memory, and
    :meth:`add` gives back the page without its units, which is all the index needs of it after:
    the indexing process then holds a few hundred bytes a page, whatever their length."""

    def __init__(self, spool: IO[bytes] | None = None, reuse: bool = False) -> None:
        self.spool = spool
        #: kept for the builds after this one (the devserver's): each shard written is remembered
        self.reuse = reuse
        #: id(page) -> (page, its JSON and words or where they are in the spool, its number of units)
        self.found: dict[int, tuple[Page, tuple[str, str] | tuple[int, int, int], int]] = {}
        #: the shards written last, by (size limit, number, first page): the pages cut into it and the one
        #: that opened the next shard, the page after its last, its file's name and stamp, its words (see
        #: :meth:`shard`)
        self.shards: dict[tuple[int, int, int], KeptShard] = {}
        self.shards_used: set[tuple[int, int, int]] = set()

    def add(self, page: Page) -> Page:
        """Work out *page*; the page to keep in its place."""
        if self.spool is None:
            self.found[id(page)] = (page, self._work_out(page), len(page.units))
            return page
        kept = page._replace(units=())
        self.found[id(kept)] = (kept, self._spooled(page), len(page.units))
        return kept

    def entry(self, page: Page) -> list[Any]:
        """*page* worked out into the spool, and not kept here: what another process needs of it to write the
        index from the same spool (:meth:`adopt`), its address, title and name, where its units are, how many."""
        return [page.url, page.title, page.name, *self._spooled(page), len(page.units)]

    @staticmethod
    def _work_out(page: Page) -> tuple[str, str]:
        """The page's units as JSON (page number left to fill in), and their words."""
        entries = ",".join(dumps(unit_entry(0, unit)) for unit in page.units)
        words = " ".join(sorted(folding.words(text for unit in page.units for text in (unit.label or "", unit.text))))
        return entries, words

    def _spooled(self, page: Page) -> tuple[int, int, int]:
        """Where the page's units, worked out, are now in the spool: the offset, their size, their words' size."""
        assert self.spool is not None
        entries, words = self._work_out(page)
        data, vocabulary = entries.encode("utf-8"), words.encode("utf-8")
        at = self.spool.seek(0, os.SEEK_END)
        self.spool.write(data + vocabulary)
        return at, len(data), len(vocabulary)

    def adopt(self, entry: list[Any], limit: int) -> Page:
        """The page *entry* describes, its units where it says in this spool (the one the other process wrote);
        ValueError if that is not within the first *limit* bytes of the spool."""
        url, title, name, at, size, words, count = entry
        where = (int(at), int(size), int(words))
        if min(*where, int(count)) < 0 or sum(where) > limit:
            raise ValueError(f"units outside the spool: {entry!r}")
        page = Page(str(url), str(title), str(name), ())
        self.found[id(page)] = (page, where, int(count))
        return page

    def _of(self, page: Page) -> tuple[tuple[str, str] | tuple[int, int, int], int]:
        found = self.found.get(id(page))
        if found is None or found[0] is not page:  # a page not worked out yet
            found = self.found[id(self.add(page))]
            self.found[id(page)] = found = (page, found[1], found[2])
        return found[1], found[2]

    def _texts(self, page: Page) -> tuple[str, str]:
        where, _ = self._of(page)
        if len(where) == 2:
            return where
        assert self.spool is not None
        at, size, words = where
        self.spool.seek(at)
        data = self.spool.read(size + words)
        return data[:size].decode("utf-8"), data[size:].decode("utf-8")

    def keep_only(self, pages: list[Page]) -> None:
        """Forget every page but *pages*, and every shard but those just written (a process that builds
        again and again keeps this)."""
        kept = {id(page) for page in pages}
        self.found = {key: value for key, value in self.found.items() if key in kept}
        self.shards = {key: value for key, value in self.shards.items() if key in self.shards_used}
        self.shards_used = set()

    def shard(self, limit: int, number: int, first: int, pages: list[Page], last: Path | None) -> KeptShard | None:
        """Shard *number* from page *first* as written last under the same size *limit*, if it is cut from the
        same pages (the same page objects, an unchanged page's kept between builds, from *first* to the one
        that opened the next shard, or to the last page: the cut depends on nothing else), and its file is
        still in the folder of the last build, *last*, as it was written (the same stamp)."""
        kept = self.shards.get((limit, number, first))
        if kept is None or last is None or not kept.stamp:
            return None
        now = pages[first : kept.end + 1]
        if len(now) != len(kept.pages) or any(a is not b for a, b in zip(now, kept.pages, strict=True)):
            return None
        try:
            if stamp(last / kept.name) != kept.stamp:
                return None
        except OSError:
            return None
        self.shards_used.add((limit, number, first))
        return kept

    def keep_shard(
        self, limit: int, number: int, first: int, end: int, pages: list[Page], path: Path
    ) -> frozenset[str]:
        """Shard *number*, just written at *path*: kept for the next build if this one is (*reuse*); its words."""
        words = self.words(pages[first:end])
        if self.reuse:
            key = (limit, number, first)
            self.shards[key] = KeptShard(tuple(pages[first : end + 1]), end, path.name, stamp(path), words)
            self.shards_used.add(key)
        return words

    def count(self, page: Page) -> int:
        """The number of units of *page*."""
        return self._of(page)[1]

    def units(self, number: int, page: Page) -> str:
        """The page's units as they stand in the index's list, without the brackets."""
        # Every unit has one hole: a label's, a text's or an address's own quotes are escaped in JSON.
        return self._texts(page)[0].replace(NUMBER_HOLE, f'"p":{number},"u":')

    def words(self, pages: Iterable[Page]) -> frozenset[str]:
        """The words of the units of *pages*."""
        return frozenset(word for page in pages for word in self._texts(page)[1].split())


class Meter:
    """The gzip size of a stream so far, fed piece by piece."""

    def __init__(self) -> None:
        self.compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, 31)
        self.size = 0

    def feed(self, data: bytes, flush: bool = True) -> int:
        """Add *data*; the size so far, flushed so that it is exact up to the closing bytes (*flush*), or
        without the bytes zlib still holds (a piece of a larger whole, measured at its end)."""
        self.size += len(self.compressor.compress(data))
        if flush:
            self.size += len(self.compressor.flush(zlib.Z_SYNC_FLUSH))
        return self.size


def summary(pages: list[Page], written: Written) -> dict[str, Any]:
    """What was written, as the plugin logs it: pages, units, bytes, the main file, shards."""
    return {
        "pages": len(pages),
        "units": written.units,
        "bytes": sum(path.stat().st_size for path in (written.main, *written.shards)),
        "main": written.main.name,
        "shards": len(written.shards),
    }


def shard_pattern(name: str) -> re.Pattern[str]:
    stem, dot, suffix = name.rpartition(".")
    return re.compile(rf"{re.escape(stem)}-\d+\.[0-9a-f]{{10}}\.{re.escape(suffix)}" if dot else r"(?!)")


def shard_name(name: str, number: int, data: bytes) -> str:
    """``search-index-3.0123456789.js``: the number, then a hash of the content."""
    import hashlib  # here: the indexing process never names a shard, and OpenSSL's start costs it megabytes

    stem, _, suffix = name.rpartition(".")
    return f"{stem}-{number}.{hashlib.sha256(data).hexdigest()[:10]}.{suffix}"


def write(
    pages: list[Page], output: Path, name: str, limit: int, prepared: Prepared | None = None, last: Path | None = None
) -> Written:
    """Write the index of *pages* as output/name, split into shards if its gzip size exceeds *limit* (0: never).
    *prepared*: what has been worked out of the pages already; *last*: the folder of the last build written
    with it, whose unchanged shards are linked rather than written again."""
    prepared = prepared or Prepared()
    for old in output.iterdir():  # shards of an earlier build into the same folder
        if shard_pattern(name).fullmatch(old.name):
            old.unlink()
    target = output / name
    units = sum(prepared.count(page) for page in pages)
    if write_single(pages, target, limit, prepared):
        return Written(target, (), units)
    return write_sharded(pages, output, name, limit, prepared, last)


#: Pages listed together in the index's "p" (the list of every page at once would be a copy of every title).
LISTED = 512


def page_list(pages: list[Page]) -> Iterator[str]:
    """``dumps([[page.url, page.title, page.name] for page in pages])``, a few hundred pages at a time."""
    yield "["
    for start in range(0, len(pages), LISTED):
        listed = dumps([[page.url, page.title, page.name] for page in pages[start : start + LISTED]])
        yield ("," if start else "") + listed[1:-1]
    yield "]"


def chunks(pages: list[Page], prepared: Prepared) -> Iterator[tuple[str, bool]]:
    """``index.render(index.assemble(pages))`` piece by piece, a page at a time: the whole text is never in memory.
    Each piece comes with whether it ends a part (the list of pages, then each page's units, then the end)."""
    # The keys in the order dumps() sorts them: p, u, v.
    yield f'{PREFIX}{{"p":', False
    for listed in page_list(pages):
        yield listed, False
    yield ',"u":[', True
    for number, page in enumerate(pages):
        yield ("," if number else "") + prepared.units(number, page), True
    yield f'],"v":{VERSION}}}{SUFFIX}', True


def write_single(pages: list[Page], target: Path, limit: int, prepared: Prepared) -> bool:
    """Write the whole index in one file; False, leaving it unfinished, as soon as it is over *limit* (measured at
    the end of each part: the same sizes whether the list of pages comes in one piece or several)."""
    meter = Meter()
    with target.open("wb") as stream:
        for chunk, ends in chunks(pages, prepared):
            data = chunk.encode("utf-8")
            stream.write(data)
            if limit and meter.feed(data, ends) + SLACK > limit and ends:
                return False
    return True


class KeptShard(NamedTuple):
    """A shard as written by the last build."""

    #: the pages cut into it, and the one that opened the next shard (if any)
    pages: tuple[Page, ...]
    #: the number of the page after its last
    end: int
    #: its file's name and stamp
    name: str
    stamp: tuple[int, int, int]
    #: the words of its units
    words: frozenset[str]


class Cut(NamedTuple):
    """One shard of the index being written: cut now (its content), or kept from the last build."""

    first: int
    end: int
    data: bytes
    kept: KeptShard | None


class Shard(NamedTuple):
    """One shard, written."""

    #: its file name
    name: str
    #: the number of its first page
    first_page: int
    #: the number of its first unit
    first_unit: int


def split(pages: list[Page], limit: int, prepared: Prepared, last: Path | None = None) -> Iterator[Cut]:
    """The shards, each within *limit* gzipped if it can be (a page larger than that on its own is a shard on
    its own): cut now, with its content, or as kept from the last build in the folder *last*.

    Each page is compressed once as it is added; the page that takes a shard over the limit
    opens the next one, compressed again there (once per shard, not a copy of the compressor
    for every page)."""
    first = number = 0
    while first < len(pages):
        kept = prepared.shard(limit, number, first, pages, last)
        if kept is not None:
            yield Cut(first, kept.end, b"", kept)
            first, number = kept.end, number + 1
            continue
        pieces = [_opening(number)]
        meter = Meter()
        meter.feed(pieces[0])
        end = first
        while end < len(pages):
            piece = _piece(pages, first, end, prepared)
            if meter.feed(piece) + SLACK > limit and end > first:
                break
            pieces.append(piece)
            end += 1
        pieces.append(CLOSING)
        yield Cut(first, end, b"".join(pieces), None)
        first, number = end, number + 1


def write_sharded(
    pages: list[Page], output: Path, name: str, limit: int, prepared: Prepared, last: Path | None = None
) -> Written:
    """Write the shards, then the head that names them (see the module's docstring). A shard cut from the
    same pages as one of the last build in *last* is that build's file, linked."""
    shards: list[Shard] = []
    paths: list[Path] = []
    where = Vocabulary()
    unit = 0
    for number, cut in enumerate(split(pages, limit, prepared, last)):
        if cut.kept is not None and last is not None and _linked(last / cut.kept.name, output / cut.kept.name):
            path, words = output / cut.kept.name, cut.kept.words
        else:
            data = cut.data or _cut_again(pages, cut, number, prepared)
            path = output / shard_name(name, number, data)
            path.write_bytes(data)
            words = prepared.keep_shard(limit, number, cut.first, cut.end, pages, path)
        where.add(number, words)  # each shard's words in turn: one copy of each word, not one per shard
        paths.append(path)
        shards.append(Shard(path.name, cut.first, unit))
        unit += sum(prepared.count(page) for page in pages[cut.first : cut.end])
    target = output / name
    with target.open("w", encoding="utf-8") as stream:
        # {"p": ..., "s": ..., "v": ..., "w": ...} as dumps() writes it, the list of pages a piece at a time
        stream.write(f'{PREFIX}{{"p":')
        stream.writelines(page_list(pages))
        stream.write(f',"s":{dumps([[shard.name, shard.first_page, shard.first_unit] for shard in shards])}')
        stream.write(f',"v":{VERSION},"w":{dumps(where.groups())}}}{SUFFIX}')
    return Written(target, tuple(paths), unit)


def _linked(source: Path, path: Path) -> bool:
    try:
        os.link(source, path)
    except OSError:
        return False
    return True


def _cut_again(pages: list[Page], cut: Cut, number: int, prepared: Prepared) -> bytes:
    """The content of a kept shard whose file could not be linked (its pages and cut are the same)."""
    pieces = [_piece(pages, cut.first, n, prepared) for n in range(cut.first, cut.end)]
    return b"".join([_opening(number), *pieces, CLOSING])


#: A shard's file: the call that opens it, each page's units (after a comma but the first), the end.
CLOSING = b"]);\n"


def _opening(number: int) -> bytes:
    return f"{SHARD_CALL}({number},[".encode()


def _piece(pages: list[Page], first: int, number: int, prepared: Prepared) -> bytes:
    """Page *number*'s units in the shard that opens with page *first*."""
    return (b"," if number > first else b"") + prepared.units(number, pages[number]).encode("utf-8")


class Vocabulary:
    """Which shards hold each word, filled a shard at a time."""

    def __init__(self) -> None:
        self.where: defaultdict[str, list[int]] = defaultdict(list)

    def add(self, number: int, words: Iterable[str]) -> None:
        """Shard *number* holds *words* (shards added in order)."""
        for word in words:
            self.where[word].append(number)

    def groups(self) -> dict[str, str]:
        """Words grouped by the shards that hold them: {"0-2,5": "word word ..."}, words sorted."""
        groups: dict[str, list[str]] = defaultdict(list)
        for word, numbers in self.where.items():
            groups[ranges(numbers)].append(word)
        return {key: " ".join(sorted(words)) for key, words in groups.items()}


def ranges(numbers: list[int]) -> str:
    """[0, 1, 2, 5] as "0-2,5"."""
    parts: list[str] = []
    start = previous = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == previous + 1:
            previous = n
            continue
        parts.append(f"{start}-{previous}" if previous > start else str(start))
        if n is not None:
            start = previous = n
    return ",".join(parts)
