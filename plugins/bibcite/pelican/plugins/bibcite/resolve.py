"""Pure: the citations of one document plus the sources, to numbered notes.

Notes are numbered in order of first citation; citing a source again reuses
its number and adds a back-reference with the next label (3a, 3b, ...).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .bibliography import Source
from .problems import Problem
from .syntax import Group, LineIndex


@dataclass(frozen=True, slots=True)
class Ref:
    """One place in the text that cites a note's source."""

    #: letter label among the note's places: a, b, ..., z, aa, ab, ...
    label: str
    #: id of the marker in the page, e.g. ``cite-3a``
    anchor: str
    #: prefix written before the key, e.g. ``see``
    prefix: str
    #: locator, e.g. ``para. 4``
    locator: str
    #: quoted passage used as the pinpoint
    quote: str
    #: 1-based line of the ``@`` in the source file
    line: int
    #: 1-based column of the ``@``
    column: int
    #: Pandoc's citation mode: "normal", "suppress-author" or "in-text"
    mode: str = "normal"


@dataclass(frozen=True, slots=True)
class Note:
    """One numbered note: a source and every place that cites it."""

    #: 1-based note number on the page
    number: int
    #: the source cited
    source: Source
    #: the citing places in document order
    refs: tuple[Ref, ...]

    @property
    def anchor(self) -> str:
        """Id of the note in the notes list."""
        return f"note-{self.number}"


@dataclass(frozen=True, slots=True)
class Resolved:
    """The outcome of resolving one document."""

    #: notes in number order
    notes: tuple[Note, ...]
    #: for each group, the (note number, citing place) of each of its known keys
    markers: tuple[tuple[tuple[int, Ref], ...], ...]
    #: unknown keys and similar problems
    problems: tuple[Problem, ...]


def label(index: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa, like spreadsheet columns in lower case."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def resolve(groups: list[Group], sources: dict[str, Source], text: str, path: str) -> Resolved:
    """Number the sources cited in *groups* (found in *text* of file *path*)."""
    index = LineIndex(text)
    order: list[str] = []
    refs: dict[str, list[Ref]] = {}
    markers = []
    problems = []
    for group in groups:
        marks = []
        for cite in group.cites:
            line, column = index.locate(cite.offset)
            source = sources.get(cite.key)
            if source is None:
                problems.append(unknown_key(cite.key, sources, path, line, column))
                continue
            if cite.key not in refs:
                order.append(cite.key)
                refs[cite.key] = []
            number = order.index(cite.key) + 1
            ref = Ref(
                label=label(len(refs[cite.key])),
                anchor=f"cite-{number}{label(len(refs[cite.key]))}",
                prefix=cite.prefix,
                locator=cite.locator,
                quote=cite.quote,
                line=line,
                column=column,
                mode=cite.mode,
            )
            refs[cite.key].append(ref)
            marks.append((number, ref))
        markers.append(tuple(marks))
    notes = tuple(Note(n, sources[key], tuple(refs[key])) for n, key in enumerate(order, 1))
    return Resolved(notes, tuple(markers), tuple(problems))


def unknown_key(key: str, sources: dict[str, Source], path: str, line: int, column: int) -> Problem:
    """The problem for a key that no .bib file defines, with a suggestion."""
    close = difflib.get_close_matches(key, list(sources), 1, 0.5)
    suggestion = f" (did you mean {close[0]!r}?)" if close else ""
    return Problem(
        path,
        line,
        column,
        "cite.unknown-key",
        f"unknown citation key {key!r}{suggestion}",
        "add an entry with this key to a file in citations/, or correct the key",
    )
