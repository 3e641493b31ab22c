"""Full-text search for Pelican that works from disk: a plain-script index written after the build."""

from .plugin import register

__all__ = ["register"]
