"""Content-hashed asset names for the hosted site, so assets can be cached for a year."""

from .plugin import register

__all__ = ["register"]
