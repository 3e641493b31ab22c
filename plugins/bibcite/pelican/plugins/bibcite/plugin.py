"""Glue between Pelican and the pure modules: signal receivers, reader, generator."""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import logging
import os
import stat
import time
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup
from pelican import signals
from pelican.contents import Content, Page
from pelican.generators import Generator, PagesGenerator
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader
from pelican.utils import truncate_html_words

from . import export, files, hooks, links, parallel, pipeline, render
from .bibliography import Source, load
from .document import Context, analyse, inert, make_context, sanitise
from .markdown_ext import BibciteExtension
from .problems import ERROR, WARNING, Collector, Problem, relative
from .resolve import Note
from .settings import Policy, merge, policy, rules

#: The plugin's own templates (source page, sources index), used when the theme has none.
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Links to source pages in notes the plugin appends itself: Pelican makes them relative to each page.
INTRASITE_ROOT = "{filename}/__bibcite__/"
#: The Markdown file extensions Pelican's reader handles.
MARKDOWN_EXTENSIONS = ("md", "markdown", "mkd", "mdown")


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
    policy: Policy = field(default_factory=Policy)
    #: whether the notes list is appended to each page's content (the theme does not place notes_html)
    append_notes: bool = False
    #: Pelican's warnings and errors, until absorb() makes them problems
    pelican_records: list[logging.LogRecord] = field(default_factory=list)
    reported: bool = False
    #: the pages read by the last build, by path and digest, when BIBCITE_REUSE is on
    reuse: dict[tuple[str, bytes], Any] | None = None
    #: the second process reading pages meanwhile (BIBCITE_PARALLEL), and the pages it is to read
    #: until it starts (with the first page Pelican asks for, once the reader's settings are known)
    reader: parallel.Reader | None = None
    reader_pages: dict[str, Path] | None = None
    #: with BIBCITE_REUSE, the analyses this build used (what is kept for the next build)
    seen: set[int] = field(default_factory=set)
    #: with BIBCITE_REUSE, the analysis of the page the reader read last (kept with its object)
    last_read: Any = None

    @property
    def root(self) -> Path:
        return self.collector.root

    def reset(self) -> None:
        """Forget everything of the last build."""
        vars(self).update(vars(State()))


STATE = State()


class Reuse:
    """What the last build of this process read, kept for the next one (BIBCITE_REUSE, the devserver).

    A build reuses the bibliography and a page's reading (its Analysis: HTML, notes, problems)
    only while its *token* is the same: a digest of the settings and of every byte of the
    bibliography and of the inputs the other plugins declare (their source texts, say). A page is
    found by its path and the digest of its bytes, so an edited page is read again; the rest of
    the build (templates, source pages, the site checks) runs as in any build.
    """

    def __init__(self) -> None:
        self.token = b""
        self.sources: dict[str, Source] = {}
        self.problems: list[Problem] = []
        self.pages: dict[tuple[str, bytes], Any] = {}
        #: what the reader made of each reused page:
        #: id(analysis) -> (analysis, whether notes were appended, html, metadata, problems)
        self.read: dict[int, tuple[Any, bool, str, dict[str, Any], list[Problem]]] = {}
        #: Pelican's page objects, by path: see KeptPage
        self.objects: dict[str, KeptPage] = {}
        #: each page's ids and links, for the link check
        self.links = links.Memo()
        #: the bibliography as CSL-JSON and BibTeX
        self.exports: tuple[str, str] | None = None
        #: pages the last build reused rather than read
        self.hits = 0

    @staticmethod
    def digest(settings: dict[str, Any], root: Path, paths: list[Path]) -> bytes:
        state = hashlib.sha256()
        volatile = {"OUTPUT_PATH", "BIBCITE_REUSE"}
        state.update(repr(sorted((k, repr(v)) for k, v in settings.items() if k not in volatile)).encode())
        for path in paths:
            found = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            for item in found:  # never through a link: a link's target is not the repository's
                state.update(str(item.relative_to(root) if item.is_relative_to(root) else item).encode() + b"\0")
                state.update(item.read_bytes() if item.is_file() and not item.is_symlink() else b"-")
        return state.digest()

    def begin(self, token: bytes) -> bool:
        """Whether the last build's reading still holds; forget it when it does not."""
        self.hits = 0
        if token == self.token:
            return True
        self.token, self.sources, self.problems, self.pages, self.read = token, {}, [], {}, {}
        self.objects, self.links, self.exports = {}, links.Memo(), None
        return False


