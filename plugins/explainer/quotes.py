"""Honesty checks against the articles' own texts.

- Every quoted pinpoint (``[@key, "..."]``) must occur verbatim in that source.
- Every paragraph of a clause's quoted text must occur verbatim in the plan.
- No run of more than 25 consecutive words of any source may appear in content
  outside the clause quotations (the plan is the document being annotated).

Matching normalises whitespace and quote marks only.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from pelican.plugins.bibcite.bibliography import Source
from pelican.plugins.bibcite.problems import NOTE, Problem

from .fingerprint import LONGEST, Fingerprint, digest

QUOTE_MARKS = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2032": "'",
    }
)
#: A word, for the copy check and the fingerprints: a run of letters or of digits, so that a
#: footnote number glued to the next word ("2Turkiye") does not hide it.
WORD_RE = re.compile(r"[^\W\d_]+|\d+")
MAX_RUN = 25


def normalise(text: str) -> str:
    """Straighten quote marks and collapse whitespace."""
    return " ".join(text.translate(QUOTE_MARKS).split())


def load_texts(sources: dict[str, Source], folder: Path) -> tuple[dict[str, str], list[Problem]]:
    """Normalised texts by source key, and a problem for each ``sourcetext`` that cannot be read.

    A ``sourcetext`` is a bare file name (bibliography.SOURCETEXT_RE) of a
    regular file in *folder*: never a path, a link or a device, so a pull
    request cannot make the quote check read, and answer questions about,
    any other file of the build machine.
    """
    texts: dict[str, str] = {}
    problems = []
    for key, source in sources.items():
        if not source.sourcetext:
            continue
        path = folder / source.sourcetext
        why = ""
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                why = "is not a regular file in"
            else:
                texts[key] = normalise(path.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            why = "is not in"
        except UnicodeDecodeError:
            why = "is not UTF-8 text in"
        except OSError as exc:
            why = f"cannot be read ({exc.strerror}) from"
        if why:
            problems.append(
                Problem(
                    source.path,
                    source.line,
                    1,
                    "bib.sourcetext",
                    f"sourcetext {source.sourcetext!r} of {key!r} {why} the source-text folder",
                    "give the file name of the article's text in the source-text folder",
                )
            )
    return texts, problems


def check_quote(quote: str, key: str, texts: dict[str, str], path: str, line: int, column: int) -> Problem | None:
    """The problem if *quote* is not found verbatim in the text of *key*."""
    if key not in texts:
        return None
    if normalise(quote) in texts[key]:
        return None
    return Problem(
        path,
        line,
        column,
        "quote.not-found",
        f"quoted passage not found in the text of {key!r}: \u201c{quote[:80]}\u201d",
        "copy the words exactly (only whitespace and quote marks may differ), or use a locator",
    )


def words(text: str) -> list[str]:
    """Lower-cased words, for the copy check."""
    return [w.lower().replace("’", "'") for w in WORD_RE.findall(text.translate(QUOTE_MARKS))]


class CopyIndex:
    """All runs of MAX_RUN + 1 consecutive words of the sources, hashed for lookup."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.runs: dict[tuple[str, ...], str] = {}
        size = MAX_RUN + 1
        for key, text in texts.items():
            w = words(text)
            for i in range(len(w) - size + 1):
                self.runs.setdefault(tuple(w[i : i + size]), key)

    def find(self, text: str) -> tuple[str, int] | None:
        """The source key and word index of the first copied run in *text*, if any."""
        w = words(text)
        size = MAX_RUN + 1
        for i in range(len(w) - size + 1):
            key = self.runs.get(tuple(w[i : i + size]))
            if key is not None:
                return key, i
        return None


class FingerprintCopyIndex:
    """The copy check against fingerprints: a run of MAX_RUN + 1 words is MAX_RUN - 1 trigrams in a row."""

    def __init__(self, fingerprints: dict[str, Fingerprint]) -> None:
        self.fingerprints = fingerprints

    def find(self, text: str) -> tuple[str, int] | None:
        """The source key and word index of the first copied run in *text*, if any."""
        w = words(text)
        trigrams = [digest(" ".join(w[i : i + LONGEST])) for i in range(len(w) - LONGEST + 1)]
        needed = MAX_RUN + 1 - LONGEST + 1
        for key, fingerprint in self.fingerprints.items():
            run = 0
            for i, hashed in enumerate(trigrams):
                run = run + 1 if fingerprint.has(hashed) else 0
                if run >= needed:
                    return key, i - needed + 1
        return None


