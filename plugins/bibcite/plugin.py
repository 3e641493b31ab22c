"""Glue between Pelican and the pure modules: signal receivers, reader, generator."""

from __future__ import annotations

import logging
import os
import re
from xml.sax.saxutils import escape as xml_escape
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedgenerator import Atom1Feed
from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator
from pelican.readers import MarkdownReader
from pelican.utils import truncate_html_words

from . import clauses, export, files, links
from . import render as html
from .bibliography import KINDS, Source, format_date, load, uncited
from .document import Context, analyse, inert, make_context, sanitise
from .markdown_ext import BibciteExtension
from .problems import ERROR, WARNING, Collector, Problem, relative
from .resolve import Note
from .settings import merge


class BuildFailed(Exception):
    """Raised when the collected problems include an error; Pelican exits 1."""

    exitcode = 1


@dataclass
class State:
    """Everything one build knows; reset at the start of each build."""

    collector: Collector = field(default_factory=Collector)
    settings: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    context: Context = field(default_factory=lambda: Context(BibciteExtension(), {}))
    clause_pages: list[clauses.ClauseMeta] = field(default_factory=list)
    #: the corrections page's entry titles by id, for the "Corrected" line of each page
    correction_titles: dict[str, str] = field(default_factory=dict)
    #: the resolved folder of clause pages
    clauses_folder: Path | None = None
    reported: bool = False

    @property
    def root(self) -> Path:
        return self.collector.root


STATE = State()
#: An entry of the corrections page: "### What was corrected {#entry-id}".
CORRECTION_HEADING_RE = re.compile(r"^###[ \t]+(.+?)[ \t]*\{#([a-z][a-z0-9-]*)\}[ \t]*$", re.M)


class CaptureHandler(logging.Handler):
    """Turns Pelican's own warnings and errors into problems, so none passes silently."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        path = ""
        if m := re.search(r"([^\s'\"]+\.(?:md|markdown|mkd|mdown|html))\b", message):
            named = Path(m.group(1))
            if not named.is_absolute():  # Pelican names content relative to PATH
                named = Path(STATE.settings.get("PATH", STATE.root)) / named
            path = relative(named, STATE.root)
        if path and any(p.path == path and p.severity == ERROR for p in STATE.collector.problems):
            return  # Pelican's echo ("Could not process ...") of an error we already located
        if "Unable to find" in message:
            code, severity = "link.broken", ERROR
        elif record.levelno >= logging.ERROR:
            code, severity = "pelican.error", ERROR
        else:
            code, severity = "pelican.warning", WARNING
        STATE.collector.add(Problem(path or "pelicanconf.py", 1, 1, code, " ".join(message.split()),
                                    "see the message; Pelican reported it", severity))


CAPTURE = CaptureHandler(logging.WARNING)


def initialized(pelican: Any) -> None:
    """Validate settings and start capturing Pelican's diagnostics."""
    merge(pelican.settings)
    logger = logging.getLogger("pelican")
    logger.removeHandler(CAPTURE)
    logger.addHandler(CAPTURE)


def get_generators(pelican: Any) -> type[Generator]:
    """Reset the build's state, read the bibliography, and add the sources generator."""
    settings = merge(pelican.settings)
    root = Path(settings["BIBCITE_ROOT"]).resolve()
    STATE.__init__()  # a fresh state for every build, so autoreload stays correct
    STATE.collector.reset(root)
    STATE.settings = {**pelican.settings, **settings}
    STATE.clauses_folder = (Path(pelican.settings["PATH"]) / settings["BIBCITE_CLAUSES_PATH"]).resolve()
    # Everything under the content folder is looked at before Pelican reads any of it.
    content = Path(os.path.abspath(pelican.settings["PATH"]))
    walked = files.walk(content, root, ".md", page_names=True)
    STATE.collector.extend(walked.problems)
    STATE.collector.extend(files.outside(walked.files, [content / sub for sub in pelican.settings["PAGE_PATHS"]], root))
    # Pelican's own walk follows links (os.walk(followlinks=True)) and would list a pipe:
    # it is told to ignore what was refused, so it never looks behind a link.
    pelican.settings["IGNORE_FILES"] = [*pelican.settings.get("IGNORE_FILES", []), *walked.ignore]
    STATE.sources, problems = load(settings["BIBCITE_BIBLIOGRAPHY"], root, strict=settings["BIBCITE_STRICT"])
    corrections = next((f for f in walked.files if f.name == "corrections.md"), None)
    if corrections is not None:
        text = corrections.read_text(encoding="utf-8", errors="replace")
        STATE.correction_titles = {m.group(2): m.group(1).strip() for m in CORRECTION_HEADING_RE.finditer(text)}
    STATE.collector.extend(problems)
    STATE.context, problems = make_context(STATE.sources, pelican.settings["MARKDOWN"], settings, root)
    STATE.collector.extend(problems)
    return SourcesGenerator


