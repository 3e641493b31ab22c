"""Refuse hostile or unsafe Markdown before it is converted, each problem at its line and column.

Everything here runs on the raw text and in time linear in its length,
because contributors are strangers and CI builds their pull requests:

- a budget: Python-Markdown's link, HTML-block and attribute-list processors
  scan ahead from every ``[``, ``<`` and ``{`` they cannot close, so a page
  of such openers takes time quadratic in its paragraphs (16 KB of ``[`` took
  30 s); a paragraph length and a count of openers bound that cost, and a
  nesting depth bounds its recursion;
- raw HTML, read by a WHATWG tokenizer (htmltok) exactly as a browser reads it:
  only a few inline elements, with a few attributes, and plain comments;
- images and attribute lists, which the sanitiser would otherwise drop
  without a word.

A page with a problem found here is not converted at all (see document.analyse).
Links are checked on the converted tree (markdown_ext.LinkTreeprocessor), where
the destination is what the browser will follow. Code spans and code blocks
are skipped, since there ``<script>`` is just text.
"""

from __future__ import annotations

import re

from . import htmltok
from .problems import Problem
from .settings import Policy
from .syntax import LineIndex, fences

#: Raw HTML elements a contributor may write; everything else is an error.
ALLOWED_TAGS = frozenset({"abbr", "b", "br", "cite", "em", "i", "q", "s", "small", "span", "strong", "sub", "sup"})
#: Attributes allowed on those elements. Not id or class: the site's notes, badges and
#: anchors are found by them, so a contributor could fake a note or a source-kind badge.
ALLOWED_ATTRS = frozenset({"lang", "title", "dir"})
#: A paragraph longer than this is refused: Python-Markdown's inline processors scan each paragraph
#: once per unclosed opener. The longest paragraph of the real site has 3,934 characters.
MAX_PARAGRAPH = 8000
#: At most this many "[", "{" and "<" in a page (the real site's most is 79), which with
#: MAX_PARAGRAPH bounds Python-Markdown's time on a page of unclosed openers to about a second.
MAX_OPENERS = 800
#: Deeper nesting of lists or quotations than this is refused (Python-Markdown recurses per level).
MAX_DEPTH = 8
#: A block (lines between blank lines) longer than this is refused: Python-Markdown's list, definition
#: and heading processors re-split a block once per line. The real site's longest block has 6 lines.
MAX_BLOCK_LINES = 100
#: An image: the site publishes none (the sanitiser would drop it without a word).
IMAGE_RE = re.compile(r"(?<!\\)!\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\][ ]?[(\[]")
#: A Markdown autolink (``<https://...>``, ``<me@example.org>``): Markdown, not raw HTML.
#: Exactly Python-Markdown's (AUTOLINK_RE, and AUTOMAIL_RE narrowed to an address's own characters):
#: anything else that starts like a tag is read as one (``<script/x@y>`` is a script element).
AUTOLINK_RE = re.compile(
    r"<(?:(?:[Ff]|[Hh][Tt])[Tt][Pp][Ss]?://[^<>\s]*|mailto:[\w.+-]+@[\w.-]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>"
)
#: Python-Markdown's attr_list syntax, ``{: #id .class key=value}``; no "{" inside, so each scan ends
#: at the next brace and the whole search stays linear.
ATTR_LIST_RE = re.compile(r"\{:?[ ]*([^{}\n ][^{}\n]*)\}")
#: What an attribute list may set (besides ``#id``); the sanitiser drops the rest.
ATTR_LIST_TOKEN_RE = re.compile(r"""([^\s=}]+)(?:=("[^"\n]*"|'[^'\n]*'|[^\s}]*))?""")
#: Ids a contributor's heading may take: letters, digits and hyphens, no numbered tail
#: (note-3, cite-2a, reporting-4 are the site's own, and what other plugins reserve, such as point-21-b).
ID_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*")
#: The site's own ids, and heading ids whose paragraphs would be numbered into them (a heading "note"
#: numbers its paragraphs note-1, note-2...): never a contributor's, in an attribute list or the tree.
RESERVED_ID_RE = re.compile(r"(?:note|cite|source|notes|intro)(?:-.*)?|main")