REUSE = Reuse()


@dataclass
class KeptPage:
    """A page object Pelican made in an earlier build of this process, and what its reading reported.

    Pelican makes every page's object again on each build (about half of a devserver rebuild
    at 5,000 pages). With BIBCITE_REUSE the object of a page whose bytes, and the build's
    token, are unchanged is handed back to Pelican instead (its generator's get_cached_data,
    the hook of Pelican's own content cache), made as a fresh object would be: it is pointed
    at this build's settings and context, the header fields Pelican rewrites in place
    (refresh_metadata_intersite_links) are put back, its memoised content is dropped, and the
    problems and Pelican messages its reading reported are reported again.
    """

    digest: bytes
    page: Any
    analysis: Any
    append_notes: bool
    metadata: dict[str, Any]
    #: the formatted header fields' attributes (and Pelican's _summary), as the reader set them
    fields: dict[str, Any]
    problems: list[Problem]
    records: list[logging.LogRecord]
    #: the file's stamp, taken before it was read (see _stamp)
    stamp: tuple[int, ...] = ()
    #: what the checks across pages see of it, once made (SourcesGenerator)
    checked: hooks.Page | None = None
    #: the files its content links to with {static} (Pelican's get_static_links), once found
    static_links: set[str] | None = None
    #: its notes as the source pages list them, once made (SourcesGenerator)
    citing: list[tuple[str, dict[str, Any]]] | None = None


#: Pelican's memoised Content.get_content and get_summary, cached by (page, siteurl) for the whole process.
_MEMOISED: list[dict[Any, Any]] = [
    memo.cache
    for memo in (Content.__dict__.get("get_content"), Content.__dict__.get("get_summary"))
    if isinstance(getattr(memo, "cache", None), dict)
]
#: Signals Pelican sends while it reads a page: a kept object never goes through them again.
_READ_SIGNALS = ("page_generator_preread", "page_generator_context", "content_object_init")


def _objects_kept(settings: dict[str, Any]) -> bool:
    """Whether a page's object may be kept between builds: only when it is made from its file's bytes and the
    settings alone. Not when its date is the file's (DEFAULT_DATE "fs"), nor when another plugin does
    something with each page as it is read. (Pages only: an article's status depends on the clock.)"""
    if settings.get("DEFAULT_DATE") == "fs":
        return False
    ours = {id(content_object_init)}
    for name in _READ_SIGNALS:
        receivers = getattr(signals, name).receivers.values()
        if any(id(receiver() if isinstance(receiver, weakref.ref) else receiver) not in ours for receiver in receivers):
            return False
    return True


def generator_init(generator: Any) -> None:
    """With BIBCITE_REUSE, the pages generator takes unchanged pages' objects from REUSE (see KeptPage)."""
    if STATE.reuse is None or not isinstance(generator, PagesGenerator) or not _objects_kept(generator.settings):
        return
    starts: dict[str, tuple[int, int, tuple[int, ...]]] = {}

    def get_cached_data(name: str, default: Any = None) -> Any:
        path = os.path.abspath(os.path.join(generator.path, name))
        stamp = _stamp(path, time.time_ns())
        page = _kept(path, stamp, generator)
        if page is None:
            STATE.last_read = None  # set by our reader, if it reads this page
            starts[path] = (len(STATE.collector.problems), len(STATE.pelican_records), stamp)
            return default
        return page

    def cache_data(name: str, page: Any) -> None:
        path = os.path.abspath(os.path.join(generator.path, name))
        if STATE.last_read is not None and path in starts and isinstance(page.metadata.get(SOURCE_DIGEST), str):
            problems, records, stamp = starts.pop(path)
            _keep(path, page, STATE.collector.problems[problems:], STATE.pelican_records[records:], stamp)

    def add_static_links(page: Any) -> None:
        kept = _kept_for(page)
        if kept is None:
            generator.context["static_links"] |= page.get_static_links()
            return
        if kept.static_links is None:
            kept.static_links = page.get_static_links()
        generator.context["static_links"] |= kept.static_links

    generator.get_cached_data, generator.cache_data = get_cached_data, cache_data
    generator.add_static_links = add_static_links


