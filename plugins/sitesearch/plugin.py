"""Glue between Pelican and the indexer: each page is indexed as Pelican writes it
(``content_written``, :mod:`sitesearch.extract`), and the index is written once every page
is there (``finalized``, :mod:`sitesearch.shards`). On a large site with a second core the
pages are indexed by a second process meanwhile (:mod:`sitesearch.worker`)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from pelican import signals

from .index import Collector
from .model import Options
from .shards import Prepared, summary, write
from .worker import Handle

logger = logging.getLogger(__name__)

#: Settings this plugin reads, with their defaults.
DEFAULTS: dict[str, Any] = {
    # File written at the root of the output folder.
    "SITESEARCH_FILE": "search-index.js",
    # CSS selectors removed from every page before indexing, on top of extract.EXCLUDE_*.
    "SITESEARCH_EXCLUDE": [],
    # Largest gzip size of the index in one file; above it, a head and shards loaded on demand. 0: never split.
    "SITESEARCH_SHARD_BYTES": 300 * 1024,
    # Pages written before a second process takes the indexing over (on a machine with more than one
    # core); the first ones wait in a list, so a small site never starts it. 0: never.
    "SITESEARCH_WORKER": 200,
    # True keeps each page's index entry between the builds of one process (the devserver): a page whose
    # file is the same one (size, modification time, inode: the devserver links unchanged pages) is not read again.
    "SITESEARCH_REUSE": False,
    # With SITESEARCH_REUSE, the folder of the last good build (the devserver's output, which tools.build
    # gives): a shard cut from the same pages as one there is linked from it rather than written again.
    "SITESEARCH_LAST_OUTPUT": None,
}


class Current:
    """The build in progress: a new one for every run, so that ``pelican --autoreload`` starts afresh."""

    collector: Collector | None = None
    #: pages written and not yet indexed, while there are fewer than SITESEARCH_WORKER
    waiting: list[str] = []
    #: pages before a worker starts (0: none will)
    threshold = 0
    worker: Handle | None = None
    #: with SITESEARCH_REUSE, the last build's pages as indexed, and what was worked out of them
    kept: Collector | None = None
    prepared: Prepared | None = None

    @classmethod
    def stop_worker(cls) -> None:
        if cls.worker is not None:
            cls.worker.stop()
        cls.worker = None


def cores() -> int:
    """The cores this process may run on (its affinity, where the system tells it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def settings_of(pelican: Any) -> dict[str, Any]:
    """This plugin's settings, defaults merged; a wrong one stops the build."""
    settings = {**DEFAULTS, **{k: v for k, v in pelican.settings.items() if k in DEFAULTS}}
    for name, meaning in (("SITESEARCH_SHARD_BYTES", "a number of bytes"), ("SITESEARCH_WORKER", "a number of pages")):
        value = settings[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be {meaning} (0: never), not {value!r}")
    return settings


def new_collector(pelican: Any) -> Collector:
    options = Options(
        site_name=pelican.settings.get("SITENAME", ""),
        default_description=pelican.settings.get("SITESUBTITLE", ""),
        exclude=tuple(settings_of(pelican)["SITESEARCH_EXCLUDE"]),
    )
    return Collector(Path(pelican.output_path), options)


def get_generators(pelican: Any) -> None:
    """Start a build's index (Pelican sends this signal at the start of every run); adds no generator."""
    Current.stop_worker()  # an earlier build of this process that failed before finishing
    settings = settings_of(pelican)
    Current.collector = collector = new_collector(pelican)
    kept = Current.kept
    if settings["SITESEARCH_REUSE"]:
        collector.keys = kept.keys if kept is not None and kept.keys is not None else {}
    if settings["SITESEARCH_REUSE"] and kept is not None and kept.options == collector.options:
        collector.found = dict(kept.found)  # by path; each entry holds while its file's stamp does
    else:
        Current.kept = Current.prepared = None
    Current.waiting = []
    # A worker reads every page again; with SITESEARCH_REUSE this process reads only what changed. It is handed
    # the build's temporary file by its descriptor (POSIX).
    parallel = cores() > 1 and not settings["SITESEARCH_REUSE"] and os.name == "posix"
    Current.threshold = settings["SITESEARCH_WORKER"] if parallel else 0


def content_written(path: str, context: Any = None) -> None:
    """Index the page Pelican has just written, while it is in the page cache: here, or in the worker
    once SITESEARCH_WORKER pages have been written."""
    collector = Current.collector
    if collector is None:
        return
    if Current.worker is not None:
        if not Current.worker.send(os.path.abspath(path)):
            logger.warning("sitesearch: the indexing process stopped (exit %s); indexing here", Current.worker.stop())
            Current.worker, Current.threshold = None, 0  # finalized() indexes what it had been sent
        return
    if not Current.threshold:
        if Current.kept is None:  # (with SITESEARCH_REUSE, finalized() looks at every page once anyway)
            collector.written(path)
        return
    Current.waiting.append(os.path.abspath(path))
    if len(Current.waiting) >= Current.threshold:
        try:
            Current.worker = Handle(collector.output, collector.options)
        except OSError as error:
            logger.warning("sitesearch: no indexing process (%s); indexing here", error)
            Current.threshold = 0
            return
        for waiting in Current.waiting:
            Current.worker.send(waiting)
        Current.waiting = []


def finalized(pelican: Any) -> None:
    """Write the search index beside the pages."""
    settings = settings_of(pelican)
    output = Path(pelican.output_path)
    collector = Current.collector
    if collector is None or collector.output != output:  # this run was not started by Pelican.run()
        collector = new_collector(pelican)
    worker, Current.collector, Current.worker, Current.waiting = Current.worker, None, None, []
    try:
        indexed = worker.finish() if worker is not None and collector.output == output else None
        if indexed is not None:  # the pages the worker indexed, their units in its spool: the index is written here
            collector.found, collector.on_page = indexed.found, indexed.prepared.add
            told = {**write_here(collector, settings, output, indexed.prepared), "peak_kb": indexed.peak_kb}
        else:  # no worker, or it failed: every page not indexed here is read now
            told = write_here(collector, settings, output)
    finally:
        if worker is not None:
            worker.stop()
    logger.info(
        "sitesearch: %d pages, %d units, %d bytes in %s and %d shards%s",
        told["pages"],
        told["units"],
        told["bytes"],
        told["main"],
        told["shards"],
        f"; the indexing process's peak memory {told['peak_kb']} KB" if "peak_kb" in told else "",
    )


def write_here(
    collector: Collector, settings: dict[str, Any], output: Path, prepared: Prepared | None = None
) -> dict[str, Any]:
    """Write the index of the pages indexed so far (what was worked out of them: *prepared*, else this process's),
    and of those not indexed yet; what was written."""
    name, limit = settings["SITESEARCH_FILE"], settings["SITESEARCH_SHARD_BYTES"]
    pages = collector.pages()
    prepared = prepared or Current.prepared or Prepared(reuse=settings["SITESEARCH_REUSE"])
    last = settings["SITESEARCH_LAST_OUTPUT"] if settings["SITESEARCH_REUSE"] else None
    written = write(pages, output, name, limit, prepared, Path(last) if last else None)
    if settings["SITESEARCH_REUSE"]:
        prepared.keep_only(pages)
        Current.kept, Current.prepared = collector, prepared
    return summary(pages, written)


def register() -> None:
    """Connect the receivers (module-level functions: Pelican keeps weak references)."""
    signals.get_generators.connect(get_generators)
    signals.content_written.connect(content_written)
    signals.finalized.connect(finalized)
