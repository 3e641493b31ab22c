"""Glue between Pelican and the pure modules: signal receivers, reader, generator."""

from __future__ import annotations

import logging
import re
from xml.sax.saxutils import escape as xml_escape
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedgenerator import Atom1Feed
from markdown import Markdown
from pelican import signals
from pelican.generators import Generator
from pelican.readers import MarkdownReader

from . import clauses, quotes
from . import render as html
from .bibliography import KINDS, Source, load, uncited
from .markdown_ext import DIV_CLOSE_RE, DIV_OPEN_RE, BibciteExtension, DocumentResult
from .problems import ERROR, WARNING, Collector, Problem, relative
from .settings import merge
from .syntax import LineIndex

QUOTATION_RE = re.compile(r"\u201c[^\u201d]*\u201d|(?<![\w=])\"[^\"\n]*(?:\n(?!\n)[^\"\n]*)*\"")


class BuildFailed(Exception):
    """Raised when the collected problems include an error; Pelican exits 1."""

    exitcode = 1


@dataclass
class State:
    """Everything one build knows; reset at the start of each build."""

    collector: Collector = field(default_factory=Collector)
    settings: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    ext: BibciteExtension = field(default_factory=BibciteExtension)
    texts: dict[str, str] | None = None
    copy_index: quotes.CopyIndex | None = None
    clause_pages: list[clauses.ClauseMeta] = field(default_factory=list)
    reported: bool = False

    @property
    def root(self) -> Path:
        return self.collector.root