def readers_init(readers: Any) -> None:
    """Read Markdown (.md) with our reader, and nothing else at all.

    Pelican's HTML and reStructuredText readers would publish a contributor's
    <script> or ``.. raw:: html`` without any of our checks; files.walk()
    reports such files as problems instead.
    """
    for extension in list(readers.reader_classes):
        readers.reader_classes[extension] = None
    readers.reader_classes["md"] = BibciteReader


class ReadRefused(Exception):
    """A file that cannot be read safely; its problem is already collected."""


class BibciteReader(MarkdownReader):
    """Pelican's Markdown reader plus citations, located problems, honesty checks and sanitising."""

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        """The page's HTML and metadata, or ReadRefused with its problems collected."""
        rel = files.shown(relative(source_path, STATE.root))
        refused = files.regular_file(Path(source_path), STATE.root, "file.symlink")
        if refused is not None:  # files.walk() reported it already; never read through a link
            raise ReadRefused(refused.format())
        STATE.context.md_settings = self.settings["MARKDOWN"]
        analysis = analyse(Path(source_path).read_bytes(), rel, STATE.context, self._is_clause_page(source_path))
        STATE.collector.extend(analysis.problems)
        if not analysis.readable:
            raise ReadRefused(analysis.problems[0].format())
        if analysis.clause:
            STATE.clause_pages.append(analysis.clause)
        self._source_path = source_path
        self._md = STATE.context.metadata_markdown()  # Pelican converts the summary with it
        metadata = self._parse_metadata(analysis.meta)
        if "summary" in metadata:
            # Converted by Pelican, not by analyse(): the same sanitiser, and Pelican's {static} syntax made inert.
            metadata["summary"] = Markup(inert(sanitise(str(metadata["summary"]))))
        metadata["notes"] = analysis.result.notes
        metadata.pop("corrected", None)
        grouped: dict[str, list[tuple[str, str]]] = {}
        for day, anchor in analysis.corrections:
            grouped.setdefault(day, []).append((anchor, STATE.correction_titles.get(anchor, anchor.replace("-", " "))))
        metadata["corrections"] = [(format_date(day), entries) for day, entries in sorted(grouped.items(), reverse=True)]
        metadata["correction_links"] = analysis.correction_links
        # Where a page is written and which template shows it are the site's to decide (header.py).
        for name in ("clause", "section", "related", "template", "slug", "save_as", "url", "status"):
            metadata.pop(name, None)
        if analysis.clause:
            metadata["clause"] = analysis.clause.number
            metadata["related"] = analysis.clause.related
            metadata["section"] = clauses.section_of(analysis.clause.number)
            metadata["template"] = "clause"
            metadata["slug"] = f"point-{analysis.clause.number}"
        else:
            stem = Path(source_path).stem
            metadata["slug"] = stem
            metadata["template"] = STATE.settings["BIBCITE_TEMPLATES"].get(stem, "page")
        return analysis.html, metadata

    def _is_clause_page(self, source_path: str) -> bool:
        return Path(source_path).resolve().is_relative_to(STATE.clauses_folder)


def content_object_init(content: Any) -> None:
    """Point links to source pages at the right place for this page."""
    if not hasattr(content, "notes"):
        return
    if content.settings.get("RELATIVE_URLS"):
        prefix = "../" * content.save_as.count("/")
    else:
        prefix = content.settings.get("SITEURL", "").rstrip("/") + "/"
    content.notes_html = LazyNotes(content.notes, prefix)
    if "summary" not in content.metadata and content.notes:
        # Pelican would cut the summary from the content, note markers and margin notes included.
        words = content.settings.get("SUMMARY_MAX_LENGTH")
        text = html.MARKER_RE.sub("", content._content)
        content.metadata["summary"] = text if words is None else truncate_html_words(
            text, words, content.settings.get("SUMMARY_END_SUFFIX", "…"))