#: A file changed this recently may change again within the same tick of its file system's clock (a second
#: on some), keeping its stamp: its bytes are compared instead.
RECENT_NS = 2_000_000_000


def _stamp(path: str, now: int) -> tuple[int, ...]:
    """What tells a file's versions apart without reading it: device, inode, size, modification and change
    times (a file written since has another); () if it is not a regular file (a link is never followed:
    what it points to may change without it), or if it changed less than RECENT_NS before *now*."""
    try:
        st = os.lstat(path)
    except OSError:
        return ()
    if not stat.S_ISREG(st.st_mode) or now - max(st.st_mtime_ns, st.st_ctime_ns) < RECENT_NS:
        return ()
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _kept(path: str, stamp: tuple[int, ...], generator: Any) -> Any:
    """The object of an unchanged page, made ready for this build; None to read the page. The page is
    unchanged when its file has the stamp it had before it was read, or else the bytes it was read from."""
    kept = REUSE.objects.get(path)
    if kept is None or kept.append_notes != STATE.append_notes or not isinstance(kept.page, Page):
        return None
    if STATE.policy.untrusted and files.regular_file(Path(path), STATE.root, "file.symlink") is not None:
        return None  # read it: the reader refuses it, located
    if not stamp or stamp != kept.stamp:
        try:
            digest = hashlib.sha256(Path(path).read_bytes()).digest()
        except OSError:
            return None
        if digest != kept.digest:
            return None
        kept.stamp = stamp  # taken before the read: a save after it gives the file another stamp
    page = kept.page
    page.settings, page._context, page.metadata = generator.settings, generator.context, dict(kept.metadata)
    for name, value in kept.fields.items():
        setattr(page, name, value)
    STATE.collector.extend(kept.problems)
    STATE.pelican_records.extend(kept.records)
    STATE.seen.add(id(kept.analysis))
    REUSE.hits += 1
    return page


def _keep(
    path: str, page: Any, problems: list[Problem], records: list[logging.LogRecord], stamp: tuple[int, ...]
) -> None:
    analysis, STATE.last_read = STATE.last_read, None
    # Its url and save_as, worked out from its header fields and the settings on every access
    # (Pelican's properties; 30,000 times a build at 5,000 pages), and its path relative to the
    # content folder, are the same as long as the object is kept: the fields are put back as they
    # were, and the settings are part of the token.
    page.get_url_setting = functools.lru_cache(maxsize=None)(page.get_url_setting)
    page.get_relative_source_path = functools.lru_cache(maxsize=None)(page.get_relative_source_path)
    # (summary is a property of Pelican's that renders and caches; what it shows is _summary)
    formatted = [name.lower() for name in page.settings.get("FORMATTED_FIELDS", ()) if name.lower() != "summary"]
    fields = {name: page.__dict__[name] for name in formatted if name in page.__dict__}
    if "_summary" in page.__dict__:
        fields["_summary"] = page._summary
    REUSE.objects[path] = KeptPage(
        bytes.fromhex(page.metadata.get(SOURCE_DIGEST, "")),
        page,
        analysis,
        STATE.append_notes,
        dict(page.metadata),
        fields,
        list(problems),
        list(records),
        stamp,
    )


class CaptureHandler(logging.Handler):
    """Keeps Pelican's own warnings and errors, which become problems when the build reports (absorb())."""

    def emit(self, record: logging.LogRecord) -> None:
        STATE.pelican_records.append(record)


def _named_files(record: logging.LogRecord) -> list[str]:
    """The content files a Pelican message names, from its arguments (repository-relative)."""
    args = record.args if isinstance(record.args, tuple) else (record.args,) if record.args else ()
    found = []
    for arg in args:
        for word in str(arg).split() if isinstance(arg, str | os.PathLike) else ():
            word = word.strip("'\":,")
            if word.endswith(tuple("." + ext for ext in MARKDOWN_EXTENSIONS)):
                named = Path(word)
                if not named.is_absolute():  # Pelican names content relative to PATH
                    named = Path(STATE.settings.get("PATH", STATE.root)) / named
                found.append(relative(named, STATE.root))
    return found


