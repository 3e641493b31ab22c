"""Citations for Pelican: numbered, footnoted, checked sources."""

from .plugin import register

__all__ = ["register"]
