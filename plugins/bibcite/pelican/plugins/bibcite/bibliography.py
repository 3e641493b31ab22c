"""BibTeX files to source records, with located problems.

bibtexparser 2 reads each file; everything it cannot parse (``failed_blocks``,
0-based lines, no file name) is translated into a located problem of ours, and
the file's other entries still load and are checked.  Metadata is never
invented: a core field that is not known must be declared in the entry's
``unknown`` field, and the site then says so to the reader.
"""

from __future__ import annotations

import difflib
import gc
import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote as percent

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

from . import dates, files, latex
from .problems import ERROR, WARNING, Problem, relative


@dataclass(frozen=True)
class Rules:
    """What a site requires of its entries (settings BIBCITE_REQUIRED_FIELDS and BIBCITE_KINDS)."""

    #: core fields (CORE_FIELDS, and "kind") each entry must give or declare in ``unknown``
    required: frozenset[str] = frozenset({"title"})
    #: the kinds of source a reader sees as a badge: name -> "Label: meaning"; empty when the site has none
    kinds: Mapping[str, str] = field(default_factory=dict)
    #: further field names the site reads (so they are not taken for typos)
    fields: frozenset[str] = frozenset()


#: A general site's rules: a title, nothing else required, no kinds.
DEFAULT_RULES = Rules()
#: Entry types of BibTeX and biblatex, each with the biblatex type it is shown as.
ENTRY_TYPES = {
    **{
        t: t
        for t in (
            "article",
            "book",
            "mvbook",
            "inbook",
            "bookinbook",
            "suppbook",
            "booklet",
            "collection",
            "mvcollection",
            "incollection",
            "suppcollection",
            "dataset",
            "manual",
            "misc",
            "online",
            "patent",
            "periodical",
            "suppperiodical",
            "proceedings",
            "mvproceedings",
            "inproceedings",
            "reference",
            "mvreference",
            "inreference",
            "report",
            "set",
            "software",
            "thesis",
            "unpublished",
            "xdata",
            "artwork",
            "audio",
            "bibnote",
            "commentary",
            "image",
            "jurisdiction",
            "legislation",
            "legal",
            "letter",
            "movie",
            "music",
            "performance",
            "review",
            "standard",
            "video",
            "customa",
            "customb",
            "customc",
            "customd",
            "custome",
            "customf",
        )
    },
    # BibTeX's names and biblatex's aliases
    "conference": "inproceedings",
    "electronic": "online",
    "www": "online",
    "mastersthesis": "thesis",
    "phdthesis": "thesis",
    "techreport": "report",
}
#: Core fields that must be either present or declared in ``unknown`` (a setting: BIBCITE_REQUIRE).
CORE_FIELDS = ("title", "author", "outlet", "date", "url")
#: Where the outlet (the container or the publisher) is, in order of preference.
OUTLET_FIELDS = (
    "journaltitle",
    "journal",
    "booktitle",
    "maintitle",
    "eventtitle",
    "organization",
    "institution",
    "school",
    "publisher",
    "howpublished",
)
#: The fields this site reads; a field name close to one of these, and not a standard field, is a likely typo.
USED_FIELDS = frozenset(
    {
        "title",
        "author",
        "editor",
        *OUTLET_FIELDS,
        "date",
        "year",
        "month",
        "day",
        "url",
        "urldate",
        "doi",
        "eprint",
        "eprinttype",
        "archiveprefix",
        "isbn",
        "issn",
        "archiveurl",
        "kind",
        "note",
        "unknown",
        "sourcetext",
        "datenote",
        "shortname",
        "language",
        "langid",
        "location",
        "address",
        "pages",
        "volume",
        "number",
    }
)
#: Other standard BibTeX, biblatex and Zotero (Better BibTeX) field names: kept, never reported.
_STANDARD_FIELD_NAMES = """
abstract addendum afterword annotation annotator annote authortype bookauthor bookpagination booksubtitle
booktitleaddon chapter commentator edition editora editorb editorc editortype editoratype editorbtype editorctype
eid entrysubtype eprintclass eventdate eventtitleaddon file foreword holder indextitle introduction isan ismn isrc
issue issuesubtitle issuetitle issuetitleaddon iswc journalsubtitle journaltitleaddon label library mainsubtitle
maintitleaddon nameaddon origdate origlanguage origlocation origpublisher origtitle pagetotal pagination part
pubstate reprinttitle series shortauthor shorteditor shorthand shorthandintro shortjournal shortseries shorttitle
subtitle titleaddon translator type venue version volumes crossref entryset execute gender langidopts ids
indexsorttitle keywords options presort related relatedoptions relatedtype relatedstring sortkey sortname
sortshorthand sorttitle sortyear xdata xref key pdf endyear endmonth endday timestamp copyright primaryclass
pmid pmcid extra howpublished howcited lccn mrnumber zbl urlyear urlmonth urlday abstractnote citation-key
"""
STANDARD_FIELDS = frozenset(_STANDARD_FIELD_NAMES.split())
#: How an eprint is linked, by eprinttype.
EPRINT_LINKS = {
    "arxiv": "https://arxiv.org/abs/{}",
    "pubmed": "https://pubmed.ncbi.nlm.nih.gov/{}/",
    "pmid": "https://pubmed.ncbi.nlm.nih.gov/{}/",
    "pmcid": "https://www.ncbi.nlm.nih.gov/pmc/articles/{}/",
    "hdl": "https://hdl.handle.net/{}",
    "jstor": "https://www.jstor.org/stable/{}",
    "googlebooks": "https://books.google.com/books?id={}",
}
#: A file with more LaTeX specials than this is refused before decoding (bib.too-complex); the real
#: exports in tests/fixtures have at most 1,500.
MAX_LATEX_SPECIALS = 20_000
#: What counts as a LaTeX special there: a command's backslash, a comment, a tie, math.
LATEX_SPECIALS = ("\\", "%", "~", "$")
LATEX_SPECIAL_RE = re.compile("[" + re.escape("".join(LATEX_SPECIALS)) + "]")
#: A BibTeX concatenation: parts in braces, in quotes or bare string names, joined by #.
CONCAT_RE = re.compile(
    r'\s*(?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|"[^"]*"|[A-Za-z][\w.:+-]*)'
    r'(?:\s*#\s*(?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|"[^"]*"|[A-Za-z][\w.:+-]*))+\s*'
)
CONCAT_PART_RE = re.compile(r'\{((?:[^{}]|\{[^{}]*\})*)\}|"([^"]*)"|([A-Za-z][\w.:+-]*)')
#: Dates a reader can read but the site does not print in words: years BCE, year 0, EDTF 'Y' years.
UNSUPPORTED_YEAR_RE = re.compile(r"(?:-\d{1,4}|[yY]-?\d{5,}|0000)\b")
ISBN_RE = re.compile(r"(?:97[89][- ]?)?[0-9][- 0-9]{8,15}[0-9Xx]")
DOI_RE = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)", re.IGNORECASE)
EPRINT_RE = re.compile(r"[\w./:-]{1,100}")
#: A key: Pandoc's key characters (letters of any script, digits, internal punctuation). Its page's
#: file name is derived from it (render.source_name), never a path.
KEY_RE = re.compile(r"[^\W][\w.:#$%&+?<>~/-]*")
#: An http(s) address with a host, and no space, quote or angle bracket anywhere.
URL_RE = re.compile(r"https?://[^\s/\"'<>`]+[^\s\"'<>`]*", re.IGNORECASE)
#: sourcetext is a file name inside the source-text folder, never a path.
SOURCETEXT_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# bibtexparser logs each failed block itself, without a file name; we report
# them as located problems instead, so its own messages would only duplicate ours.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Source:
    """One cited source, as read from a BibTeX or biblatex entry, decoded for display."""

    #: citation key
    key: str
    #: biblatex entry type (BibTeX names and aliases mapped: phdthesis -> thesis; unknown -> misc)
    entry_type: str
    #: title as plain text (LaTeX decoded), empty when declared unknown
    title: str
    #: the title as escaped HTML, emphasis kept as <i>
    title_html: str
    #: authors (or editors, when there are none) in display order ("First von Last, Jr.")
    authors: tuple[str, ...]
    #: the byline as printed: "A, B and C", "A et al."
    byline: str
    #: the parsed names, for CSL-JSON and BibTeX export
    creators: tuple[latex.Name, ...]
    #: "author", "editor" (the names are editors) or "" when none
    creator_role: str
    #: whether the list ended with "and others"
    others: bool
    #: outlet (journal, book, publisher, organization...), empty when unknown
    outlet: str
    #: ISO form of the date ("2025-11-21", "1984/1986"), empty when unknown
    date: str
    #: the date as read, with its precision and qualifiers; None when unknown
    date_value: dates.DateValue | None
    #: address of the work, empty when unknown
    url: str
    #: the DOI (10.NNNN/...), empty when none
    doi: str
    #: identifiers: (label, https address) for the DOI and an eprint; (label, "") for an ISBN
    links: tuple[tuple[str, str], ...]
    #: ISO date the address was accessed, empty when not given
    urldate: str
    #: address of an archived copy, empty when not given
    archiveurl: str
    #: one of the site's kinds (Rules.kinds), or empty
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
    #: every field as written (lower-case names), kept for the BibTeX export
    fields: tuple[tuple[str, str], ...] = ()
    #: what the kind means to readers ("Opinion: an author's argument..."), empty without a kind
    kind_meaning: str = ""

    @property
    def kind_label(self) -> str:
        """The kind as a reader sees it on the badge ("Opinion"), or empty."""
        return self.kind_meaning.split(":")[0]

    @property
    def display_date(self) -> str:
        """The date in words ("21 November 2025", "circa 2025", "1984–1986"), or empty."""
        return self.date_value.words() if self.date_value else ""

    @property
    def display_urldate(self) -> str:
        """The access date in words, or empty."""
        return format_date(self.urldate)

    @property
    def short_label(self) -> str:
        """A short name for tables: the declared short name, else the outlet, else the key."""
        return self.shortname or self.outlet or self.key

    @property
    def outlet_label(self) -> str:
        """The outlet, or the honest statement that it is not identified."""
        return self.outlet or "publisher not identified"