def check_copy(
    index: CopyIndex | FingerprintCopyIndex, text: str, path: str, exempt: list[tuple[int, int]]
) -> list[Problem]:
    """Problems for each paragraph of *text* that repeats more than MAX_RUN words of a source.

    *exempt* lists 1-based inclusive line ranges (the clause quotation) that are skipped.
    """
    problems = []
    lines = text.split("\n")
    start = 0
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            found = index.find(" ".join(paragraph))
            if found:
                problems.append(
                    Problem(
                        path,
                        start,
                        1,
                        "copy.long-run",
                        f"more than {MAX_RUN} consecutive words copied from {found[0]!r}",
                        f"write it in your own words; a quotation is at most {MAX_RUN} words",
                    )
                )
            paragraph.clear()

    for number, line in enumerate(lines, 1):
        if any(a <= number <= b for a, b in exempt) or not line.strip():
            flush()
            continue
        if not paragraph:
            start = number
        paragraph.append(line)
    flush()
    return problems


def skipped_notice(folder: Path) -> Problem:
    """The notice that the checks against source texts did not run."""
    return Problem(
        str(folder),
        0,
        0,
        "quote.skipped",
        "source texts not found: quote, verbatim and copy checks were skipped",
        "place the articles' texts there (CI has them) to run these checks",
        NOTE,
    )


#: A sub-item label ("a. "): after a colon, a full stop, a line break or the start, before a capital.
LABEL_RE = re.compile(r"(?:(?<=[:.;\s])|^)\s*[a-z]\.\s(?=[A-Z\u2018\u201c'\"])")


def plan_points(text: str, count: int, start_text: str) -> dict[int, str]:
    """The document's points 1..*count* in the normalised text that reproduces it, by number; {} if not found.

    *start_text* is where the document begins in that text, ending with "1. ".
    The reproduced text runs points together ("personnel.7. Ukraine"), so each
    point is found as "N. " after the previous one; the last one ends at its
    final full stop before the article's next footnote (a sentence that does not
    start a point).
    """
    bounds = _point_bounds(text, count, start_text)
    return {number: text[body:end] for number, (body, end) in bounds.items()}


def plan_span(text: str, count: int, start_text: str) -> tuple[int, int] | None:
    """Where the document is in the text that reproduces it: from *start_text* to its last point's end."""
    bounds = _point_bounds(text, count, start_text)
    return (text.find(start_text), bounds[count][1]) if bounds else None


def _point_bounds(text: str, count: int, start_text: str) -> dict[int, tuple[int, int]]:
    """(start of its words, end) of each point 1..*count*; {} if the document is not found."""
    start = text.find(start_text)
    if start == -1 or not start_text.endswith("1. "):
        return {}
    starts = []
    at = start + len(start_text) - 3
    for number in range(1, count + 1):
        m = re.compile(rf"(?<![0-9]){number}\. ").search(text, at)
        if m is None:
            return {}
        starts.append((number, m.start(), m.end()))
        at = m.end()
    bounds = {}
    for index, (number, _, body) in enumerate(starts):
        # The last point ends at the full stop before the next footnote's text.
        end = starts[index + 1][1] if index + 1 < len(starts) else _last_point_end(text, body)
        bounds[number] = (body, end)
    return bounds


def _last_point_end(text: str, body: int) -> int:
    """The end of the last point: its sentences run until one is glued to a capital (".Kirill")."""
    m = re.compile(r"\.(?=[A-Z])").search(text, body)
    return m.start() + 1 if m else len(text)


def squeezed(text: str, headings: tuple[str, ...] = ()) -> str:
    """*text* without sub-item labels, section *headings* and whitespace, for comparing a clause with its point."""
    text = normalise(text)
    for heading in headings:
        text = text.replace(heading, " ")
    # The reproduced plan marks some lists with "▪️" where the page uses Markdown bullets.
    return re.sub(r"[\s\u25aa\ufe0f]+", "", LABEL_RE.sub(" ", text))
