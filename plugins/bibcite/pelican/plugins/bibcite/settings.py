"""The plugin's settings: one table of defaults, merged and validated once.

The defaults suit an ordinary Pelican site written by its own authors: raw
HTML and Markdown footnotes work as Pelican's Markdown reader makes them, only
a title is required of a source, and sources have no kinds. A site that takes
pages from strangers turns the checks on (see the README).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .bibliography import CORE_FIELDS, Rules
from .header import PAGE_FIELDS

#: name -> (default, description)
DEFAULTS: dict[str, tuple[Any, str]] = {
    "BIBCITE_BIBLIOGRAPHY": (["citations"], "BibTeX files or folders of *.bib files, relative to BIBCITE_ROOT"),
    "BIBCITE_REUSE": (
        False,
        "True keeps each page's reading between the builds of one process (the devserver): a page whose "
        "bytes, bibliography, settings and declared inputs are unchanged is not read again",
    ),
    "BIBCITE_PARALLEL": (
        200,
        "with at least this many Markdown files and a second core, a second process reads pages "
        "while the build reads the rest (0: never; never with BIBCITE_REUSE)",
    ),
    "BIBCITE_ROOT": (".", "the folder problem paths are relative to (the repository root)"),
    "BIBCITE_REQUIRED_FIELDS": (
        ["title"],
        "fields every entry gives or declares unknown: title, author, outlet, date, url, kind",
    ),
    "BIBCITE_KINDS": ({}, "kinds of source shown as a badge: name -> 'Label: meaning' (empty: no kinds)"),
    "BIBCITE_NEWSPAPER_KINDS": ([], "kinds whose articles and web pages are newspaper articles in CSL-JSON"),
    "BIBCITE_RAW_HTML": (True, "False refuses raw HTML in Markdown and sanitises every page (nh3)"),
    "BIBCITE_FOOTNOTES": (True, "False refuses Markdown footnotes ([^1]): every note then has a source"),
    "BIBCITE_REQUIRE_AUTOESCAPE": (False, "True refuses to build unless JINJA_ENVIRONMENT sets autoescape"),
    "BIBCITE_UNTRUSTED_CONTENT": (
        False,
        "True treats every content file as a stranger's: only Markdown is read, "
        "no links are followed, the header is an allowlist, raw HTML and footnotes are "
        "refused, and input that would slow Markdown down is refused",
    ),
    "BIBCITE_HEADER_FIELDS": (None, "with BIBCITE_UNTRUSTED_CONTENT: the header fields a page may set"),
    "BIBCITE_DIVS": ({}, "Pandoc fenced divs (::: {.name}) allowed: name -> 'tag.class' they become"),
    "BIBCITE_MARGIN_NOTES": (
        False,
        "True repeats each note's source beside its marker (for themes that show it in "
        "the margin; hidden from screen readers)",
    ),
    "BIBCITE_TEMPLATES": ({}, "with BIBCITE_UNTRUSTED_CONTENT: template of a page by its file name (else 'page')"),
}


class SettingsError(ValueError):
    """An unknown or mistyped BIBCITE_* setting."""


@dataclass(frozen=True)
class Policy:
    """How strictly pages are read; built once from the settings."""

    #: raw HTML in Markdown is published (no sanitiser)
    raw_html: bool = True
    #: Markdown footnotes are allowed
    footnotes: bool = True
    #: every content file is a stranger's (see DEFAULTS)
    untrusted: bool = False
    #: the header fields a page may set, None for any
    header_fields: tuple[str, ...] | None = None
    #: fenced div class -> (tag, class it gets)
    divs: tuple[tuple[str, str, str], ...] = ()
    #: each marker is followed by a margin note naming its source
    margin_notes: bool = False

    @property
    def sanitise(self) -> bool:
        """Pages go through the sanitiser when raw HTML is refused."""
        return not self.raw_html

    def div(self, name: str) -> tuple[str, str] | None:
        """(tag, class) of fenced div class *name*, or None when it is not allowed."""
        return next(((tag, cls) for n, tag, cls in self.divs if n == name), None)


def merge(settings: dict[str, Any]) -> dict[str, Any]:
    """Return the plugin's settings with defaults filled in; reject unknown or mistyped ones."""
    unknown = sorted(k for k in settings if k.startswith("BIBCITE_") and k not in DEFAULTS)
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")
    merged = {name: settings.get(name, default) for name, (default, _) in DEFAULTS.items()}
    parallel = merged["BIBCITE_PARALLEL"]
    if isinstance(parallel, bool) or not isinstance(parallel, int) or parallel < 0:
        raise SettingsError(f"BIBCITE_PARALLEL must be a number of pages (0: never), not {parallel!r}")
    if isinstance(merged["BIBCITE_BIBLIOGRAPHY"], str):
        raise SettingsError("BIBCITE_BIBLIOGRAPHY must be a list of paths, not a string")
    wrong = sorted(set(merged["BIBCITE_REQUIRED_FIELDS"]) - {*CORE_FIELDS, "kind"})
    if wrong:
        raise SettingsError(f"BIBCITE_REQUIRED_FIELDS: unknown field(s) {', '.join(wrong)}")
    if "kind" in merged["BIBCITE_REQUIRED_FIELDS"] and not merged["BIBCITE_KINDS"]:
        raise SettingsError("BIBCITE_REQUIRED_FIELDS requires a kind but BIBCITE_KINDS names none")
    for name, target in merged["BIBCITE_DIVS"].items():
        tag, _, _ = str(target).partition(".")
        if tag not in ("div", "section", "aside", "blockquote", "figure") or not name.isidentifier():
            raise SettingsError(
                f"BIBCITE_DIVS: {name!r} -> {target!r} is not 'name: tag.class' with tag div, "
                "section, aside, blockquote or figure"
            )
    if settings.get("CACHE_CONTENT") or settings.get("LOAD_CONTENT_CACHE"):
        raise SettingsError(
            "CACHE_CONTENT and LOAD_CONTENT_CACHE must be False: a page read from Pelican's cache skips "
            "bibcite's reader, so its problems would not be reported and its notes could be stale"
        )
    needs_escape = merged["BIBCITE_REQUIRE_AUTOESCAPE"] or merged["BIBCITE_UNTRUSTED_CONTENT"]
    if needs_escape and not settings.get("JINJA_ENVIRONMENT", {}).get("autoescape"):
        raise SettingsError(
            "JINJA_ENVIRONMENT must set 'autoescape': True: the theme relies on it to escape "
            "page titles and BibTeX fields"
        )
    return merged


def policy(merged: dict[str, Any]) -> Policy:
    """The reading policy of merged settings."""
    untrusted = bool(merged["BIBCITE_UNTRUSTED_CONTENT"])
    fields = merged["BIBCITE_HEADER_FIELDS"]
    divs = []
    for name, target in merged["BIBCITE_DIVS"].items():
        tag, _, cls = str(target).partition(".")
        divs.append((name, tag, cls or name))
    return Policy(
        raw_html=bool(merged["BIBCITE_RAW_HTML"]) and not untrusted,
        footnotes=bool(merged["BIBCITE_FOOTNOTES"]) and not untrusted,
        untrusted=untrusted,
        header_fields=(tuple(f.lower() for f in fields or PAGE_FIELDS) if untrusted else None),
        divs=tuple(divs),
        margin_notes=bool(merged["BIBCITE_MARGIN_NOTES"]),
    )


def rules(merged: dict[str, Any], extra_fields: frozenset[str] = frozenset()) -> Rules:
    """What the site requires of its bibliography entries."""
    return Rules(
        required=frozenset(merged["BIBCITE_REQUIRED_FIELDS"]), kinds=dict(merged["BIBCITE_KINDS"]), fields=extra_fields
    )