def valid_iso(value: str) -> bool:
    """True for a date this loader reads (ISO, ranges, EDTF)."""
    try:
        dates.parse(value)
    except dates.DateError:
        return False
    return True


def format_date(iso: str) -> str:
    """An ISO date of any precision in words, or *iso* as it is when it is not one."""
    try:
        return dates.parse(iso).words() if iso else ""
    except dates.DateError:
        return iso


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
    paths: Iterable[str], root: Path, settings_file: str = "pelicanconf.py", rules: Rules = DEFAULT_RULES
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
            problems.append(
                Problem(rel, 1, 1, "file.unreadable", f"file cannot be read ({exc.strerror})", "check the file")
            )
            continue
        for source, found_problems in _read_file(text, rel, rules):
            problems.extend(found_problems)
            if source is None:
                continue
            first = sources.get(source.key)
            if first is None:
                sources[source.key] = source
            else:
                problems.extend(_duplicate(source.key, (first.path, first.line), (source.path, source.line)))
    problems.extend(_page_clashes(sources))
    return sources, problems


def _page_clashes(sources: dict[str, Source]) -> list[Problem]:
    """Keys whose pages would be one file (a key spelt like another's hashed page name, or differing in case)."""
    from .render import source_name  # render imports this module

    problems = []
    seen: dict[str, Source] = {}
    for key in sorted(sources):
        name = source_name(key).lower()
        other = seen.setdefault(name, sources[key])
        if other.key != key:
            problems.append(
                Problem(
                    sources[key].path,
                    sources[key].line,
                    1,
                    "bib.key",
                    f"key {key!r} would have the same page as {other.key!r} ({other.path}:{other.line})",
                    "rename one of the two keys",
                )
            )
    return problems


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
        Problem(
            second[0],
            second[1],
            1,
            "bib.duplicate-key",
            f"duplicate key {key!r} (first defined at {first[0]}:{first[1]})",
            hint,
        ),
        Problem(
            first[0],
            first[1],
            1,
            "bib.duplicate-key",
            f"duplicate key {key!r} (defined again at {second[0]}:{second[1]})",
            hint,
        ),
    ]