def absorb() -> None:
    """Turn Pelican's kept messages into problems, except those about a file we already refused.

    Pelican echoes what our checks located ("Could not process", two pages with
    one slug): the located problem says it better, so the echo is dropped.
    """
    refused = {p.path for p in STATE.collector.problems if p.severity == ERROR}
    for record in STATE.pelican_records:
        named = _named_files(record)
        if refused.intersection(named):
            continue
        error = record.levelno >= logging.ERROR
        STATE.collector.add(
            Problem(
                named[0] if named else "pelicanconf.py",
                1,
                1,
                "pelican.error" if error else "pelican.warning",
                " ".join(record.getMessage().split()),
                "see the message; Pelican reported it",
                ERROR if error else WARNING,
            )
        )
    STATE.pelican_records.clear()


CAPTURE = CaptureHandler(logging.WARNING)


def initialized(pelican: Any) -> None:
    """Validate settings, keep the hooks of this build's plugins, start capturing Pelican's diagnostics."""
    merge(pelican.settings)
    hooks.REGISTRY.keep_only(plugin.__name__ for plugin in getattr(pelican, "plugins", []))
    logger = logging.getLogger("pelican")
    logger.removeHandler(CAPTURE)
    logger.addHandler(CAPTURE)


def get_generators(pelican: Any) -> type[Generator]:
    """Reset the build's state, read the bibliography, and add the sources generator."""
    settings = merge(pelican.settings)
    root = Path(settings["BIBCITE_ROOT"]).resolve()
    stop_reader()  # an earlier build of this process that failed while reading
    relative.cache_clear()  # a path may have become a link, or a file, since the last build
    STATE.reset()  # a fresh state for every build, so autoreload stays correct
    STATE.collector.reset(root)
    STATE.settings = {**pelican.settings, **settings}
    STATE.policy = policy(settings)
    STATE.append_notes = not _theme_places_notes(pelican.settings)
    if STATE.policy.untrusted:
        # Everything under the content folder is looked at before Pelican reads any of it.
        content = Path(os.path.abspath(pelican.settings["PATH"]))
        walked = files.walk(content, root, ".md", page_names=True)
        STATE.collector.extend(walked.problems)
        folders = [content / sub for sub in pelican.settings["PAGE_PATHS"]]
        STATE.collector.extend(files.outside(walked.files, folders, root))
        # Pelican's own walk follows links (os.walk(followlinks=True)) and would list a pipe:
        # it is told to ignore what was refused, so it never looks behind a link.
        pelican.settings["IGNORE_FILES"] = [*pelican.settings.get("IGNORE_FILES", []), *walked.ignore]
    extra_fields = frozenset(f for function in hooks.REGISTRY.get("entry_fields") for f in function())
    STATE.reuse = None
    if settings["BIBCITE_REUSE"]:
        read = [root / name for name in settings["BIBCITE_BIBLIOGRAPHY"]]
        read += [Path(p) for function in hooks.REGISTRY.get("inputs") for p in function(STATE.settings, root)]
        if REUSE.begin(Reuse.digest(STATE.settings, root, read)):
            STATE.sources, problems = REUSE.sources, list(REUSE.problems)
        else:
            STATE.sources, problems = load(settings["BIBCITE_BIBLIOGRAPHY"], root, rules=rules(settings, extra_fields))
            REUSE.sources, REUSE.problems = STATE.sources, list(problems)
        STATE.reuse = REUSE.pages
        for cache in _MEMOISED:
            cache.clear()  # the last build's pages' content and summaries, kept by Pelican for the process
    else:
        STATE.sources, problems = load(settings["BIBCITE_BIBLIOGRAPHY"], root, rules=rules(settings, extra_fields))
    STATE.collector.extend(problems)
    STATE.context, problems = make_context(
        STATE.sources, pelican.settings["MARKDOWN"], STATE.settings, root, STATE.policy
    )
    STATE.collector.extend(problems)
    STATE.reader_pages = _parallel_pages(pelican.settings, settings, root)
    return SourcesGenerator