STATE = State()


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
        STATE.collector.add(Problem(path or "pelicanconf.py", 0, 0, code, " ".join(message.split()),
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
    STATE.sources, problems = load(settings["BIBCITE_BIBLIOGRAPHY"], root)
    STATE.collector.extend(problems)
    STATE.ext = BibciteExtension(STATE.sources)
    folder = root / settings["BIBCITE_SOURCE_TEXTS"] if settings["BIBCITE_SOURCE_TEXTS"] else None
    if folder is not None and folder.is_dir():
        STATE.texts = quotes.load_texts(STATE.sources, folder)
        STATE.collector.extend(quotes.missing_texts(STATE.sources, folder))
        STATE.copy_index = quotes.CopyIndex(STATE.texts)
    else:
        STATE.collector.add(quotes.skipped_notice(folder or Path("(BIBCITE_SOURCE_TEXTS unset)")))
    return SourcesGenerator


def readers_init(readers: Any) -> None:
    """Read Markdown with our reader."""
    for extension in BibciteReader.file_extensions:
        readers.reader_classes[extension] = BibciteReader


class ReadRefused(Exception):
    """A file that cannot be read safely; its problem is already collected."""


def decode(raw: bytes, path: str) -> tuple[str, Problem | None]:
    """Strict UTF-8 with an optional BOM; Windows line endings become plain ones."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return "", Problem(path, line, column, "md.encoding", f"file is not valid UTF-8 ({exc.reason})",
                           "save the file as UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return "", Problem(path, 1, 1, "md.empty", "file is empty", "write the page, or delete the file")
    return text, None


class BibciteReader(MarkdownReader):
    """Pelican's Markdown reader plus citations, located problems and honesty checks."""

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        collector = STATE.collector
        rel = relative(source_path, STATE.root)
        text, problem = decode(Path(source_path).read_bytes(), rel)
        if problem:
            collector.add(problem)
            raise ReadRefused(problem.format())
        clause_meta = None
        if self._is_clause_page(source_path):
            clause_meta, found = clauses.check(text, rel)
            collector.extend(found)
            if clause_meta:
                STATE.clause_pages.append(clause_meta)

        self._source_path = source_path
        md_settings = dict(self.settings["MARKDOWN"])
        md_settings["extensions"] = [*md_settings.get("extensions", []), STATE.ext]
        self._md = Markdown(**md_settings)
        STATE.ext.begin(rel)
        content = self._md.convert(text)
        result = STATE.ext.finish()
        metadata = self._parse_metadata(self._md.Meta) if hasattr(self._md, "Meta") else {}
        collector.extend(result.problems)
        collector.extend(self._honesty(text, rel, result))

        metadata["notes"] = result.notes
        metadata["notes_html"] = result.notes_html
        if clause_meta:
            metadata["clause"] = clause_meta.number
            metadata["related"] = clause_meta.related
            metadata.setdefault("template", "clause")
            metadata["slug"] = f"point-{clause_meta.number}"
        return content, metadata

    def _is_clause_page(self, source_path: str) -> bool:
        folder = Path(self.settings["PATH"]) / STATE.settings["BIBCITE_CLAUSES_PATH"]
        return Path(source_path).resolve().is_relative_to(folder.resolve())

    @staticmethod
    def _honesty(text: str, rel: str, result: DocumentResult) -> list[Problem]:
        """Quote, verbatim, quotation-length and copy checks for one document."""
        problems = []
        exempt = clause_ranges(text)
        for note in result.notes:
            for ref in note.refs:
                if not ref.quote:
                    continue
                if len(ref.quote.split()) > quotes.MAX_RUN:
                    problems.append(Problem(rel, ref.line, ref.column, "quote.too-long",
                                            f"quoted passage of {len(ref.quote.split())} words (at most {quotes.MAX_RUN})",
                                            "shorten the quotation and paraphrase the rest"))
                if STATE.texts is not None:
                    found = quotes.check_quote(ref.quote, note.source.key, STATE.texts, rel, ref.line, ref.column)
                    if found:
                        problems.append(found)
        index = LineIndex(text)
        for m in QUOTATION_RE.finditer(text):
            line, column = index.locate(m.start())
            if any(a <= line <= b for a, b in exempt):
                continue
            count = len(m.group(0).split())
            if count > quotes.MAX_RUN:
                problems.append(Problem(rel, line, column, "quote.too-long",
                                        f"quotation of {count} words (at most {quotes.MAX_RUN})",
                                        "shorten the quotation and paraphrase the rest"))
        if STATE.texts is not None and result.clause_text:
            plan = STATE.texts.get(STATE.settings["BIBCITE_PLAN_KEY"], "")
            for paragraph in result.clause_text:
                if plan and quotes.normalise(paragraph.text) not in plan:
                    problems.append(Problem(rel, paragraph.line, 1, "clause.not-verbatim",
                                            f"clause text is not verbatim from the plan: \u201c{paragraph.text[:70]}\u201d",
                                            "copy the clause exactly as the plan's text gives it"))
        if STATE.copy_index is not None:
            problems.extend(quotes.check_copy(STATE.copy_index, text, rel, exempt))
        return problems


def clause_ranges(text: str) -> list[tuple[int, int]]:
    """1-based inclusive line ranges of ``::: {.clause}`` fences (the verbatim plan text)."""
    ranges = []
    start = None
    for number, line in enumerate(text.split("\n"), 1):
        m = DIV_OPEN_RE.match(line)
        if m and m.group(1) == "clause":
            start = number
        elif start is not None and DIV_CLOSE_RE.match(line):
            ranges.append((start, number))
            start = None
    return ranges


def content_object_init(content: Any) -> None:
    """Point links to source pages at the right place for this page."""
    if not hasattr(content, "notes_html"):
        return
    if content.settings.get("RELATIVE_URLS"):
        prefix = "../" * content.save_as.count("/")
    else:
        prefix = content.settings.get("SITEURL", "").rstrip("/") + "/"
    content._content = content._content.replace(html.ROOT, prefix)
    content.notes_html = content.notes_html.replace(html.ROOT, prefix)


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
            for note in getattr(page, "notes", ()):
                citing[note.source.key].append({"page": page, "note": note})
        collector = STATE.collector
        collector.extend(uncited(STATE.sources, set(citing)))
        collector.extend(clauses.check_set(STATE.clause_pages))

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
            title = f"Point {page.clause}: {page.title}" if getattr(page, "clause", None) else page.title
            page.jsonld = html.jsonld(title, re.sub(r"<[^>]+>", "", getattr(page, "summary", "")), page.notes,
                                      f"{siteurl}/{page.url}" if absolute else "", page.date.date().isoformat())
        self.context["bibcite"] = {
            "sources": sources,
            "citing": citing,
            "outlets": sorted(outlets.items(), key=lambda item: item[0].lower()),
            "coverage": coverage,
            "clause_pages": clause_pages,
            "kinds": html.KIND_LABELS,
            "kind_meanings": KINDS,
            "sections": [(name, list(numbers)) for name, numbers in clauses.SECTIONS],
            "describe": html.describe,
            "badge": html.badge,
        }
        if collector.errors:
            fail()

    def generate_output(self, writer: Any) -> None:
        data = self.context["bibcite"]
        relative_urls = self.settings.get("RELATIVE_URLS")
        for source in data["sources"]:
            writer.write_file(
                f"sources/{source.key}.html",
                self.get_template("source"),
                self.context,
                relative_urls=relative_urls,
                source=source,
                cited_in=data["citing"].get(source.key, []),
                page_name=f"sources/{source.key}",
                url=f"sources/{source.key}.html",
            )
        if self.settings.get("SITEURL", "").startswith(("http://", "https://")):
            self._write_feed(data["clause_pages"])
            self._write_sitemap(data["sources"])
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
        rows += [(f"sources/{s.key}.html", "") for s in sources] + [("sources/index.html", "")]
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