def _read_file(text: str, rel: str, rules: Rules = DEFAULT_RULES) -> list[tuple[Source | None, list[Problem]]]:
    """Every entry of one file as a Source with its problems, and a problem for each block that failed."""
    # A bibliography is thousands of small objects that live until the build ends: the cyclic
    # garbage collector would scan them again and again while they are made and find nothing
    # to free (a third of the load time for 3,000 entries, make bench), so it waits until the end.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_entries(text, rel, rules)
    finally:
        if enabled:
            gc.enable()


def _read_entries(text: str, rel: str, rules: Rules) -> list[tuple[Source | None, list[Problem]]]:
    """The body of _read_file()."""
    # pylatexenc spends ~20 us on each LaTeX special: a file of 500,000 of them took 9 s to check.
    # Counted in C first: only a file over the limit has its specials walked, to find where it goes over.
    over = sum(map(text.count, LATEX_SPECIALS)) > MAX_LATEX_SPECIALS
    for count, m in enumerate(LATEX_SPECIAL_RE.finditer(text) if over else (), 1):
        if count > MAX_LATEX_SPECIALS:
            line = text.count("\n", 0, m.start()) + 1
            return [
                (
                    None,
                    [
                        Problem(
                            rel,
                            line,
                            1,
                            "bib.too-complex",
                            f"more than {MAX_LATEX_SPECIALS:,} LaTeX commands and specials in one file",
                            "split the file, or remove what was pasted in by mistake",
                        )
                    ],
                )
            ]
    library = bibtexparser.parse_string(text)
    strings = {block.key.lower(): str(block.value) for block in library.strings}
    lines = text.splitlines()
    controls = CONTROL_RE.search(text) is not None  # most files have none: no need to look field by field
    results: list[tuple[Source | None, list[Problem]]] = []
    for entry in library.entries:
        results.append(_to_source(entry, rel, lines, rules, controls, strings))
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            first = (block.previous_block.start_line or 0) + 1
            results.append((None, _duplicate(block.key, (rel, first), (rel, line))))
        elif isinstance(block, ParsingFailedBlock):
            error = block.error
            reason = getattr(error, "abort_reason", "") or str(getattr(error, "message", "")) or str(error)
            reason = " ".join(reason.split("bibtex:")[-1].split()) or type(error).__name__
            results.append(
                (
                    None,
                    [
                        Problem(
                            rel,
                            line,
                            1,
                            "bib.malformed",
                            f"malformed BibTeX entry: {reason}",
                            "check the braces, commas and '=' of this entry; the other entries were still read",
                        )
                    ],
                )
            )
    return results