def _parallel_pages(pelican_settings: dict[str, Any], settings: dict[str, Any], root: Path) -> dict[str, Path] | None:
    """The pages a second process is to read (BIBCITE_PARALLEL), where that is safe and worth it."""
    least = settings["BIBCITE_PARALLEL"]
    if not least or settings["BIBCITE_REUSE"] or not parallel.can_fork():
        return None
    content = Path(os.path.abspath(pelican_settings["PATH"]))
    ignored = list(pelican_settings.get("IGNORE_FILES", []))
    paths: dict[str, Path] = {}
    for sub in dict.fromkeys([*pelican_settings.get("PAGE_PATHS", []), *pelican_settings.get("ARTICLE_PATHS", [])]):
        found = files.walk(content / sub, root, ".md", page_names=True) if (content / sub).is_dir() else None
        for path in found.files if found else ():
            # What Pelican will read, near enough: a page it never asks for costs only time.
            if not any(fnmatch.fnmatch(path.name, pattern) for pattern in ignored):
                paths.setdefault(files.shown(relative(str(path), root)), path)
    return paths if len(paths) >= least else None


def stop_reader() -> None:
    STATE.reader_pages = None
    if STATE.reader is not None:
        STATE.reader.close()
        logging.getLogger(__name__).info(
            "bibcite: %d of %d pages read by a second process (memory of its own %d KB)",
            STATE.reader.used,
            len(STATE.reader.index),
            STATE.reader.private_kb,
        )
        STATE.reader = None


def _theme_places_notes(settings: dict[str, Any]) -> bool:
    """Whether the theme's templates print ``notes_html`` themselves."""
    folders = [Path(settings.get("THEME", "")) / "templates", *map(Path, settings.get("THEME_TEMPLATES_OVERRIDES", []))]
    return any(
        "notes_html" in path.read_text(encoding="utf-8", errors="replace")
        for folder in folders
        if folder.is_dir()
        for path in folder.rglob("*.html")
    )


def readers_init(readers: Any) -> None:
    """Read Markdown with our reader; with BIBCITE_UNTRUSTED_CONTENT, nothing else at all.

    Pelican's HTML and reStructuredText readers would publish a contributor's
    <script> or ``.. raw:: html`` without any of our checks; files.walk()
    reports such files as problems instead.
    """
    if policy(merge(readers.settings)).untrusted:
        for extension in list(readers.reader_classes):
            readers.reader_classes[extension] = None
        readers.reader_classes["md"] = BibciteReader
    else:
        for extension in MARKDOWN_EXTENSIONS:
            if readers.reader_classes.get(extension, MarkdownReader) is not None:
                readers.reader_classes[extension] = BibciteReader


class ReadRefused(Exception):
    """A file that cannot be read safely; its problem is already collected."""


#: With BIBCITE_REUSE, the SHA-256 of the bytes a page was read from, in its metadata (tools/incremental.py).
SOURCE_DIGEST = "bibcite_source_digest"
#: Metadata a stranger's page may never set: where it is written and how it is shown are the site's.
SITE_METADATA = ("template", "slug", "save_as", "url", "status")


def _read(raw: bytes, rel: str, digest: bytes) -> Any:
    """analyse() the page, or reuse the last build's reading of the same bytes (BIBCITE_REUSE; *digest*:
    their SHA-256, only then)."""
    if STATE.reader is not None and (delivered := STATE.reader.take(rel, raw)) is not None:
        return delivered
    if STATE.reuse is None:
        return analyse(raw, rel, STATE.context)
    key = (rel, digest)
    if key in STATE.reuse:
        REUSE.hits += 1
        return STATE.reuse[key]
    STATE.reuse[key] = analysis = analyse(raw, rel, STATE.context)
    return analysis


