"""Refuse hostile or unsafe Markdown: raw HTML outside a small allowlist, bad link schemes.

Runs on the raw text, so every problem has its real line and column; code
spans and code blocks are skipped, since there ``<script>`` is just text.
"""

from __future__ import annotations

import re

from .problems import Problem
from .syntax import LineIndex, _inside, code_spans

#: Raw HTML elements a contributor may write; everything else is an error.
ALLOWED_TAGS = frozenset({"abbr", "b", "br", "cite", "em", "i", "q", "s", "small", "span", "strong", "sub", "sup"})
#: Attributes allowed on those elements.
ALLOWED_ATTRS = frozenset({"class", "id", "lang", "title", "dir"})
#: A tag; browsers also end a tag name at "/", so ``<svg/onload=...>`` has an attribute.
TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[\s/][^<>]*)?)>")
COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
ATTR_RE = re.compile(r"([^\s=/>]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
#: Link destinations: inline ``](dest)``, reference definitions and autolinks.
LINK_RE = re.compile(
    r"\]\(\s*<?(?P<inline>(?:[^()\n<>]|\([^()\n]*\))*)|^ {0,3}\[[^\]]+\]:\s*<?(?P<ref>\S+?)>?(?:\s|$)|<(?P<auto>[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*)>",
    re.M,
)
SAFE_SCHEMES = ("http", "https", "mailto")
SCHEME_RE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*)\s*:")


def link_problem(dest: str) -> str | None:
    """Why link destination *dest* is refused, or None when it is safe."""
    # Browsers ignore control characters and whitespace inside a scheme name.
    squeezed = re.sub(r"[\x00-\x20]", "", dest)
    m = SCHEME_RE.match(squeezed)
    if m and m.group(1).lower() not in SAFE_SCHEMES:
        return f"link with the unsafe scheme {m.group(1).lower()!r}: {dest[:60]!r}"
    return None


def check_markdown(text: str, path: str, skip: list[tuple[int, int]] | None = None) -> list[Problem]:
    """Located problems for unsafe raw HTML and link schemes in *text* (*skip*: its code_spans())."""
    if skip is None:
        skip = code_spans(text)
    index = LineIndex(text)
    problems = []

    def add(offset: int, code: str, message: str, hint: str) -> None:
        line, col = index.locate(offset)
        problems.append(Problem(path, line, col, code, message, hint))

    comments = [(m.start(), m.end()) for m in COMMENT_RE.finditer(text)]
    for m in TAG_RE.finditer(text):
        if _inside(skip, m.start()) or any(a <= m.start() < b for a, b in comments):
            continue
        name = m.group(2).lower()
        if m.group(1):
            continue  # a closing tag: its opening tag is the one reported
        if name not in ALLOWED_TAGS:
            add(m.start(), "md.raw-html", f"raw HTML element <{name}> is not allowed",
                "write Markdown instead; allowed inline elements: " + ", ".join(sorted(ALLOWED_TAGS)))
            continue
        for attr in ATTR_RE.finditer(m.group(3) or ""):
            attr_name = attr.group(1).lower()
            if attr_name not in ALLOWED_ATTRS:
                add(m.start(3) + attr.start(), "md.raw-html",
                    f"attribute {attr_name!r} is not allowed on <{name}>",
                    "allowed attributes: " + ", ".join(sorted(ALLOWED_ATTRS)))
    for m in LINK_RE.finditer(text):
        group = next(g for g in ("inline", "ref", "auto") if m.group(g) is not None)
        if _inside(skip, m.start(group)):
            continue
        why = link_problem(m.group(group))
        if why:
            add(m.start(group), "md.link-scheme", why, "link only to http(s) addresses or to pages of this site")
    return problems