def _field_place(lines: list[str], line: int, name: str) -> tuple[int, int]:
    """1-based line and column of field *name*, searching from its 0-based *line*."""
    for number in range(line, min(line + 50, len(lines))):
        m = re.search(rf"\b{re.escape(name)}\s*=", lines[number], re.IGNORECASE)
        if m:
            return number + 1, m.start() + 1
    return line + 1, 1


class _Entry:
    """One entry being read: its fields by lower-case name, and the problems found, each at its field."""

    def __init__(self, entry: Entry, rel: str, lines: list[str]) -> None:
        self.entry = entry
        self.key = entry.key
        self.rel = rel
        self.lines = lines
        self.line = (entry.start_line or 0) + 1
        self.pairs = [(f.key.lower(), f) for f in entry.fields]
        self.fields = dict(self.pairs)
        self.problems: list[Problem] = []
        self._raw: dict[str, str] = {}

    def at(self, name: str) -> tuple[int, int]:
        """1-based line and column of field *name* (the entry's first line when it has no such field)."""
        f = self.fields.get(name)
        return _field_place(self.lines, f.start_line if f and f.start_line is not None else self.line - 1, name)

    def problem(self, where: tuple[int, int], code: str, message: str, hint: str, severity: str = ERROR) -> None:
        self.problems.append(Problem(self.rel, where[0], where[1], code, message, hint, severity))

    def raw(self, name: str) -> str:
        """The field's value as written, white space squeezed; empty when absent."""
        value = self._raw.get(name)
        if value is None:
            f = self.fields.get(name)
            value = self._raw[name] = " ".join(str(f.value).split()) if f is not None else ""
        return value

    def text(self, name: str) -> latex.Text:
        """The field's value with its LaTeX decoded (a warning for what could not be)."""
        if name not in self.fields:
            return NO_TEXT
        decoded = latex.decode(self.raw(name))
        self.leftovers(name, decoded.leftovers)
        return decoded

    def leftovers(self, name: str, items: tuple[str, ...] | list[str]) -> None:
        if items:
            self.problem(
                self.at(name),
                "bib.latex-leftover",
                f"{name} of {self.key!r} still shows LaTeX after decoding: "
                + ", ".join(repr(item) for item in items[:3]),
                "write the character itself (UTF-8), or remove the command",
                WARNING,
            )

    def join_values(self, strings: dict[str, str]) -> None:
        """Resolve # concatenations as BibTeX does; strip the braces of a value whose braces do not balance."""
        for name, f in self.pairs:
            value = str(f.value)
            if "#" in value and CONCAT_RE.fullmatch(value):
                # bibtexparser keeps a # concatenation as written; BibTeX joins its parts, macros resolved.
                joined, undefined = _concatenate(value, strings)
                if undefined:
                    self.problem(
                        self.at(name),
                        "bib.value",
                        f"field {name!r} of {self.key!r} uses the undefined string {undefined!r}",
                        "define it with @string{name = {...}} or write the text itself",
                    )
                f.value = joined
            elif not _balanced(value):
                self.problem(
                    self.at(name),
                    "bib.value",
                    f"field {name!r} of {self.key!r} has unbalanced braces",
                    "every { needs its }; a value in quotes may not close a brace it did not open",
                )
                f.value = value.replace("{", "").replace("}", "")

    def valid_key(self) -> bool:
        if KEY_RE.fullmatch(self.key) and ".." not in self.key:
            return True
        self.problem(
            (self.line, 1),
            "bib.key",
            f"key {files.shown(self.key)[:60]!r} is not letters, digits and internal "
            "punctuation (. : # $ % & + ? < > ~ / - _), or holds '..'",
            "use a key such as 'rollingstone2025': it names the source's page",
        )
        return False

    def check_controls(self) -> None:
        for f in self.entry.fields:
            if m := CONTROL_RE.search(str(f.value)):
                self.problem(
                    self.at(f.key.lower()),
                    "bib.value",
                    f"field {f.key.lower()!r} of {self.key!r} contains the control character U+{ord(m.group()):04X}",
                    "delete it; it is invisible and would be published as it is",
                )

    def sourcetext(self) -> str:
        value = self.raw("sourcetext")
        if "sourcetext" in self.fields and not SOURCETEXT_RE.fullmatch(value):
            self.problem(
                self.at("sourcetext"),
                "bib.sourcetext",
                f"sourcetext {value[:60]!r} of {self.key!r} is not a bare file name",
                "give only the name of the article's text in the source-text folder, e.g. 003_ca1d2ccc1ca04f9f.txt",
            )
            return ""
        return value

    def entry_type(self) -> str:
        given = self.entry.entry_type.lower()
        if given not in ENTRY_TYPES:
            self.problem(
                (self.line, 1),
                "bib.entry-type",
                f"entry type '@{self.entry.entry_type}' of {self.key!r} is not a BibTeX or "
                "biblatex type; it is shown as a generic work",
                "use a standard type such as @article or @online",
                WARNING,
            )
        return ENTRY_TYPES.get(given, "misc")

    def check_field_names(self, extra: frozenset[str]) -> None:
        """A warning for a field name close to one the site reads: a likely typo."""
        for name in sorted(self.fields.keys() - USED_FIELDS - STANDARD_FIELDS - extra):
            close = difflib.get_close_matches(name, USED_FIELDS, 1, 0.75)
            if close:
                self.problem(
                    self.at(name),
                    "bib.unknown-field",
                    f"field {name!r} of {self.key!r} is not used here (did you mean {close[0]!r}?)",
                    f"rename it to {close[0]!r} if that is what it is",
                    WARNING,
                )

    def unknown(self) -> frozenset[str]:
        """The core fields the entry declares unknown."""
        unknown = frozenset(u.strip().lower() for u in self.raw("unknown").split(",") if u.strip())
        for name in sorted(unknown - set(CORE_FIELDS)):
            self.problem(
                self.at("unknown"),
                "bib.unknown-field",
                f"{name!r} cannot be declared unknown in {self.key!r}",
                "only " + ", ".join(CORE_FIELDS) + " can be declared unknown",
            )
        return unknown

    def creators(self) -> tuple[str, latex.Names]:
        """Which field names the creators (author, else editor), and the names."""
        name = "author" if "author" in self.fields else "editor" if "editor" in self.fields else ""
        creators = latex.names(self.raw(name)) if name else latex.names("")
        self.leftovers(name, creators.leftovers)
        return name, creators

    def outlet(self) -> str:
        """The container or the publisher, from the first of OUTLET_FIELDS that gives one."""
        for name in OUTLET_FIELDS:
            if name in self.fields and self.raw(name) and not (name == "howpublished" and "://" in self.raw(name)):
                return self.text(name).plain
        return ""

    def check_required(self, present: dict[str, bool], unknown: frozenset[str], required: frozenset[str]) -> None:
        for name in CORE_FIELDS:
            if not present[name] and name not in unknown and name in required:
                label = {
                    "outlet": "outlet (journaltitle, journal, booktitle, publisher, organization...)",
                    "url": "url, doi or eprint",
                    "author": "author or editor",
                }.get(name, name)
                self.problem(
                    (self.line, 1),
                    "bib.missing-field",
                    f"{self.key!r} has no {label}",
                    f"add the {name}, or if it is truly not known write unknown = {{{name}}} "
                    "and the site will say so; never invent it",
                )
            elif present[name] and name in unknown:
                self.problem(
                    self.at("unknown"),
                    "bib.unknown-conflict",
                    f"{self.key!r} declares {name!r} unknown but also gives it",
                    f"remove {name!r} from the unknown field or remove the field",
                )

    def kind(self, rules: Rules) -> str:
        """The entry's kind when the site knows it, else empty (with a problem when one is wrong or missing)."""
        kind, kinds = self.raw("kind"), rules.kinds
        if not kind and "kind" in rules.required:
            first, *others = list(kinds) or ["news"]
            self.problem(
                (self.line, 1),
                "bib.missing-field",
                f"{self.key!r} has no kind",
                f"add a line kind = {{{first}}} (or {', '.join(others)}): readers see "
                "it as a badge beside every citation, so they know what backs each claim",
            )
        elif kind and kind not in kinds:
            close = difflib.get_close_matches(kind, kinds, 1)
            self.problem(
                self.at("kind"),
                "bib.kind",
                f"unknown kind {kind!r} in {self.key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""),
                "use one of " + ", ".join(kinds) if kinds else "remove it: this site sets no BIBCITE_KINDS",
            )
        return kind if kind in kinds else ""

    def archiveurl(self) -> str:
        value = self.raw("archiveurl")
        if "archiveurl" in self.fields and not URL_RE.fullmatch(value):
            self.problem(
                self.at("archiveurl"),
                "bib.url-scheme",
                f"archiveurl of {self.key!r} is not a plain http(s) address: {value[:80]!r}",
                "give the full address starting with https://, with spaces and quotes percent-encoded",
            )
            return ""
        return value

    def urldate(self) -> str:
        if "urldate" not in self.fields:
            return ""
        try:
            return dates.parse(self.raw("urldate")).iso()
        except dates.DateError as exc:
            self.problem(
                self.at("urldate"),
                "bib.date",
                f"urldate of {self.key!r}: {exc}",
                "write the day you read it as YYYY-MM-DD",
            )
            return ""