class BibciteReader(MarkdownReader):
    """Pelican's Markdown reader plus citations, located problems and the other plugins' hooks."""

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        """The page's HTML and metadata, or ReadRefused with its problems collected."""
        rel = files.shown(relative(source_path, STATE.root))
        untrusted = STATE.policy.untrusted
        refused = files.regular_file(Path(source_path), STATE.root, "file.symlink") if untrusted else None
        if refused is not None:  # files.walk() reported it already; never read through a link
            raise ReadRefused(refused.format())
        STATE.context.md_settings = self.settings["MARKDOWN"]
        if STATE.reader_pages is not None:  # the context is now complete: the reader shares it
            pages, STATE.reader_pages = STATE.reader_pages, None
            try:
                STATE.reader = parallel.Reader(pages, lambda raw, rel: analyse(raw, rel, STATE.context), STATE.sources)
            except (OSError, RuntimeError) as error:  # no process to be had (a limit on processes, memory)
                logging.getLogger(__name__).warning("bibcite: no second process to read pages (%s)", error)
        raw = Path(source_path).read_bytes()
        digest = hashlib.sha256(raw).digest() if STATE.reuse is not None else b""
        analysis = _read(raw, rel, digest)
        STATE.collector.extend(analysis.problems)
        if not analysis.readable:
            raise ReadRefused(analysis.problems[0].format())
        if STATE.reuse is None:
            return self._made(analysis, source_path, rel)
        # The devserver: a reused page's HTML and header fields are what this reader made of them last
        # time, and the digest of the bytes they were made from goes with them (tools/incremental.py
        # keys a page on it: the file may be saved again while the build goes on).
        made = REUSE.read.get(id(analysis))
        if made is None or made[0] is not analysis or made[1] != STATE.append_notes:
            before = len(STATE.collector.problems)
            html, metadata = self._made(analysis, source_path, rel)
            metadata[SOURCE_DIGEST] = digest.hex()
            made = (analysis, STATE.append_notes, html, metadata, STATE.collector.problems[before:])
            REUSE.read[id(analysis)] = made
        else:
            STATE.collector.extend(made[4])
        STATE.seen.add(id(analysis))
        STATE.last_read = analysis
        return made[2], dict(made[3])

    def _made(self, analysis: Any, source_path: str, rel: str) -> tuple[str, dict[str, Any]]:
        """The page's HTML and Pelican's metadata, from its analysis."""
        untrusted = STATE.policy.untrusted
        metadata = self._metadata(analysis.meta, rel)
        if "summary" in metadata and (STATE.policy.sanitise or untrusted):
            # Converted by Pelican, not by analyse(): the same sanitiser, and Pelican's {static} syntax made inert.
            summary = str(metadata["summary"])
            summary = sanitise(summary) if STATE.policy.sanitise else summary
            metadata["summary"] = Markup(inert(summary) if untrusted else summary)
        if "title" not in metadata:
            # Already a located error (no title); named after its file so that Pelican keeps the
            # page and the checks across pages (related clauses, links) see it as make check does.
            metadata["title"] = Path(source_path).stem
        metadata["notes"] = notes = analysis.result.notes
        metadata["toc"] = tuple(analysis.result.toc)
        metadata["bibcite_data"] = analysis.data
        metadata["bibcite_html"] = html = analysis.html
        if "summary" not in metadata and notes:
            # Pelican would cut the summary from the content, note markers and margin notes included.
            words = self.settings.get("SUMMARY_MAX_LENGTH")
            text = render.MARKER_RE.sub("", html)
            suffix = self.settings.get("SUMMARY_END_SUFFIX", "\u2026")
            metadata["summary"] = text if words is None else truncate_html_words(text, words, suffix)
        if STATE.append_notes and notes:
            # The theme does not place the notes (Pelican's own themes): they follow the text, their
            # links to source pages written in Pelican's own {filename} syntax, which it resolves for
            # each page's place (SourcesGenerator registers the source pages as generated content).
            html += render.notes_section(notes, INTRASITE_ROOT)
        if untrusted:
            for name in SITE_METADATA:
                metadata.pop(name, None)
            stem = Path(source_path).stem
            metadata["slug"] = stem
            metadata["template"] = STATE.settings["BIBCITE_TEMPLATES"].get(stem, "page")
        if analysis.document is not None:
            for function in hooks.REGISTRY.get("metadata"):
                function(analysis.document, metadata)
        return html, metadata

    def _metadata(self, meta: dict[str, list[str]], path: str) -> dict[str, Any]:
        """Pelican's metadata from the header fields, as its Markdown reader makes it (with its public
        process_metadata), the formatted fields (the summary) converted by our own instance."""
        formatted = self.settings["FORMATTED_FIELDS"]
        output: dict[str, Any] = {}
        for name, values in meta.items():
            name = name.lower()
            if name in formatted:
                output[name] = self.process_metadata(name, STATE.context.metadata_markdown().convert("\n".join(values)))
            elif len(values) > 1 and DUPLICATES_DEFINITIONS_ALLOWED.get(name, True):
                output[name] = self.process_metadata(name, values)
            else:
                if len(values) > 1:
                    STATE.collector.add(
                        Problem(
                            path,
                            1,
                            1,
                            "md.meta-field",
                            f"header field {name!r} is given twice",
                            "keep one; Pelican uses the first",
                            WARNING,
                        )
                    )
                output[name] = self.process_metadata(name, values[0])
        return output


