"""Glue between Pelican and the indexer: each page is indexed as Pelican writes it
(``content_written``, :mod:`sitesearch.extract`), and the index is written once every page
is there (``finalized``, :mod:`sitesearch.shards`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import signals

from .extract import Options
from .index import Collector
from .shards import write

logger = logging.getLogger(__name__)

#: Settings this plugin reads, with their defaults.
DEFAULTS: dict[str, Any] = {
    # File written at the root of the output folder.
    "SITESEARCH_FILE": "search-index.js",
    # CSS selectors removed from every page before indexing, on top of extract.EXCLUDE_*.
    "SITESEARCH_EXCLUDE": [],
    # Largest gzip size of the index in one file; above it, a head and shards loaded on demand. 0: never split.
    "SITESEARCH_SHARD_BYTES": 300 * 1024,
}


class Current:
    """The build in progress: a new one for every run, so that ``pelican --autoreload`` starts afresh."""

    collector: Collector | None = None


def settings_of(pelican: Any) -> dict[str, Any]:
    """This plugin's settings, defaults merged; a wrong one stops the build."""
    settings = {**DEFAULTS, **{k: v for k, v in pelican.settings.items() if k in DEFAULTS}}
    limit = settings["SITESEARCH_SHARD_BYTES"]
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"SITESEARCH_SHARD_BYTES must be a number of bytes (0: never split), not {limit!r}")
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
    Current.collector = new_collector(pelican)


def content_written(path: str, context: Any = None) -> None:
    """Index the page Pelican has just written, while it is in the page cache."""
    if Current.collector is not None:
        Current.collector.written(path)


def finalized(pelican: Any) -> None:
    """Write the search index beside the pages."""
    settings = settings_of(pelican)
    output = Path(pelican.output_path)
    collector = Current.collector
    if collector is None or collector.output != output:  # this run was not started by Pelican.run()
        collector = new_collector(pelican)
    Current.collector = None
    pages = collector.pages()
    written = write(pages, output, settings["SITESEARCH_FILE"], settings["SITESEARCH_SHARD_BYTES"])
    logger.info(
        "sitesearch: %d pages, %d units, %d bytes in %s and %d shards",
        len(pages),
        written.units,
        sum(path.stat().st_size for path in (written.main, *written.shards)),
        written.main.name,
        len(written.shards),
    )


def register() -> None:
    """Connect the receivers (module-level functions: Pelican keeps weak references)."""
    signals.get_generators.connect(get_generators)
    signals.content_written.connect(content_written)
    signals.finalized.connect(finalized)
