"""The checks that need every page at once, shared by the build and a check run without Pelican.

`check_pages` runs after each page was read (document.analyse): sources
nobody cites, the other plugins' site checks, two pages writing one file, and
links between pages. `check_files` is a whole check run: it reads the
settings' bibliography and content the way the build does, without building.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import files, hooks, links
from .bibliography import load, uncited
from .document import Analysis, analyse, make_context
from .problems import ERROR, Collector, Problem, relative
from .settings import merge, policy, rules


def check_pages(
    pages: list[hooks.Page], sources: dict[str, Any], settings: dict[str, Any], memo: links.Memo | None = None
) -> list[Problem]:
    """Problems only the whole site shows (*memo*: each page's links, kept between builds)."""
    problems = uncited(sources, {note.source.key for page in pages for note in page.notes})
    site = hooks.SitePages(pages, sources, settings)
    found = hooks.REGISTRY.problems("site_check", site)
    problems.extend(found)
    reported = {p.path for p in found if p.severity == ERROR}
    clashes = files.check_outputs([(p.path, p.name) for p in pages], reported)
    problems.extend(clashes)
    # A page that would overwrite another is not a link target (its anchors would be the other's).
    clashing = {c.path for c in clashes}
    problems.extend(links.check([p for p in pages if p.path not in clashing], sources, site.extra_targets, memo))
    return problems


def markdown_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments Pelican's Markdown reader would pass to Markdown()."""
    configured = dict(settings.get("MARKDOWN", {}))
    configs = configured.get("extension_configs", {})
    extensions = list(configured.get("extensions", []))
    extensions += [name for name in configs if name not in extensions]
    if "markdown.extensions.meta" not in extensions:
        extensions.append("markdown.extensions.meta")
    return {**configured, "extensions": extensions, "extension_configs": configs}


def output_name(analysis: Analysis, source: Path, settings: dict[str, Any]) -> str:
    """Where the build writes this page: the name a metadata hook gives it, else PAGE_SAVE_AS of its file name."""
    metadata: dict[str, Any] = {"slug": source.stem}
    if analysis.document is not None:
        for function in hooks.REGISTRY.get("metadata"):
            function(analysis.document, metadata)
    pattern = settings.get("PAGE_SAVE_AS", "pages/{slug}.html")
    return str(metadata.get("save_as") or pattern.format(slug=metadata["slug"]))


def check_files(settings: dict[str, Any], settings_file: Path) -> tuple[Collector, int]:
    """Every check of a build, without building: the problems and the number of pages read."""
    merged = merge(settings)
    root = Path(merged["BIBCITE_ROOT"]).resolve()
    # abspath, not resolve(): a linked folder must be seen as the link it is (files.walk refuses links).
    content = Path(os.path.abspath(settings_file.parent / settings.get("PATH", "content")))
    collector = Collector(root)
    extra_fields = frozenset(f for fn in hooks.REGISTRY.get("entry_fields") for f in fn())
    sources, found = load(
        merged["BIBCITE_BIBLIOGRAPHY"], root, relative(settings_file, root), rules(merged, extra_fields)
    )
    collector.extend(found)
    reading = policy(merged)
    settings = {**settings, **merged, "PATH": str(content)}
    context, found = make_context(sources, markdown_settings(settings), settings, root, reading)
    collector.extend(found)
    page_folders = [content / sub for sub in settings.get("PAGE_PATHS", ["pages"])]
    if reading.untrusted:
        walked = files.walk(content, root, ".md", page_names=True)
        collector.extend(walked.problems)
        collector.extend(files.outside(walked.files, page_folders, root))
        candidates = list(walked.files)
    else:
        candidates = sorted(p for folder in page_folders for p in folder.rglob("*.md") if p.is_file())
    pages: dict[Path, Analysis] = {}
    for path in candidates:
        if not any(path.is_relative_to(folder) for folder in page_folders):
            continue  # Pelican reads pages only from PAGE_PATHS
        analysis = analyse(path.read_bytes(), files.shown(relative(path, root)), context)
        collector.extend(analysis.problems)
        pages[path] = analysis
    readable = [
        hooks.Page(
            a.path,
            p,
            output_name(a, p, settings),
            a.html + a.data.get("extra_links", ""),
            a.result.notes,
            frozenset(a.data.get("ids", ())),
            a.data,
        )
        for p, a in pages.items()
        if a.readable
    ]
    collector.extend(check_pages(readable, sources, settings))
    return collector, len(pages)
