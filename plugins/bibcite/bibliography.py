"""BibTeX files to source records, with located problems.

bibtexparser 2 reads each file; everything it cannot parse (``failed_blocks``,
0-based lines, no file name) is translated into a located problem of ours, and
the file's other entries still load and are checked.  Metadata is never
invented: a core field that is not known must be declared in the entry's
``unknown`` field, and the site then says so to the reader.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

from . import files
from .problems import ERROR, WARNING, Problem, relative

#: The kinds of source a reader sees as a badge, with their meaning.
KINDS = {
    "news": "News report: an outlet reporting events",
    "analysis": "Analysis: reporting that interprets events",
    "opinion": "Opinion: an author's argument, not a report of fact",
    "commentary": "Commentary: a blog or column discussing others' reporting",
    "primary": "Primary document: the text being annotated",
    "unverified": "Unverified: origin or reliability in doubt",
}
ENTRY_TYPES = ("article", "online", "misc", "report")
#: Core fields that must be either present or declared in ``unknown``.
CORE_FIELDS = ("title", "author", "outlet", "date", "url")
OUTLET_FIELDS = ("journaltitle", "journal", "publisher")
KNOWN_FIELDS = frozenset(
    {
        "title",
        "author",
        *OUTLET_FIELDS,
        "date",
        "year",
        "url",
        "urldate",
        "archiveurl",
        "kind",
        "note",
        "unknown",
        "sourcetext",
        "datenote",
        "shortname",
        "language",
    }
)
#: A key names a file (sources/KEY.html), so no path separators; letters may be any script's.
KEY_RE = re.compile(r"[^\W][\w.:+-]*")
#: An http(s) address with a host, and no space, quote or angle bracket anywhere.
URL_RE = re.compile(r"https?://[^\s/\"'<>`]+[^\s\"'<>`]*", re.IGNORECASE)
#: sourcetext is a file name inside the source-text folder, never a path.
SOURCETEXT_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
ISO_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
MONTHS = (
    "January February March April May June July August September October November December"
).split()
LATEX_ESCAPES = {"---": "\u2014", r"\&": "&", r"\%": "%", r"\_": "_", r"\$": "$", r"\#": "#", "--": "\u2013"}

# bibtexparser logs each failed block itself, without a file name; we report
# them as located problems instead, so its own messages would only duplicate ours.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Source:
    """One cited source, as read from a BibTeX entry."""

    #: citation key
    key: str
    #: BibTeX entry type (article, online, misc, report)
    entry_type: str
    #: title, or empty when declared unknown
    title: str
    #: authors in display order ("First Last"), empty when declared unknown
    authors: tuple[str, ...]
    #: outlet (journaltitle, journal or publisher), empty when unknown
    outlet: str
    #: ISO date (YYYY, YYYY-MM or YYYY-MM-DD), empty when unknown
    date: str
    #: address of the article, empty when unknown
    url: str
    #: ISO date the address was accessed, empty when not given
    urldate: str
    #: address of an archived copy, empty when not given
    archiveurl: str
    #: one of KINDS
    kind: str
    #: reliability note shown to readers, empty when none
    note: str
    #: note on how the date is known or why it is not, empty when none
    datenote: str
    #: file name of the article's text in the source-text folder, for the quote check
    sourcetext: str
    #: short label for tables, e.g. "Unattributed essay"; empty to use the outlet
    shortname: str
    #: core fields declared unknown by the entry
    unknown: frozenset[str]
    #: repository-relative path of the .bib file
    path: str
    #: 1-based line of the entry in that file
    line: int

    @property
    def display_date(self) -> str:
        """The date in words ("21 November 2025"), or empty."""
        return format_date(self.date)

    @property
    def short_label(self) -> str:
        """A short name for tables: the declared short name, else the outlet, else the key."""
        return self.shortname or self.outlet or self.key

    @property
    def outlet_label(self) -> str:
        """The outlet, or the honest statement that it is not identified."""
        return self.outlet or "publisher not identified"


def format_date(iso: str) -> str:
    """Turn an ISO date of any precision into words."""
    m = ISO_DATE_RE.match(iso)
    if not m:
        return iso
    year, month, day = m.groups()
    if day:
        return f"{int(day)} {MONTHS[int(month) - 1]} {year}"
    if month:
        return f"{MONTHS[int(month) - 1]} {year}"
    return year


def clean(value: str) -> str:
    """Drop BibTeX case-protection braces and common escapes; collapse whitespace."""
    for escape, plain in LATEX_ESCAPES.items():
        value = value.replace(escape, plain)
    return " ".join(value.replace("{", "").replace("}", "").split())


def display_name(name: str) -> str:
    """Turn "Last, First" into "First Last"; leave other forms alone."""
    if "," in name:
        last, first = (part.strip() for part in name.split(",", 1))
        return f"{first} {last}".strip()
    return name.strip()


def valid_iso(value: str) -> bool:
    """True for a real ISO date of year, month or day precision."""
    m = ISO_DATE_RE.match(value)
    if not m:
        return False
    year, month, day = m.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return False
    return True


def expand(paths: Iterable[str], root: Path) -> tuple[list[Path], list[str], list[Problem]]:
    """Expand configured files and folders into .bib files; also return the missing ones and the refused."""
    found: list[Path] = []
    missing: list[str] = []
    problems: list[Problem] = []
    for configured in paths:
        path = root / configured
        if path.is_dir() and not path.is_symlink():
            walked = files.walk(path, root, ".bib", recursive=False)
            found.extend(walked.files)
            problems.extend(walked.problems)
        elif os.path.lexists(path):
            refused = files.regular_file(path, root, "file.symlink")
            if refused is None:
                found.append(path)
            else:
                problems.append(refused)
        else:
            missing.append(configured)
    return found, missing, problems


def load(
    paths: Iterable[str], root: Path, settings_file: str = "pelicanconf.py"
) -> tuple[dict[str, Source], list[Problem]]:
    """Read every configured .bib file; return the sources by key and all problems."""
    found, missing, problems = expand(paths, root)
    problems += [_missing_file(name, root, settings_file) for name in missing]
    sources: dict[str, Source] = {}
    for file in found:
        rel = files.shown(relative(file, root))
        try:
            text = file.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(rel, 1, 1, "bib.encoding", f"file is not UTF-8 ({exc.reason})", "save it as UTF-8"))
            continue
        except OSError as exc:
            problems.append(Problem(rel, 1, 1, "file.unreadable", f"file cannot be read ({exc.strerror})",
                                    "check the file"))
            continue
        for source, found_problems in _read_file(text, rel):
            problems.extend(found_problems)
            if source is None:
                continue
            first = sources.get(source.key)
            if first is None:
                sources[source.key] = source
            else:
                problems.extend(_duplicate(source.key, (first.path, first.line), (source.path, source.line)))
    return sources, problems


def _missing_file(name: str, root: Path, settings_file: str) -> Problem:
    line, col = 1, 1
    settings = root / settings_file
    if settings.is_file():
        for number, text in enumerate(settings.read_text(encoding="utf-8").splitlines(), 1):
            if name in text:
                line, col = number, text.index(name) + 1
                break
    return Problem(
        settings_file,
        line,
        col,
        "bib.missing-file",
        f"bibliography file or folder {name!r} does not exist",
        "create it, or remove it from BIBCITE_BIBLIOGRAPHY",
    )


def _duplicate(key: str, first: tuple[str, int], second: tuple[str, int]) -> list[Problem]:
    hint = "every source needs its own key; rename one or merge the two entries"
    return [
        Problem(second[0], second[1], 1, "bib.duplicate-key",
                f"duplicate key {key!r} (first defined at {first[0]}:{first[1]})", hint),
        Problem(first[0], first[1], 1, "bib.duplicate-key",
                f"duplicate key {key!r} (defined again at {second[0]}:{second[1]})", hint),
    ]


def _read_file(text: str, rel: str) -> list[tuple[Source | None, list[Problem]]]:
    library = bibtexparser.parse_string(text)
    lines = text.splitlines()
    results: list[tuple[Source | None, list[Problem]]] = []
    for entry in library.entries:
        results.append(_to_source(entry, rel, lines))
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            first = (block.previous_block.start_line or 0) + 1
            results.append((None, _duplicate(block.key, (rel, first), (rel, line))))
        elif isinstance(block, ParsingFailedBlock):
            error = block.error
            reason = getattr(error, "abort_reason", "") or str(getattr(error, "message", "")) or str(error)
            reason = " ".join(reason.split("bibtex:")[-1].split()) or type(error).__name__
            results.append((None, [Problem(
                rel, line, 1, "bib.malformed", f"malformed BibTeX entry: {reason}",
                "check the braces, commas and '=' of this entry; the other entries were still read",
            )]))
    return results


def _field_place(lines: list[str], line: int, name: str) -> tuple[int, int]:
    """1-based line and column of field *name*, searching from its 0-based *line*."""
    for number in range(line, min(line + 50, len(lines))):
        m = re.search(rf"\b{re.escape(name)}\s*=", lines[number], re.IGNORECASE)
        if m:
            return number + 1, m.start() + 1
    return line + 1, 1


def _to_source(entry: Entry, rel: str, lines: list[str]) -> tuple[Source | None, list[Problem]]:
    problems: list[Problem] = []
    line = (entry.start_line or 0) + 1
    fields = {f.key.lower(): f for f in entry.fields}

    def at(name: str) -> tuple[int, int]:
        f = fields.get(name)
        return _field_place(lines, f.start_line if f and f.start_line is not None else line - 1, name)

    def problem(where: tuple[int, int], code: str, message: str, hint: str, severity: str = ERROR) -> None:
        problems.append(Problem(rel, where[0], where[1], code, message, hint, severity))

    def value(name: str) -> str:
        f = fields.get(name)
        return clean(str(f.value)) if f is not None else ""

    key = entry.key
    if not KEY_RE.fullmatch(key) or ".." in key:
        problem((line, 1), "bib.key", f"key {files.shown(key)[:60]!r} is not letters, digits and . : + - _",
                "use a key such as 'rollingstone2025': it names the source's page, sources/KEY.html")
        return None, problems  # never registered: its key would name a file outside sources/
    for f in entry.fields:
        if m := CONTROL_RE.search(str(f.value)):
            problem(at(f.key.lower()), "bib.value",
                    f"field {f.key.lower()!r} of {key!r} contains the control character U+{ord(m.group()):04X}",
                    "delete it; it is invisible and would be published as it is")
    sourcetext = value("sourcetext")
    if "sourcetext" in fields and not SOURCETEXT_RE.fullmatch(sourcetext):
        problem(at("sourcetext"), "bib.sourcetext", f"sourcetext {sourcetext[:60]!r} of {key!r} is not a bare file name",
                "give only the name of the article's text in the source-text folder, e.g. 003_ca1d2ccc1ca04f9f.txt")
        sourcetext = ""
    if entry.entry_type.lower() not in ENTRY_TYPES:
        problem((line, 1), "bib.entry-type", f"entry type '@{entry.entry_type}' of {key!r} is not supported",
                "use one of " + ", ".join("@" + t for t in ENTRY_TYPES))
    for name in fields:
        if name not in KNOWN_FIELDS:
            close = difflib.get_close_matches(name, KNOWN_FIELDS, 1)
            problem(at(name), "bib.unknown-field", f"unknown field {name!r} in {key!r}"
                    + (f" (did you mean {close[0]!r}?)" if close else ""),
                    "see CONTRIBUTING.md for the fields a source may have")

    unknown = frozenset(u.strip().lower() for u in value("unknown").split(",") if u.strip())
    for name in sorted(unknown - set(CORE_FIELDS)):
        problem(at("unknown"), "bib.unknown-field", f"{name!r} cannot be declared unknown in {key!r}",
                "only " + ", ".join(CORE_FIELDS) + " can be declared unknown")
    outlet_field = next((name for name in OUTLET_FIELDS if name in fields), "")
    present = {
        "title": "title" in fields,
        "author": "author" in fields,
        "outlet": bool(outlet_field),
        "date": "date" in fields or "year" in fields,
        "url": "url" in fields,
    }
    for name in CORE_FIELDS:
        if not present[name] and name not in unknown:
            label = "journaltitle, journal or publisher" if name == "outlet" else name
            problem((line, 1), "bib.missing-field", f"{key!r} has no {label}",
                    f"add the {label}, or if it is truly not known write unknown = {{{name}}} "
                    "and the site will say so; never invent it")
        elif present[name] and name in unknown:
            problem(at("unknown"), "bib.unknown-conflict", f"{key!r} declares {name!r} unknown but also gives it",
                    f"remove {name!r} from the unknown field or remove the field")

    kind = value("kind")
    if not kind:
        problem((line, 1), "bib.missing-field", f"{key!r} has no kind",
                "add kind = {news}, {analysis}, {opinion}, {commentary}, {primary} or {unverified}")
    elif kind not in KINDS:
        close = difflib.get_close_matches(kind, KINDS, 1)
        problem(at("kind"), "bib.kind", f"unknown kind {kind!r} in {key!r}"
                + (f" (did you mean {close[0]!r}?)" if close else ""), "use one of " + ", ".join(KINDS))

    for name in ("url", "archiveurl"):
        address = value(name)
        if name in fields and not URL_RE.fullmatch(address):
            problem(at(name), "bib.url-scheme", f"{name} of {key!r} is not a plain http(s) address: {address[:80]!r}",
                    "give the full address starting with https:// or http://, with spaces and quotes percent-encoded")

    iso = value("date")
    if "date" in fields and not valid_iso(iso):
        problem(at("date"), "bib.date", f"date {iso!r} of {key!r} is not an ISO date",
                "write YYYY-MM-DD, YYYY-MM or YYYY")
    if not iso and "year" in fields:
        iso = value("year")
        if not re.fullmatch(r"\d{4}", iso):
            problem(at("year"), "bib.date", f"year {iso!r} of {key!r} is not a four-digit year", "write e.g. 2025")
    urldate = value("urldate")
    if "urldate" in fields and not (valid_iso(urldate) and len(urldate) == 10):
        problem(at("urldate"), "bib.date", f"urldate {urldate!r} of {key!r} is not an ISO date",
                "write the day you accessed the address as YYYY-MM-DD")

    # A faulty entry is still registered, so that citing it does not add a
    # second, misleading "unknown key" error; its own problems fail the build.
    authors = tuple(display_name(a) for a in re.split(r"\s+and\s+", value("author")) if a.strip())
    source = Source(
        key=key,
        entry_type=entry.entry_type.lower(),
        title=value("title"),
        authors=authors,
        outlet=value(outlet_field) if outlet_field else "",
        date=iso,
        url=value("url"),
        urldate=urldate,
        archiveurl=value("archiveurl"),
        kind=kind,
        note=value("note"),
        datenote=value("datenote"),
        sourcetext=sourcetext,
        shortname=value("shortname"),
        unknown=unknown,
        path=rel,
        line=line,
    )
    return source, problems


def uncited(sources: dict[str, Source], cited: set[str]) -> list[Problem]:
    """A warning for each source that no page cites."""
    return [
        Problem(s.path, s.line, 1, "bib.uncited", f"source {s.key!r} is not cited by any page",
                "cite it somewhere, or remove the entry", WARNING)
        for s in sources.values()
        if s.key not in cited
    ]