def _to_source(
    entry: Entry,
    rel: str,
    lines: list[str],
    rules: Rules = DEFAULT_RULES,
    controls: bool = True,
    strings: dict[str, str] | None = None,
) -> tuple[Source | None, list[Problem]]:
    """One entry as a Source, with every problem located at its field."""
    read = _Entry(entry, rel, lines)
    read.join_values(strings or {})
    if not read.valid_key():
        return None, read.problems  # never registered: its key would name a file outside sources/
    if controls:
        read.check_controls()
    sourcetext = read.sourcetext()
    entry_type = read.entry_type()
    read.check_field_names(rules.fields)
    unknown = read.unknown()
    title = read.text("title")
    creators_field, creators = read.creators()
    outlet = read.outlet()
    fields, key = read.fields, read.key
    date_value, iso_date = _date(fields, read.raw, read.at, read.problem, key)
    url, doi, links = _identifiers(fields, read.raw, read.at, read.problem, key)
    present = {
        "title": bool(title.plain),
        "author": bool(creators.names),
        "outlet": bool(outlet),
        "date": date_value is not None or any(name in fields for name in ("date", "year")),
        # a way to be found; one that was given but refused is reported as such, not as missing
        "url": bool(url or doi or any(href or not label.startswith("ISBN") for label, href in links))
        or any(name in fields for name in ("url", "doi", "eprint")),
    }
    read.check_required(present, unknown, rules.required)
    kind = read.kind(rules)
    archiveurl = read.archiveurl()
    urldate = read.urldate()
    # A faulty entry is still registered, so that citing it does not add a
    # second, misleading "unknown key" error; its own problems fail the build.
    source = Source(
        key=key,
        entry_type=entry_type,
        title=title.plain,
        title_html=title.html,
        authors=tuple(name.display() for name in creators.names),
        byline=creators.display(),
        creators=creators.names,
        creator_role="editor" if creators_field == "editor" else "author" if creators_field else "",
        others=creators.others,
        outlet=outlet,
        date=iso_date,
        date_value=date_value,
        url=url,
        doi=doi,
        links=links,
        urldate=urldate,
        archiveurl=archiveurl,
        kind=kind,
        note=read.text("note").plain,
        datenote=read.text("datenote").plain,
        sourcetext=sourcetext,
        shortname=read.text("shortname").plain,
        unknown=unknown,
        path=rel,
        line=read.line,
        fields=tuple((name, f.value) for name, f in read.pairs),
        kind_meaning=rules.kinds.get(kind, ""),
    )
    return source, read.problems


