"""Find the tags, attributes and comments a browser would see in raw HTML.

Contributors' Markdown may carry raw HTML, and contributors are assumed to be
hostile: the safety check must see every tag a browser would see, with the
same name and the same attributes, or a ``<x:img src=x onerror=...>``,
``<svg/onload=...>`` or ``<!--> <img ...> -->`` slips through.  A regular
expression cannot promise that; this module follows the WHATWG tokenizer
(https://html.spec.whatwg.org/multipage/parsing.html#tokenization) state by
state: data, tag open, end tag open, tag name, the attribute states, self-closing
start tag, markup declaration open, bogus comment and all the comment states.

It runs in time linear in the length of the text whatever the text is: text
between tags, comments and bogus comments are skipped with ``str.find``, runs
inside a tag are matched with single character-class regexes (which cannot
backtrack), and nothing is scanned twice.

Deliberately left out:

* The tree builder.  The tokenizer always returns to the data state after a
  start tag, so the RCDATA, RAWTEXT, script data and PLAINTEXT states are not
  implemented: the caller refuses ``<script>``, ``<style>``, ``<textarea>``,
  ``<title>`` and the like, whose content a browser would read differently.
  Foreign content is not modelled either, so ``<![CDATA[`` is the bogus comment
  it is in HTML content, never a CDATA section (the caller refuses ``<svg>`` and
  ``<math>``).
* Text.  Character data is skipped; only the tokens around it are yielded.
* DOCTYPE internals.  A DOCTYPE always ends at the next ``>`` (every DOCTYPE
  state ends there); only its name is read, public and system identifiers are not.
* Character-reference parse errors.  References in attribute values are decoded
  as the spec decodes them inside attributes, but their errors are not reported.

Unlike a browser, which silently drops a tag cut off by the end of the input,
this module yields it with ``unterminated`` set: the text checked here is
embedded in a larger page, where such a tag would swallow whatever follows.

The text should have had its newlines normalised (CRLF and CR to LF), as the
browser's input stream does.  A CR left in the text is nevertheless treated as
the LF the browser would have made of it, so offsets stay true to the given text.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.entities import html5 as _ENTITIES

__all__ = ["Attr", "Token", "tokenize", "unescape"]


@dataclass(frozen=True, slots=True)
class Attr:
    """One attribute of a tag, as the browser will see it."""

    #: Lower-cased, as the spec's tokenizer produces it.
    name: str
    #: The value with character references decoded as the spec does inside attributes.
    value: str
    #: The value exactly as written, without the quotes.
    raw: str
    #: Offset of the attribute name's first character in the text.
    offset: int


@dataclass(frozen=True, slots=True)
class Token:
    """One non-text token: a tag, a comment, a bogus comment, a DOCTYPE or a CDATA section."""

    #: "start", "end", "comment", "bogus-comment", "doctype" or "cdata".
    kind: str
    #: Lower-cased tag name, the DOCTYPE's name, or "" for comments.
    name: str
    #: The attributes in source order; later duplicates are dropped, as in the spec.
    attrs: tuple[Attr, ...]
    #: Offset of the "<".
    start: int
    #: Offset just after the closing ">", or len(text) when the input ends inside the token.
    end: int
    self_closing: bool = False
    #: The input ended inside this token (in a tag, a comment, an attribute value...).
    unterminated: bool = False
    #: A comment closed abruptly: "<!-->" or "<!--->".
    abrupt: bool = False
    #: Spec parse-error ids met inside the token, each once, in order of appearance.
    errors: tuple[str, ...] = ()


_ALPHA = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ALNUM = _ALPHA | frozenset("0123456789")
# Only ASCII letters are folded: str.lower() would turn U+212A KELVIN SIGN into "k".
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# CR counts as whitespace because the browser's input stream turns it into LF.
_WHITESPACE = frozenset("\t\n\f\r ")

# Each pattern is one character class under "*" with nothing after it, so a match never backtracks.
_WS_RUN = re.compile(r"[\t\n\f\r ]*")
_TAG_NAME_RUN = re.compile(r"[^\t\n\f\r />]*")
_ATTR_NAME_RUN = re.compile(r"[^\t\n\f\r />=]*")
_UNQUOTED_RUN = re.compile(r"[^\t\n\f\r >]*")
_DECIMAL_RUN = re.compile(r"[0-9]*")
_HEX_RUN = re.compile(r"[0-9A-Fa-f]*")

_BAD_IN_UNQUOTED = re.compile("[\"'<=`]")

# Reference names are alphanumeric; the longest identifier in the table bounds the look-ahead.
_MAX_ENTITY = max(len(name) for name in _ENTITIES)
_ENTITY_NAME_RUN = re.compile(rf"[0-9A-Za-z]{{0,{_MAX_ENTITY}}}")
# The legacy names that the spec also recognises without a ";".
_LEGACY = frozenset(name for name in _ENTITIES if not name.endswith(";"))
_MAX_LEGACY = max(len(name) for name in _LEGACY)


def _run(pattern: re.Pattern[str], text: str, start: int, stop: int | None = None) -> re.Match[str]:
    """The match of *pattern*, a run that may be empty, at *start* (and before *stop*)."""
    m = pattern.match(text, start, len(text) if stop is None else stop)
    assert m is not None, pattern.pattern  # every run pattern matches the empty string
    return m


def _run_end(pattern: re.Pattern[str], text: str, start: int, stop: int | None = None) -> int:
    """Where the run of *pattern* that starts at *start* ends."""
    return _run(pattern, text, start, stop).end()


def _c1_table() -> dict[int, str]:
    """The spec's remapping of numeric references to 0x80-0x9F, which is windows-1252's."""
    table = {}
    for code in range(0x80, 0xA0):
        # The five bytes windows-1252 leaves undefined stay the C1 controls they name.
        with contextlib.suppress(UnicodeDecodeError):
            table[code] = bytes([code]).decode("cp1252")
    return table


_C1 = _c1_table()


def _codepoint(digits: str, base: int) -> str:
    """The character a numeric reference with *digits* stands for."""
    significant = digits.lstrip("0")
    # Anything longer is above U+10FFFF in either base; int() on a long run would be quadratic.
    code = 0x110000 if len(significant) > 8 else int(significant or "0", base)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return _C1.get(code) or chr(code)


def _reference(raw: str, amp: int, attribute: bool) -> tuple[str, int]:
    """Decode the character reference starting at the "&" at *amp*: its text, and where scanning resumes."""
    n = len(raw)
    i = amp + 1
    if i < n and raw[i] == "#":
        j = i + 1
        is_hex = j < n and raw[j] in "xX"
        if is_hex:
            j += 1
        m = _run(_HEX_RUN if is_hex else _DECIMAL_RUN, raw, j)
        if m.end() == j:
            # absence-of-digits: "&#" or "&#x" stays as written.
            return raw[amp:j], j
        k = m.end()
        if k < n and raw[k] == ";":
            k += 1
        return _codepoint(m.group(), 16 if is_hex else 10), k
    m = _run(_ENTITY_NAME_RUN, raw, i)
    name = m.group()
    if not name:
        return "&", i
    k = m.end()
    if k < n and raw[k] == ";" and name + ";" in _ENTITIES:
        return _ENTITIES[name + ";"], k + 1
    # Otherwise the longest match is a legacy name without ";" ("&notin" without ";" is "&not" + "in").
    for length in range(min(len(name), _MAX_LEGACY), 0, -1):
        prefix = name[:length]
        if prefix in _LEGACY:
            after = i + length
            if attribute and after < n and (raw[after] == "=" or raw[after] in _ALNUM):
                # "for historical reasons": ?a=1&copy=2 keeps its "&copy" in an attribute.
                return raw[amp:after], after
            return _ENTITIES[prefix], after
    return raw[amp:k], k


def unescape(raw: str, *, attribute: bool = False) -> str:
    """Decode the character references in *raw* as the spec does, in an attribute value or in text.

    Unlike ``html.unescape`` this leaves ``&copy=`` alone inside an attribute and keeps
    control characters from numeric references, as browsers do.
    """
    amp = raw.find("&")
    if amp < 0:
        return raw
    out = []
    pos = 0
    while amp >= 0:
        out.append(raw[pos:amp])
        decoded, pos = _reference(raw, amp, attribute)
        out.append(decoded)
        amp = raw.find("&", pos)
    out.append(raw[pos:])
    return "".join(out)


# Parse errors are gathered in a dict used as an ordered set: a tag may repeat one 100,000 times.
_Errors = dict[str, None]


def _attr_value(raw: str, errors: _Errors) -> str:
    """The value the browser gives an attribute written as *raw*."""
    if "\0" in raw:
        errors["unexpected-null-character"] = None
        raw = raw.replace("\0", "\ufffd")
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return unescape(raw, attribute=True) if "&" in raw else raw


def _name(raw: str, errors: _Errors) -> str:
    """A tag, attribute or DOCTYPE name as the tokenizer builds it from *raw*."""
    if "\0" in raw:
        errors["unexpected-null-character"] = None
        raw = raw.replace("\0", "\ufffd")
    # str.lower() is exact, and quicker, on ASCII; elsewhere only A-Z may change.
    return raw.lower() if raw.isascii() else raw.translate(_LOWER)


class _NextFinder:
    """The next occurrence of a fixed string at or after a position that only moves forward.

    Remembering the last answer keeps repeated look-ups linear: without it, a run of
    comments closed by "--!>" would each search to the end for a "-->" that never comes.
    """

    __slots__ = ("_text", "_needle", "_searched_from", "_found")

    def __init__(self, text: str, needle: str) -> None:
        self._text = text
        self._needle = needle
        self._searched_from = -1
        self._found = -1

    def __call__(self, pos: int) -> int:
        if self._searched_from >= 0 and pos >= self._searched_from and (self._found < 0 or self._found >= pos):
            return self._found
        self._searched_from = pos
        self._found = self._text.find(self._needle, pos)
        return self._found


def _tag(text: str, start: int, kind: str) -> Token:
    """The start or end tag whose "<" is at *start* (its name's first letter already checked)."""
    n = len(text)
    errors: _Errors = {}
    name_at = start + 1 if kind == "start" else start + 2
    p = _run_end(_TAG_NAME_RUN, text, name_at)
    name = _name(text[name_at:p], errors)
    attrs: list[Attr] = []
    seen: set[str] = set()
    self_closing = False
    end = -1
    # The loop's top is the "before attribute name" state, which also covers "after tag name".
    while True:
        if p < n and text[p] in _WHITESPACE:
            p = _run_end(_WS_RUN, text, p)
        if p >= n:
            break
        c = text[p]
        if c == ">":
            end = p + 1
            break
        if c == "/":
            # Self-closing start tag state: anything but ">" is reconsumed as the next attribute.
            if p + 1 >= n:
                p = n
                break
            if text[p + 1] == ">":
                self_closing = True
                end = p + 2
                break
            errors["unexpected-solidus-in-tag"] = None
            p += 1
            continue
        attr_at = p
        attr_name, raw, p = _attribute(text, p, errors)
        _keep_attribute(attrs, seen, Attr(attr_name, raw, raw, attr_at), errors)
    unterminated = end < 0
    if unterminated:
        errors["eof-in-tag"] = None
        end = n
    if kind == "end":
        if attrs:
            errors["end-tag-with-attributes"] = None
        if self_closing:
            errors["end-tag-with-trailing-solidus"] = None
    return Token(kind, name, tuple(attrs), start, end, self_closing, unterminated, False, tuple(errors))


def _keep_attribute(attrs: list[Attr], seen: set[str], found: Attr, errors: _Errors) -> None:
    """Add *found* (its value still raw) to *attrs* unless an attribute of that name came before."""
    # The spec drops a duplicate on leaving the attribute name state, before its value is read.
    if found.name in seen:
        errors["duplicate-attribute"] = None
        if "\0" in found.raw:
            # A dropped duplicate's value is still read, errors and all.
            errors["unexpected-null-character"] = None
        return
    seen.add(found.name)
    attrs.append(Attr(found.name, _attr_value(found.raw, errors), found.raw, found.offset))


def _attribute(text: str, p: int, errors: _Errors) -> tuple[str, str, int]:
    """The attribute whose name starts at *p*: its name, its raw value, and where it ends."""
    n = len(text)
    attr_at = p
    if text[p] == "=":
        errors["unexpected-equals-sign-before-attribute-name"] = None
        p += 1
    p = _run_end(_ATTR_NAME_RUN, text, p)
    raw_name = text[attr_at:p]
    if '"' in raw_name or "'" in raw_name or "<" in raw_name:
        errors["unexpected-character-in-attribute-name"] = None
    attr_name = _name(raw_name, errors)
    # After attribute name state: whitespace may separate the name from its "=".
    q = _run_end(_WS_RUN, text, p) if p < n and text[p] in _WHITESPACE else p
    if q < n and text[q] == "=":
        raw, p = _attribute_value(text, q + 1, errors)
        return attr_name, raw, p
    return attr_name, "", q


def _attribute_value(text: str, p: int, errors: _Errors) -> tuple[str, int]:
    """The raw value after an attribute's "=" at *p* - 1, and where it ends."""
    n = len(text)
    if p < n and text[p] in _WHITESPACE:
        p = _run_end(_WS_RUN, text, p)
    if p >= n:
        return "", p
    if text[p] == '"' or text[p] == "'":
        close = text.find(text[p], p + 1)
        if close < 0:
            return text[p + 1 :], n
        # After attribute value (quoted) state.
        after = close + 1
        if after < n and text[after] not in _WHITESPACE and text[after] != "/" and text[after] != ">":
            errors["missing-whitespace-between-attributes"] = None
        return text[p + 1 : close], after
    if text[p] == ">":
        errors["missing-attribute-value"] = None
        return "", p
    value_end = _run_end(_UNQUOTED_RUN, text, p)
    raw = text[p:value_end]
    if _BAD_IN_UNQUOTED.search(raw):
        errors["unexpected-character-in-unquoted-attribute-value"] = None
    return raw, value_end


def _comment(text: str, start: int, close: _NextFinder) -> Token:
    """The comment whose "<!--" is at *start*; *close* finds the next "-->"."""
    n = len(text)
    body = start + 4
    # Comment start and comment start dash states: the opener's dashes can close it.
    first = text[body : body + 2]
    if first[:1] == ">":
        return Token("comment", "", (), start, body + 1, False, False, True, ())
    if first == "->":
        return Token("comment", "", (), start, body + 2, False, False, True, ())
    # From here on only "--" followed by ">" or "!>" ends it (comment end and comment end bang
    # states), and every such pair does, whatever state the first "-" is read in.
    errors: _Errors = {}
    dashes = close(body)
    # Only a "--!>" before that "-->" matters; bounding the search keeps it from rescanning the text.
    bang = text.find("--!>", body, dashes + 3) if dashes >= 0 else text.find("--!>", body)
    if bang >= 0:
        errors["incorrectly-closed-comment"] = None
        end = bang + 4
    elif dashes >= 0:
        end = dashes + 3
    else:
        end = n
    # Comment less-than sign states: "<!--" inside is an error unless ">" or the end of input follows.
    nested = text.find("<!--", body, end)
    while nested >= 0:
        if nested + 4 < n and text[nested + 4] != ">":
            errors["nested-comment"] = None
            break
        nested = text.find("<!--", nested + 1, end)
    if text.find("\0", body, end) >= 0:
        errors["unexpected-null-character"] = None
    unterminated = dashes < 0 and bang < 0
    if unterminated:
        errors["eof-in-comment"] = None
    return Token("comment", "", (), start, end, False, unterminated, False, tuple(errors))


def _bogus(text: str, start: int, data_at: int, kind: str, error: str) -> Token:
    """A bogus comment (or what HTML content makes of CDATA) from *start* to the next ">"."""
    errors: _Errors = {error: None}
    close = text.find(">", data_at)
    end = close + 1 if close >= 0 else len(text)
    if text.find("\0", data_at, end) >= 0:
        errors["unexpected-null-character"] = None
    return Token(kind, "", (), start, end, unterminated=close < 0, errors=tuple(errors))


def _doctype(text: str, start: int) -> Token:
    """The DOCTYPE whose "<!" is at *start*: it always ends at the next ">"."""
    n = len(text)
    errors: _Errors = {}
    p = start + 9
    close = text.find(">", p)
    stop = close if close >= 0 else n
    if p < stop and text[p] not in _WHITESPACE:
        errors["missing-whitespace-before-doctype-name"] = None
    q = _run_end(_WS_RUN, text, p, stop)
    name_end = _run_end(_UNQUOTED_RUN, text, q, stop)
    name = _name(text[q:name_end], errors)
    if not name and close >= 0:
        errors["missing-doctype-name"] = None
    if text.find("\0", name_end, stop) >= 0:
        errors["unexpected-null-character"] = None
    if close < 0:
        errors["eof-in-doctype"] = None
    end = close + 1 if close >= 0 else n
    return Token("doctype", name, (), start, end, unterminated=close < 0, errors=tuple(errors))


def _markup_declaration(text: str, lt: int, close: _NextFinder) -> Token:
    """The comment, doctype, CDATA section or bogus comment whose "<!" is at *lt*."""
    if text.startswith("--", lt + 2):
        return _comment(text, lt, close)
    if text[lt + 2 : lt + 9].translate(_LOWER) == "doctype":
        return _doctype(text, lt)
    if text.startswith("[CDATA[", lt + 2):
        return _bogus(text, lt, lt + 2, "cdata", "cdata-in-html-content")
    return _bogus(text, lt, lt + 2, "bogus-comment", "incorrectly-opened-comment")


def tokenize(text: str) -> Iterator[Token]:
    """Yield the non-text tokens of *text* in order (character data is skipped)."""
    n = len(text)
    close = _NextFinder(text, "-->")
    pos = 0
    while True:
        lt = text.find("<", pos)
        # A "<" that ends the input is text (eof-before-tag-name).
        if lt < 0 or lt + 1 >= n:
            return
        c = text[lt + 1]
        if c in _ALPHA:
            token = _tag(text, lt, "start")
        elif c == "/":
            after = text[lt + 2] if lt + 2 < n else ""
            if after in _ALPHA:
                token = _tag(text, lt, "end")
            elif after == ">":
                # missing-end-tag-name: "</>" is dropped altogether.
                pos = lt + 3
                continue
            elif not after:
                # eof-before-tag-name: "</" at the end is text.
                return
            else:
                token = _bogus(text, lt, lt + 2, "bogus-comment", "invalid-first-character-of-tag-name")
        elif c == "!":
            token = _markup_declaration(text, lt, close)
        elif c == "?":
            # The "?" is part of the bogus comment's data.
            token = _bogus(text, lt, lt + 1, "bogus-comment", "unexpected-question-mark-instead-of-tag-name")
        else:
            # invalid-first-character-of-tag-name: the "<" is text and the next character is reconsumed.
            pos = lt + 1
            continue
        yield token
        pos = token.end
