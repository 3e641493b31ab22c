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
#: An image: the site publishes none (the sanitiser would drop it without a word).
IMAGE_RE = re.compile(r"(?<!\\)!\[[^\]\n]*\][ ]?[(\[]")
#: Python-Markdown's attr_list syntax, ``{: #id .class key=value}``.
ATTR_LIST_RE = re.compile(r"\{:?[ ]*([^}\n ][^}\n]*?)[ ]*\}")
#: What an attribute list may set (besides ``#id`` and ``.class``); the sanitiser drops the rest.
ATTR_LIST_TOKEN_RE = re.compile(r"""([^\s=}]+)(?:=("[^"]*"|'[^']*'|[^\s}]*))?""")
#: A fenced div line, whose braces are ours (checked by the div checks).
DIV_LINE_RE = re.compile(r"^[ ]{0,3}:::")
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
    """Located problems for unsafe raw HTML and link schemes in *text*, its header included.

    *skip*: the code spans of *text*, when the caller has them.
    """
    if skip is None:
        skip = code_spans(text, skip_header=False)
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
    for m in IMAGE_RE.finditer(text):
        if not _inside(skip, m.start()):
            add(m.start(), "md.image", "images are not published on this site",
                "describe what the image shows in words, and link to it if it matters")
    for m in ATTR_LIST_RE.finditer(text):
        if _inside(skip, m.start()) or not _is_attr_list(text, m):
            continue
        for token in ATTR_LIST_TOKEN_RE.finditer(m.group(1)):
            name = token.group(1)
            if name[0] in "#." or name.lower() in ALLOWED_ATTRS:
                continue
            add(m.start(1) + token.start(), "md.attribute", f"attribute {name!r} in an attribute list is not allowed",
                "attribute lists may set #id, .class, " + ", ".join(f"{a}=" for a in sorted(ALLOWED_ATTRS - {'id', 'class'})))
    for m in LINK_RE.finditer(text):
        group = next(g for g in ("inline", "ref", "auto") if m.group(g) is not None)
        if _inside(skip, m.start(group)):
            continue
        why = link_problem(m.group(group))
        if why:
            add(m.start(group), "md.link-scheme", why, "link only to http(s) addresses or to pages of this site")
    return problems


def _is_attr_list(text: str, m: re.Match[str]) -> bool:
    """Whether Python-Markdown's attr_list would read the braces *m* as attributes.

    It does at the end of a heading, on a line of their own at the end of a
    block, and right after an inline element (link, emphasis, code).
    """
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.end())
    line = text[line_start:line_end if line_end != -1 else len(text)]
    if DIV_LINE_RE.match(line):
        return False
    before = text[line_start:m.start()]
    after = text[m.end():line_end if line_end != -1 else len(text)]
    if not after.strip() and (not before.strip() or before.lstrip().startswith("#")):
        return True
    return m.start() > 0 and text[m.start() - 1] in ")*_`]>"