class LazyNotes:
    """A page's notes list, rendered when the template prints it.

    Pelican keeps every page until the whole site is written; a rendered list
    held ~13 KB per page for the whole build (make bench: peak memory).
    """

    __slots__ = ("notes", "prefix")

    def __init__(self, notes: tuple[Note, ...], prefix: str) -> None:
        self.notes = notes
        self.prefix = prefix

    def __str__(self) -> str:
        return html.notes_section(self.notes, self.prefix)

    def __html__(self) -> str:
        """Trusted HTML for Jinja's autoescaping: built from escaped parts only (see render.py)."""
        return str(self)

    def __bool__(self) -> bool:
        return bool(self.notes)


class LazyJsonLd:
    """A page's JSON-LD, built when the template prints it.

    Every page stays in memory until the whole site is written, so building the
    string up front kept ~5 KB per page alive for the whole build (make bench).
    """

    __slots__ = ("page", "siteurl")

    def __init__(self, page: Any, siteurl: str) -> None:
        self.page = page
        self.siteurl = siteurl

    def __str__(self) -> str:
        page = self.page
        title = f"Point {page.clause}: {page.title}" if getattr(page, "clause", None) else page.title
        return html.jsonld(title, re.sub(r"<[^>]+>", "", getattr(page, "summary", "")), page.notes,
                           f"{self.siteurl}/{page.url}" if self.siteurl else "", page.date.date().isoformat())

    def __html__(self) -> str:
        """JSON for a script element: json.dumps output with <, > and & escaped (render.jsonld)."""
        return str(self)


