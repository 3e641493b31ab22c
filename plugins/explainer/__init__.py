"""Annotate one numbered document clause by clause, on top of pelican-bibcite (site-local plugin)."""

from .plugin import register

__all__ = ["register"]