def reserved_id(anchor: str, prefixes: tuple[str, ...] = ()) -> bool:
    """Whether *anchor* is one of bibcite's own ids, or starts with a prefix another plugin reserved."""
    return bool(RESERVED_ID_RE.fullmatch(anchor)) or any(anchor == p or anchor.startswith(p + "-") for p in prefixes)


#: A fenced div line, whose braces are ours (checked by the div checks).
DIV_LINE_RE = re.compile(r"^[ ]{0,3}:::")
#: What the published HTML may contain: what our Markdown and renderer produce, nothing more (nh3's allowlist).
SAFE_TAGS = frozenset(
    {
        "wbr",
        "a",
        "abbr",
        "aside",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "section",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
SAFE_ATTRIBUTES = {
    "*": {
        "id",
        "class",
        "title",
        "lang",
        "dir",
        "role",
        "aria-label",
        "aria-hidden",
        "aria-labelledby",
        "aria-describedby",
        "data-source",
    },
    "a": {"href"},
    "ol": {"start"},
    "li": {"value", "data-name"},
    "small": {"data-ref"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "scope", "align"},
    "abbr": {"title"},
}
SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
#: Link destinations: inline ``](dest)``, reference definitions and autolinks. Each alternative
#: is unambiguous (no two ways to match the same text), so the search is linear.
LINK_RE = re.compile(
    r"\]\(\s*<?(?P<inline>(?:[^()\n<>\s]|\([^()\n]*\))*)"
    r"|^ {0,3}\[[^\[\]]+\]:[ \t]*\n?[ \t]*<?(?P<ref>[^\s>]+)"
    r"|<(?P<auto>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>",
    re.M,
)
#: A Markdown footnote reference or definition, ``[^1]`` / ``[^1]:``; notes here come from citations only.
FOOTNOTE_RE = re.compile(r"(?<!\\)\[\^[^\]\n]+\]")
SAFE_SCHEMES = ("http", "https", "mailto")
#: Pelican's {static}, {attach}, {filename}, |filename| ... link syntax (INTRASITE_LINK_REGEX).
INTRASITE_RE = re.compile(r"^(?:\{[^}]*\}|\|[^|]*\|)")
BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
OPENER_RE = re.compile(r"[\[{<]")


def link_problem(dest: str) -> str | None:
    """Why link destination *dest* (as written, entities and all) is refused, or None when it is safe."""
    decoded = htmltok.unescape(dest, attribute=True)
    # Browsers drop tabs and newlines anywhere and control characters and spaces around the
    # address; dropping every one of them, anywhere, also catches what Markdown re-spaced.
    squeezed = re.sub(r"[\x00-\x20\x7f]", "", decoded)
    if INTRASITE_RE.match(squeezed):
        return f"Pelican's link syntax is not used here: {dest[:60]!r}"
    m = SCHEME_RE.match(squeezed)
    if m and m.group(1).lower() not in SAFE_SCHEMES:
        return f"link with the unsafe scheme {m.group(1).lower()!r}: {dest[:60]!r}"
    return None


def blank(text: str, ranges: list[tuple[int, int]]) -> str:
    """*text* with each range replaced by spaces, newlines kept, so offsets and lines stay true."""
    if not ranges:
        return text
    pieces = []
    last = 0
    for start, end in ranges:
        if start < last:
            start = last
        if end <= start:
            continue
        pieces.append(text[last:start])
        pieces.append(re.sub(r"[^\n]", " ", text[start:end]))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def check_budget(text: str, path: str) -> list[Problem]:
    """Paragraph length, openers and nesting within what Python-Markdown converts in linear time."""
    index = LineIndex(text)
    problems = []
    start = 0
    for m in [*BLANK_LINE_RE.finditer(text), None]:
        end = m.start() if m else len(text)
        if end - start > MAX_PARAGRAPH:
            line, _ = index.locate(start)
            problems.append(
                Problem(
                    path,
                    line,
                    1,
                    "md.too-complex",
                    f"paragraph of {end - start:,} characters (at most {MAX_PARAGRAPH:,})",
                    "split it into paragraphs at a blank line",
                )
            )
            break
        if text.count("\n", start, end) >= MAX_BLOCK_LINES:
            line, _ = index.locate(start)
            problems.append(
                Problem(
                    path,
                    line,
                    1,
                    "md.too-complex",
                    f"block of more than {MAX_BLOCK_LINES} lines without a blank line",
                    "separate paragraphs, list items and definitions with blank lines",
                )
            )
            break
        start = m.end() if m else end
    for count, m in enumerate(OPENER_RE.finditer(text), 1):
        if count > MAX_OPENERS:
            line, column = index.locate(m.start())
            problems.append(
                Problem(
                    path,
                    line,
                    column,
                    "md.too-complex",
                    f"more than {MAX_OPENERS} '[', '{{' and '<' in one page",
                    "split the page, or remove what was pasted in by mistake",
                )
            )
            break
    for number, row in enumerate(text.split("\n"), 1):
        depth = _depth(row)
        if depth > MAX_DEPTH:
            problems.append(
                Problem(
                    path,
                    number,
                    1,
                    "md.too-complex",
                    f"lists or quotations nested {depth} deep (at most {MAX_DEPTH})",
                    "flatten the structure",
                )
            )
            break
    return problems


def _depth(line: str) -> int:
    """How deep *line* is nested: each '>' and each four columns of indentation is a level."""
    depth = 0
    columns = 0
    for char in line:
        if char == ">":
            depth += 1
        elif char == " ":
            columns += 1
        elif char == "\t":
            columns += 4 - columns % 4
        else:
            break
    return depth + columns // 4


def check_markdown(
    text: str, path: str, skip: list[tuple[int, int]], policy: Policy | None = None, reserved: tuple[str, ...] = ()
) -> list[Problem]:
    """Located problems for unsafe links, raw HTML, footnotes, images and attribute lists in *text*.

    *skip*: the code spans and code blocks of *text* (not its header, which becomes HTML too).
    Links are always checked; the rest as *policy* says (default: a stranger's page).
    *reserved*: id prefixes other plugins keep for themselves.
    """
    policy = policy or Policy(raw_html=False, footnotes=False, untrusted=True)
    index = LineIndex(text)
    problems = []

    def add(offset: int, code: str, message: str, hint: str) -> None:
        line, col = index.locate(offset)
        problems.append(Problem(path, line, col, code, message, hint))

    prose = blank(text, skip)
    autolinks = [(m.start(), m.end()) for m in AUTOLINK_RE.finditer(prose)]
    refused: set[str] = set()
    for token in htmltok.tokenize(blank(prose, autolinks)) if not policy.raw_html else ():
        found = _html_problem(token)
        if found and not (token.kind == "end" and token.name in refused):  # one problem per element
            where, message, hint = found
            add(where, "md.raw-html", message, hint)
            refused.add(token.name)
    for m in LINK_RE.finditer(prose):
        group = next(g for g in ("inline", "ref", "auto") if m.group(g) is not None)
        why = link_problem(m.group(group))
        if why:
            code = "md.link-intrasite" if "link syntax" in why else "md.link-scheme"
            add(
                m.start(group),
                code,
                why,
                "link only to http(s) addresses, or to a page of this site by its address (page.html#id)",
            )
    if policy.untrusted:
        problems.extend(_untrusted(text, prose, path, index, reserved))
    for m in FOOTNOTE_RE.finditer(prose) if not policy.footnotes else ():
        add(
            m.start(),
            "cite.footnote",
            f"Markdown footnote {m.group(0)!r}: its note would have no source",
            "cite a source with [@key]; write an aside in the text itself",
        )
    return problems


def _untrusted(text: str, prose: str, path: str, index: LineIndex, reserved: tuple[str, ...]) -> list[Problem]:
    """What a stranger's page may not do: attributes on code fences, images, classes and the site's ids."""
    problems = []

    def add(offset: int, code: str, message: str, hint: str) -> None:
        line, col = index.locate(offset)
        problems.append(Problem(path, line, col, code, message, hint))

    for start, _, opening in fences(text):
        if "{" in text[start:opening]:
            add(
                start,
                "md.attribute",
                "attribute list on a fenced code block",
                "name the language only (```python), or nothing: ids and classes are set by the site",
            )
    for m in IMAGE_RE.finditer(prose):
        add(
            m.start(),
            "md.image",
            "images are not published on this site",
            "describe what the image shows in words, and link to it if it matters",
        )
    seen_ids: dict[str, int] = {}
    for m in ATTR_LIST_RE.finditer(prose):
        if not _is_attr_list(prose, m):
            continue
        for token in ATTR_LIST_TOKEN_RE.finditer(m.group(1)):
            name = token.group(1)
            offset = m.start(1) + token.start()
            if name.startswith("#"):
                why = _id_problem(name[1:], seen_ids, index.locate(offset)[0], reserved)
                if why:
                    add(
                        offset,
                        "md.attribute",
                        why,
                        "give a heading an id of lower-case words joined by hyphens, "
                        "e.g. {#what-changed}; ids ending in a number, or starting with note-, cite- or source- "
                        + "".join(f"or {p}- " for p in reserved)
                        + "are the site's own",
                    )
                else:
                    seen_ids[name[1:]] = index.locate(offset)[0]
            elif name.startswith("."):
                add(
                    offset,
                    "md.attribute",
                    f"class {name[1:40]!r} in an attribute list is not allowed",
                    "remove it: classes are set by the site (a class could make text look like a note or a badge)",
                )
            elif name.lower() not in ALLOWED_ATTRS:
                add(
                    offset,
                    "md.attribute",
                    f"attribute {name[:40]!r} in an attribute list is not allowed",
                    "attribute lists may set #id, " + ", ".join(f"{a}=" for a in sorted(ALLOWED_ATTRS)),
                )
    return problems


def _html_problem(token: htmltok.Token) -> tuple[int, str, str] | None:
    """Where and why a raw HTML token is refused, or None."""
    if token.kind == "end":
        if token.name not in ALLOWED_TAGS:
            return token.start, f"raw HTML closing tag </{token.name[:40]}> is not allowed", _tags_hint()
        return None
    if token.kind in ("comment", "bogus-comment", "doctype", "cdata"):
        if token.kind == "comment" and not (token.unterminated or token.abrupt or token.errors):
            return None  # a plain comment: the sanitiser removes it, as its writer meant
        return (
            token.start,
            "malformed HTML comment or declaration; a browser would read what follows differently",
            "write comments as <!-- text --> with no '--' inside, or remove it",
        )
    if token.name not in ALLOWED_TAGS:
        return token.start, f"raw HTML element <{token.name[:40]}> is not allowed", _tags_hint()
    if token.unterminated:
        return (
            token.start,
            f"raw HTML tag <{token.name}> is never closed with '>'",
            "close the tag, or escape the '<' as \\<",
        )
    for attr in token.attrs:
        if attr.name not in ALLOWED_ATTRS:
            return (
                attr.offset,
                f"attribute {attr.name[:40]!r} is not allowed on <{token.name}>",
                "allowed attributes: " + ", ".join(sorted(ALLOWED_ATTRS)),
            )
        if any(c in attr.raw for c in "<>\n{|"):
            return (
                attr.offset,
                f"attribute {attr.name!r} of <{token.name}> contains '<', '>', '{{', '|' or a new line",
                "write the value on one line without those characters",
            )
    if token.errors:
        return (
            token.start,
            f"malformed raw HTML tag <{token.name}> ({token.errors[0]})",
            'write the tag as <name attribute="value">',
        )
    return None


def _tags_hint() -> str:
    return "write Markdown instead; allowed inline elements: " + ", ".join(sorted(ALLOWED_TAGS))


def _id_problem(anchor: str, seen: dict[str, int], line: int, reserved: tuple[str, ...] = ()) -> str | None:
    """Why a contributor's ``#id`` is refused, or None."""
    if not ID_RE.fullmatch(anchor) or reserved_id(anchor, reserved) or re.search(r"-[0-9]", anchor):
        return f"id {anchor[:40]!r} is not allowed"
    if anchor in seen:
        return f"id {anchor!r} is already used on line {seen[anchor]}"
    return None


def _is_attr_list(text: str, m: re.Match[str]) -> bool:
    """Whether Python-Markdown's attr_list would read the braces *m* as attributes.

    It does at the end of a heading, on a line of their own at the end of a
    block, and right after an inline element (link, emphasis, code).
    """
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.end())
    line_end = len(text) if line_end == -1 else line_end
    if DIV_LINE_RE.match(text, line_start):
        return False
    before = text[line_start : m.start()]
    after = text[m.end() : line_end]
    if not after.strip() and (not before.strip() or before.lstrip().startswith("#")):
        return True
    return m.start() > 0 and text[m.start() - 1] in ")*_`]>"