class SourcesGenerator(Generator):
    """Writes one page per source and the sources index; runs the cross-page checks."""

    def generate_context(self) -> None:
        pages = [
            *self.context.get("pages", []),
            *self.context.get("hidden_pages", []),
            *self.context.get("articles", []),
        ]
        citing: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for page in pages:
            url = page.url  # a property Pelican computes on every access; source pages list it often
            for note in getattr(page, "notes", ()):
                citing[note.source.key].append({"page": page, "url": url, "note": note})
        collector = STATE.collector
        collector.extend(uncited(STATE.sources, set(citing)))
        collector.extend(clauses.check_set(STATE.clause_pages))
        clashes = files.check_outputs([(relative(p.source_path, STATE.root), p.save_as,
                                         getattr(p, "clause", None) is not None) for p in pages])
        collector.extend(clashes)
        clashing = {c.path for c in clashes}
        linked = [links.Page(relative(p.source_path, STATE.root), Path(p.source_path), p.save_as,
                             p._content + getattr(p, "correction_links", ""),
                             getattr(p, "notes", ()), getattr(p, "clause", None)) for p in pages]
        collector.extend(links.check([p for p in linked if p.path not in clashing], STATE.sources))
        if collector.errors:
            fail()  # before anything below relies on the pages being sound

        sources = sorted(STATE.sources.values(), key=lambda s: (s.outlet_label.lower(), s.title.lower(), s.key))
        outlets: dict[str, list[Source]] = defaultdict(list)
        for source in sources:
            outlets[source.outlet_label].append(source)
        clause_pages = sorted((p for p in pages if getattr(p, "clause", None)), key=lambda p: p.clause)
        coverage = []
        for page in clause_pages:
            counts = [sum(len(n.refs) for n in page.notes if n.source.key == s.key) for s in sources]
            articles = sum(1 for s, count in zip(sources, counts, strict=True) if count and s.kind != "primary")
            coverage.append({"page": page, "counts": counts, "articles": articles})
        siteurl = self.settings.get("SITEURL", "")
        absolute = siteurl.startswith(("http://", "https://"))
        for page in pages:
            page.jsonld = LazyJsonLd(page, siteurl if absolute else "")
        self.context["bibcite"] = {
            "sources": sources,
            "citing": citing,
            "outlets": sorted(outlets.items(), key=lambda item: item[0].lower()),
            "coverage": coverage,
            "clause_pages": clause_pages,
            "kinds": html.KIND_LABELS,
            "kind_meanings": KINDS,
            "sections": [(name, list(numbers)) for name, numbers in clauses.SECTIONS],
            # HTML built from escaped parts; Markup tells Jinja's autoescaping so.
            "describe": lambda source: Markup(html.describe(source)),
            "badge": lambda source: Markup(html.badge(source)),
            "href": html.source_href,
            "bibtex": html.bibtex_text,
        }
        if collector.errors:
            fail()

    def generate_output(self, writer: Any) -> None:
        data = self.context["bibcite"]
        relative_urls = self.settings.get("RELATIVE_URLS")
        for source in data["sources"]:
            writer.write_file(
                html.source_path(source.key),
                self.get_template("source"),
                self.context,
                relative_urls=relative_urls,
                source=source,
                cited_in=data["citing"].get(source.key, []),
                page_name=html.source_path(source.key).removesuffix(".html"),
                url=html.source_href(source.key),
            )
        if self.settings.get("SITEURL", "").startswith(("http://", "https://")):
            self._write_feed(data["clause_pages"])
            self._write_sitemap(data["sources"])
        # The bibliography as open data, beside the sources index that links to it.
        sources_folder = Path(self.output_path) / "sources"
        sources_folder.mkdir(parents=True, exist_ok=True)
        (sources_folder / "sources.json").write_text(export.csl_json(data["sources"]), encoding="utf-8")
        (sources_folder / "sources.bib").write_text(export.bibtex(data["sources"]), encoding="utf-8")
        writer.write_file(
            "sources/index.html",
            self.get_template("sources"),
            self.context,
            relative_urls=relative_urls,
            page_name="sources/index",
            url="sources/index.html",
        )


    def _write_feed(self, clause_pages: list[Any]) -> None:
        """An Atom feed of clause updates, newest first (absolute URLs, so only when published)."""
        siteurl = self.settings["SITEURL"]
        feed = Atom1Feed(
            title=f"{self.settings['SITENAME']}: clause updates",
            link=f"{siteurl}/",
            feed_url=f"{siteurl}/feeds/clauses.atom",
            description=self.settings.get("SITESUBTITLE", ""),
            language=self.settings.get("DEFAULT_LANG", "en"),
        )
        ordered = sorted(clause_pages, key=lambda p: (getattr(p, "modified", p.date), -p.clause), reverse=True)
        for page in ordered:
            feed.add_item(
                title=f"Point {page.clause}: {page.title}",
                link=f"{siteurl}/{page.url}",
                unique_id=f"{siteurl}/{page.url}",
                description=re.sub(r"<[^>]+>", "", page.summary),
                updateddate=getattr(page, "modified", page.date),
                pubdate=page.date,
            )
        path = Path(self.output_path) / "feeds" / "clauses.atom"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as stream:
            feed.write(stream, "utf-8")

    def _write_sitemap(self, sources: list[Source]) -> None:
        """sitemap.xml of every page and source page, with dates from page metadata."""
        siteurl = self.settings["SITEURL"]
        rows = [(page.url, page.date.date().isoformat()) for page in self.context.get("pages", [])]
        rows += [(html.source_href(s.key), "") for s in sources] + [("sources/index.html", "")]
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        for url, day in sorted(rows):
            lastmod = f"<lastmod>{day}</lastmod>" if day else ""
            lines.append(f"<url><loc>{xml_escape(f'{siteurl}/{url}')}</loc>{lastmod}</url>")
        lines.append("</urlset>")
        (Path(self.output_path) / "sitemap.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def fail() -> None:
    """Report every problem once and stop the build."""
    report()
    raise BuildFailed(f"{len(STATE.collector.errors)} error(s); see above")


def report() -> None:
    """Print the collected problems (once per build)."""
    if not STATE.reported:
        STATE.collector.report()
        STATE.reported = True


def finalized(pelican: Any) -> None:
    """Fail the build if anything went wrong while writing; list the warnings."""
    logging.getLogger("pelican").removeHandler(CAPTURE)
    if STATE.collector.errors:
        fail()
    report()


def register() -> None:
    """Connect the receivers (module-level functions: Pelican keeps weak references)."""
    signals.initialized.connect(initialized)
    signals.get_generators.connect(get_generators)
    signals.readers_init.connect(readers_init)
    signals.content_object_init.connect(content_object_init)
    signals.finalized.connect(finalized)