NO_TEXT = latex.Text("", "")


def _date(fields: dict, raw: Any, at: Any, problem: Any, key: str) -> tuple[dates.DateValue | None, str]:
    """The entry's date (biblatex ``date``, else BibTeX ``year``/``month``/``day``) and its ISO form."""
    try:
        if "date" in fields:
            value = dates.parse(raw("date"))
        elif "year" in fields:
            value = dates.from_year_month(raw("year"), raw("month"), raw("day"))
        else:
            return None, ""
    except dates.DateError as exc:
        name = "date" if "date" in fields else "year"
        if UNSUPPORTED_YEAR_RE.match(raw(name)):
            # Readable, but not a year the site prints in words (BCE, year 0, EDTF 'Y' years): kept as written.
            problem(
                at(name),
                "bib.date",
                f"{name} of {key!r} is kept as written: {exc}",
                "nothing to do if that is how the work is dated",
                WARNING,
            )
            return dates.DateValue(None, literal=raw(name)), ""
        problem(
            at(name),
            "bib.date",
            f"{name} of {key!r}: {exc}",
            "write an ISO date such as 2025-11-21, 2025-11 or 2025 (EDTF forms such as 2025~ are fine)",
        )
        return None, ""
    return value, value.iso()


def _identifiers(
    fields: dict, raw: Any, at: Any, problem: Any, key: str
) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """The http(s) address, the DOI, and the links that identify the work (DOI, eprint), each checked."""
    url = raw("url")
    if "url" in fields and not URL_RE.fullmatch(url):
        problem(
            at("url"),
            "bib.url-scheme",
            f"url of {key!r} is not a plain http(s) address: {url[:80]!r}",
            "give the full address starting with https:// or http://, with spaces and quotes percent-encoded",
        )
        url = ""
    links: list[tuple[str, str]] = []
    doi = ""
    if "doi" in fields:
        m = DOI_RE.fullmatch(raw("doi"))
        address = f"https://doi.org/{percent(m.group(1), safe='/:;()._-')}" if m else ""
        if m and URL_RE.fullmatch(address):
            doi = m.group(1)
            links.append((f"doi:{doi}", address))
        else:
            problem(
                at("doi"),
                "bib.url-scheme",
                f"doi of {key!r} is not a DOI: {raw('doi')[:80]!r}",
                "give the DOI as 10.NNNN/suffix",
                WARNING,
            )
    isbn = raw("isbn")
    if isbn and ISBN_RE.fullmatch(isbn):
        # No address of its own: shown as text, and it lets a reader find the work in any library.
        links.append((f"ISBN {isbn}", ""))
    eprint, kind = raw("eprint"), (raw("eprinttype") or raw("archiveprefix")).lower()
    if eprint:
        label = f"{raw('eprinttype') or raw('archiveprefix') or 'eprint'}:{eprint}"
        if kind in EPRINT_LINKS and EPRINT_RE.fullmatch(eprint):
            links.append((label, EPRINT_LINKS[kind].format(percent(eprint, safe="/:._-"))))
        else:
            links.append((label, ""))  # no address the site can build for it: shown as text, never dropped
    return url, doi, tuple(links)


