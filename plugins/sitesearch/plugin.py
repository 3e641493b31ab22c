"""Glue between Pelican and :mod:`sitesearch.index`: one receiver on ``finalized``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import signals

from .index import build, render

logger = logging.getLogger(__name__)

#: Settings this plugin reads, with their defaults.
DEFAULTS: dict[str, Any] = {
    # File written at the root of the output folder.
    "SITESEARCH_FILE": "search-index.js",
    # CSS selectors removed from every page before indexing, on top of index.EXCLUDE.
    "SITESEARCH_EXCLUDE": [],
}


def finalized(pelican: Any) -> None:
    """Read the HTML Pelican has written and write the search index beside it."""
    settings = {**DEFAULTS, **{k: v for k, v in pelican.settings.items() if k in DEFAULTS}}
    output = Path(pelican.output_path)
    index = build(
        output,
        site_name=pelican.settings.get("SITENAME", ""),
        default_description=pelican.settings.get("SITESUBTITLE", ""),
        exclude=list(settings["SITESEARCH_EXCLUDE"]),
    )
    target = output / settings["SITESEARCH_FILE"]
    target.write_bytes(render(index).encode("utf-8"))
    logger.info(
        "sitesearch: %d pages, %d units, %d bytes in %s",
        len(index["p"]),
        len(index["u"]),
        target.stat().st_size,
        target.name,
    )


def register() -> None:
    """Connect the receiver (a module-level function: Pelican keeps weak references)."""
    signals.finalized.connect(finalized)
