"""Full-text search for Pelican that works from disk: a plain-script index written after the build."""

from typing import Any

__all__ = ["register"]


def register() -> Any:
    """Pelican's entry point (:func:`sitesearch.plugin.register`), imported only then: the indexing
    process (``python -m sitesearch``) runs without Pelican."""
    from .plugin import register

    return register()