def _concatenate(value: str, strings: dict[str, str]) -> tuple[str, str]:
    """The parts of a # concatenation joined, string names resolved; and the first undefined name, if any."""
    parts = []
    undefined = ""
    for m in CONCAT_PART_RE.finditer(value):
        braced, quoted, name = m.groups()
        if name is not None:
            if name.lower() in strings:
                parts.append(strings[name.lower()])
            elif name.lower() in MONTH_MACROS:
                parts.append(MONTH_MACROS[name.lower()])
            else:
                undefined = undefined or name
        else:
            parts.append(braced if braced is not None else quoted)
    return "".join(parts), undefined


#: Everything in a value but its braces.
NOT_BRACES_RE = re.compile(r"[^{}]+")


def _balanced(value: str) -> bool:
    """Whether every brace of *value* is closed, none before it is opened."""
    if "{" not in value and "}" not in value:  # most values: nothing to count
        return True
    depth = 0
    for char in NOT_BRACES_RE.sub("", value):  # the braces alone: the rest is dropped in C, not looped over here
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


MONTH_MACROS = {
    name: name.capitalize()
    for name in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
}


def uncited(sources: dict[str, Source], cited: set[str]) -> list[Problem]:
    """A warning for each source that no page cites."""
    return [
        Problem(
            s.path,
            s.line,
            1,
            "bib.uncited",
            f"source {s.key!r} is not cited by any page",
            "cite it somewhere, or remove the entry",
            WARNING,
        )
        for s in sources.values()
        if s.key not in cited
    ]