def content_object_init(content: Any) -> None:
    """The notes list for the theme (notes_html), its links to source pages made for this page's place."""
    if not hasattr(content, "notes"):
        return
    if content.settings.get("RELATIVE_URLS"):
        prefix = "../" * content.save_as.count("/")
    else:
        prefix = content.settings.get("SITEURL", "").rstrip("/") + "/"
    content.notes_html = LazyNotes(content.notes, prefix)


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
        return render.notes_section(self.notes, self.prefix)

    def __html__(self) -> str:
        """Trusted HTML for Jinja's autoescaping: built from escaped parts only (see render.py)."""
        return str(self)

    def __bool__(self) -> bool:
        return bool(self.notes)


class _SourcePage:
    """A source's page as Pelican's {filename} links find generated content: by its url."""

    __slots__ = ("url",)

    def __init__(self, key: str) -> None:
        self.url = render.source_href(key)


class SourcesGenerator(Generator):
    """Writes one page per source and the sources index; runs the checks that need every page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The theme's templates first; the plugin's own where the theme has none.
        self.env.loader = ChoiceLoader([self.env.loader, FileSystemLoader(str(TEMPLATES))])

    def generate_context(self) -> None:
        stop_reader()  # every page has been read
        if STATE.reuse is not None:  # keep for the next build only what this one read
            REUSE.pages = {key: found for key, found in REUSE.pages.items() if id(found) in STATE.seen}
            REUSE.read = {key: made for key, made in REUSE.read.items() if key in STATE.seen}
            REUSE.objects = {path: kept for path, kept in REUSE.objects.items() if id(kept.analysis) in STATE.seen}
            STATE.reuse = REUSE.pages
        pages = [
            *self.context.get("pages", []),
            *self.context.get("hidden_pages", []),
            *self.context.get("articles", []),
        ]
        citing: dict[str, list[dict[str, Any]]] = defaultdict(list)
        checked = []
        for page in pages:
            for key, entry in _citing(page):
                citing[key].append(entry)
            checked.append(_checked(page))
        memo = REUSE.links if STATE.reuse is not None else None
        STATE.collector.extend(pipeline.check_pages(checked, STATE.sources, STATE.settings, memo))
        if STATE.collector.errors:
            fail()  # before anything below relies on the pages being sound

        if STATE.append_notes:
            generated = self.context.setdefault("generated_content", {})
            for key in STATE.sources:
                generated[INTRASITE_ROOT.removeprefix("{filename}/") + render.source_path(key)] = _SourcePage(key)
        sources = sorted(STATE.sources.values(), key=lambda s: (s.outlet_label.lower(), s.title.lower(), s.key))
        outlets: dict[str, list[Source]] = defaultdict(list)
        for source in sources:
            outlets[source.outlet_label].append(source)
        kinds = STATE.settings["BIBCITE_KINDS"]
        self.context["bibcite"] = {
            "sources": sources,
            "citing": citing,
            "outlets": sorted(outlets.items(), key=lambda item: item[0].lower()),
            "kinds": {kind: meaning.split(":")[0] for kind, meaning in kinds.items()},
            "kind_meanings": dict(kinds),
            # HTML built from escaped parts; Markup tells Jinja's autoescaping so.
            "describe": lambda source: Markup(render.describe(source)),
            "badge": lambda source: Markup(render.badge(source)),
            "href": render.source_href,
            "bibtex": render.bibtex_text,
        }

    def generate_output(self, writer: Any) -> None:
        data = self.context["bibcite"]
        relative_urls = self.settings.get("RELATIVE_URLS")
        for source in data["sources"]:
            name = render.source_path(source.key)
            writer.write_file(
                name,
                self.get_template("source"),
                self.context,
                relative_urls=relative_urls,
                source=source,
                cited_in=data["citing"].get(source.key, []),
                page_name=name.removesuffix(".html"),
                url=render.source_href(source.key),
            )
        # The bibliography as open data, beside the sources index that links to it.
        sources_folder = Path(self.output_path) / "sources"
        sources_folder.mkdir(parents=True, exist_ok=True)
        exports = REUSE.exports if STATE.reuse is not None else None
        if exports is None:  # they depend on the bibliography and the settings only (the reuse token)
            newspaper = STATE.settings["BIBCITE_NEWSPAPER_KINDS"]
            exports = (export.csl_json(data["sources"], newspaper), export.bibtex(data["sources"]))
            if STATE.reuse is not None:
                REUSE.exports = exports
        (sources_folder / "sources.json").write_text(exports[0], encoding="utf-8")
        (sources_folder / "sources.bib").write_text(exports[1], encoding="utf-8")
        writer.write_file(
            "sources/index.html",
            self.get_template("sources"),
            self.context,
            relative_urls=relative_urls,
            page_name="sources/index",
            url="sources/index.html",
        )


def _kept_for(page: Any) -> KeptPage | None:
    """What is kept with *page*, if it is an object kept between builds (BIBCITE_REUSE)."""
    kept = REUSE.objects.get(page.source_path) if STATE.reuse is not None else None
    return kept if kept is not None and kept.page is page else None


def _citing(page: Any) -> list[tuple[str, dict[str, Any]]]:
    """Each note of *page*, as the source pages list it, by the key of its source (the same for a page
    object kept between builds)."""
    kept = _kept_for(page)
    if kept is not None and kept.citing is not None:
        return kept.citing
    url = page.url  # a property Pelican computes on every access; source pages list it often
    found = [(note.source.key, {"page": page, "url": url, "note": note}) for note in getattr(page, "notes", ())]
    if kept is not None:
        kept.citing = found
    return found


def _checked(page: Any) -> hooks.Page:
    """What the checks across pages see of *page* (the same object for a page object kept between builds)."""
    kept = _kept_for(page)
    if kept is not None and kept.checked is not None:
        return kept.checked
    data = getattr(page, "bibcite_data", {}) or {}
    checked = hooks.Page(
        relative(page.source_path, STATE.root),
        Path(page.source_path),
        page.save_as,
        getattr(page, "bibcite_html", "") + data.get("extra_links", ""),
        getattr(page, "notes", ()),
        frozenset(data.get("ids", ())),
        data,
    )
    if kept is not None:
        kept.checked = checked
    return checked


def fail() -> None:
    """Report every problem once and stop the build."""
    stop_reader()
    absorb()
    report()
    raise BuildFailed(f"{len(STATE.collector.errors)} error(s); see above")


def report() -> None:
    """Print the collected problems (once per build)."""
    absorb()
    if not STATE.reported:
        STATE.collector.report()
        STATE.reported = True


def finalized(pelican: Any) -> None:
    """Fail the build if anything went wrong while writing; list the warnings."""
    logging.getLogger("pelican").removeHandler(CAPTURE)
    absorb()
    if STATE.collector.errors:
        fail()
    report()


def register() -> None:
    """Connect the receivers (module-level functions: Pelican keeps weak references)."""
    signals.initialized.connect(initialized)
    signals.get_generators.connect(get_generators)
    signals.readers_init.connect(readers_init)
    signals.content_object_init.connect(content_object_init)
    signals.generator_init.connect(generator_init)
    signals.finalized.connect(finalized)
