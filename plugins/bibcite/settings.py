"""The plugin's settings: one table of defaults, merged and validated once."""

from __future__ import annotations

from typing import Any

#: name -> (default, description)
DEFAULTS: dict[str, tuple[Any, str]] = {
    "BIBCITE_BIBLIOGRAPHY": (["citations"], "BibTeX files or folders of *.bib files, relative to the repository root"),
    "BIBCITE_SOURCE_TEXTS": ("../shared/sources", "folder of the articles' texts for the quote check; '' skips it"),
    "BIBCITE_ROOT": (".", "repository root that problem paths are relative to"),
    "BIBCITE_PLAN_KEY": ("plan2025", "key of the plan's text, against which clause quotations are checked"),
    "BIBCITE_CLAUSES_PATH": ("clauses", "folder under PATH whose pages must be clause pages"),
    "BIBCITE_STRICT": (False, "this site's honesty rules: every source has a kind, and a title, author, outlet, "
                       "date and way to be found, or declares them unknown"),
    "BIBCITE_TEMPLATES": ({}, "template of each page that is not a clause, by file name without .md (else 'page')"),
}


class SettingsError(ValueError):
    """An unknown or mistyped BIBCITE_* setting."""


def merge(settings: dict[str, Any]) -> dict[str, Any]:
    """Return the plugin's settings with defaults filled in; reject unknown keys."""
    unknown = sorted(k for k in settings if k.startswith("BIBCITE_") and k not in DEFAULTS)
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")
    merged = {name: settings.get(name, default) for name, (default, _) in DEFAULTS.items()}
    if isinstance(merged["BIBCITE_BIBLIOGRAPHY"], str):
        raise SettingsError("BIBCITE_BIBLIOGRAPHY must be a list of paths, not a string")
    if "JINJA_ENVIRONMENT" in settings and not settings["JINJA_ENVIRONMENT"].get("autoescape"):
        raise SettingsError("JINJA_ENVIRONMENT must set 'autoescape': True: the theme relies on it to escape "
                            "page titles and BibTeX fields")
    return merged
