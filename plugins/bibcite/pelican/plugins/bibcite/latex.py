"""BibTeX field values and name lists to Unicode text, as a careful editor would print them.

``decode`` turns a field value written in LaTeX (``Aks{\\i}n``, ``J.~Organomet. Chem.``,
``\\emph{De Anima}``, ``1736--1739``) into plain Unicode and into HTML whose only markup is
``<i>`` and ``<b>``.  ``names`` splits an author or editor list and parses each name into
given, particle (von), family and suffix (Jr) parts, following BibTeX's own rules (Oren
Patashnik, "Designing BibTeX Styles", and Nicolas Markey, "Tame the BeaST", on names).

The module is pure: it reads no file, runs nothing and keeps no unbounded state, so hostile
values (``\\input{/etc/passwd}``, ``\\write18{...}``, ``\\href{javascript:...}{x}``) come out
as inert text, and every command that could not be decoded is listed in ``leftovers`` so the
caller can warn about it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pylatexenc import latexwalker
from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    SpecialsTextSpec,
    get_default_latex_context_db,
)
from pylatexenc.macrospec import std_macro

__all__ = ["Name", "Names", "Text", "decode", "names"]


@dataclass(frozen=True)
class Text:
    """A decoded field value: plain Unicode, the same as HTML, and what could not be decoded."""

    #: Unicode text, for <title>, JSON, search and sorting
    plain: str
    #: the same text as escaped HTML; emphasis as <i>, bold as <b>, nothing else is markup
    html: str
    #: backslash commands or stray braces still present after decoding (for a warning)
    leftovers: tuple[str, ...] = ()


# -- decoding ------------------------------------------------------------------------------------

# Emphasis is carried through pylatexenc as private-use characters, turned into tags only after
# every piece of text has been escaped; the same characters in the input are replaced first, so
# a value can never forge a tag.
_I_OPEN, _I_CLOSE, _B_OPEN, _B_CLOSE = "\ue000", "\ue001", "\ue002", "\ue003"
_OPENERS = frozenset((_I_OPEN, _B_OPEN))
_MARKS = frozenset((_I_OPEN, _I_CLOSE, _B_OPEN, _B_CLOSE))
_FORGED_MARK_RE = re.compile("[\ue000-\ue003]")
_EMPTY_MARKS_RE = re.compile("\ue000([ \t\n\r\f\v]*)\ue001|\ue002([ \t\n\r\f\v]*)\ue003")
_TAGS = {_I_OPEN: "<i>", _I_CLOSE: "</i>", _B_OPEN: "<b>", _B_CLOSE: "</b>"}
#: Only ASCII whitespace is collapsed: a no-break space from ``~`` is meant.
_ASCII_SPACE = frozenset(" \t\n\r\f\v")
_SPACE_RUN_RE = re.compile(r"[ \t\n\r\f\v]+")
#: Anything that may need LaTeX decoding; a value without these is already plain text.
_NEEDS_LATEX_RE = re.compile(r"[\\{}~$]|--|``|''")
#: A percent sign not already escaped: in a .bib value it is a literal percent (as in a URL),
#: never a comment that should silently hide the rest of the line.
_BARE_PERCENT_RE = re.compile(r"(?<!\\)((?:\\\\)*)%")
#: The character sequences TeX's fonts turn into other characters (pylatexenc's "specials").
_LIGATURES = {
    "---": "\u2014",
    "--": "\u2013",
    "``": "\u201c",
    "''": "\u201d",
    "!`": "\u00a1",
    "?`": "\u00bf",
    "~": "\u00a0",
}
_LIGATURE_RE = re.compile("|".join(re.escape(k) for k in sorted(_LIGATURES, key=len, reverse=True)))
_BRACES_RE = re.compile("[{}]")
_COMMAND_RE = re.compile(r"\\(?:[A-Za-z@]+|.)", re.DOTALL)
#: In the verbatim argument of \url these escapes mean the character itself.
_URL_ESCAPE_RE = re.compile(r"\\([%#_&~$])")

_ITALIC = ("emph", "textit", "mkbibemph")
_BOLD = ("textbf",)
#: Macros whose argument is printed as it is (font changes, boxes, biblatex wrappers).
_PLAIN_ARG = (
    "textrm",
    "textsf",
    "texttt",
    "textsc",
    "textsl",
    "textup",
    "textmd",
    "textnormal",
    "text",
    "mbox",
    "hbox",
    "mkbibbold",
    "mkbibitalic",
    "mkbibacro",
    "autocap",
    "textsuperscript",
    "textsubscript",
    "mkbibsuperscript",
    "mkbibsubscript",
    "NoCaseChange",
    "nocase",
)
#: Font switches and spacing hints that change nothing a reader of plain text would see.
_SILENT = (
    "relax",
    "protect",
    "noindent",
    "xspace",
    "allowbreak",
    "nobreak",
    "/",
    "@",
    "-",
    "em",
    "it",
    "bf",
    "sl",
    "sc",
    "rm",
    "tt",
    "sf",
    "upshape",
    "itshape",
    "bfseries",
    "scshape",
    "slshape",
    "mdseries",
    "normalfont",
    "ttfamily",
    "rmfamily",
    "sffamily",
    "tiny",
    "scriptsize",
    "footnotesize",
    "small",
    "normalsize",
    "large",
    "Large",
    "LARGE",
    "huge",
    "Huge",
)
_WORDS = {
    "TeX": "TeX",
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2\u03b5",
    "BibTeX": "BibTeX",
    "XeTeX": "XeTeX",
    "LuaTeX": "LuaTeX",
    "S": "\u00a7",
    "P": "\u00b6",
    "copyright": "\u00a9",
    "pounds": "\u00a3",
    "textquotedbl": '"',
    "textunderscore": "_",
    "textbar": "|",
    "textless": "<",
    "textgreater": ">",
    "textasciicircum": "^",
    "hyphen": "-",
    "slash": "/",
    "\\": " ",
    "newline": " ",
    "par": " ",
    "textbackslash": "\\",
}
#: Macros that would read files, run commands, define macros or lay out a document: never
#: obeyed, shown as written and reported.  Those pylatexenc does not know at all are treated
#: the same way without being listed here.
_REFUSED = (
    "input",
    "include",
    "includeonly",
    "InputIfFileExists",
    "IfFileExists",
    "openin",
    "openout",
    "read",
    "write",
    "immediate",
    "newcommand",
    "renewcommand",
    "providecommand",
    "def",
    "edef",
    "gdef",
    "xdef",
    "let",
    "catcode",
    "csname",
    "usepackage",
    "documentclass",
    "special",
    "directlua",
    "title",
    "author",
    "date",
    "maketitle",
    "today",
    "item",
    "part",
    "chapter",
    "section",
    "subsection",
    "subsubsection",
    "paragraph",
    "subparagraph",
    "includegraphics",
    # pylatexenc drops these with their arguments: a name or words inside would vanish unnoticed.
    "hspace",
    "vspace",
    "hskip",
    "vskip",
    "kern",
    "phantom",
    "hphantom",
    "vphantom",
    "rule",
    "raisebox",
    "nolinebreak",
    "linebreak",
    "pagebreak",
    "nopagebreak",
    "label",
    "ref",
    "pageref",
    "cite",
    "footnote",
)
#: Argument shapes the parser must know so that the arguments belong to their macro.
_WALKER_MACROS = (
    *(
        std_macro(name, False, 1)
        for name in (
            "mkbibemph",
            *_PLAIN_ARG,
            "mkbibquote",
            "enquote",
            "uppercase",
            "MakeUppercase",
            "lowercase",
            "MakeLowercase",
        )
    ),
    std_macro("mkbibparens", False, 1),
    std_macro("mkbibbrackets", False, 1),
    std_macro("noopsort", False, 1),
    std_macro("sortnoop", False, 1),
    std_macro("href", "[{{"),
    std_macro("url", False, 1),
)


def _arg_text(node: latexwalker.LatexMacroNode, l2t: LatexNodes2Text, index: int = -1) -> str:
    args = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
    arg = args[index] if args and -len(args) <= index < len(args) else None
    return l2t.nodelist_to_text([arg]) if arg is not None else ""


def _wrap(before: str, after: str) -> Callable[..., str]:
    # pylatexenc passes the converter only to a parameter named l2tobj.
    return lambda n, l2tobj: before + _arg_text(n, l2tobj) + after


def _url(n: latexwalker.LatexMacroNode, l2tobj: _Converter) -> str:
    """The address of \\url as the text it is; never a link."""
    args = n.nodeargd.argnlist if n.nodeargd and n.nodeargd.argnlist else []
    if not args or args[0] is None:
        return ""
    source = args[0].latex_verbatim()
    if args[0].isNodeType(latexwalker.LatexGroupNode) and source.startswith("{") and source.endswith("}"):
        source = source[1:-1]
    text = _URL_ESCAPE_RE.sub(r"\1", source)
    l2tobj.leftovers.extend(_COMMAND_RE.findall(text) + re.findall(r"[{}]", text))
    return text


def _href(n: latexwalker.LatexMacroNode, l2tobj: _Converter) -> str:
    """\\href{address}{text} as "text (address)", both as text."""
    text = _arg_text(n, l2tobj)
    args = n.nodeargd.argnlist if n.nodeargd and n.nodeargd.argnlist else []
    address = next((a for a in args[:-1][::-1] if a is not None), None)
    shown = address.latex_verbatim().strip("{}") if address is not None else ""
    shown = _URL_ESCAPE_RE.sub(r"\1", shown)
    return f"{text} ({shown})" if shown else text


def _refuse(n: latexwalker.LatexMacroNode, l2tobj: _Converter) -> str:
    return l2tobj.shown_as_written(n)


@lru_cache(maxsize=1)
def _text_context() -> Any:  # a pylatexenc LatexContextDb
    """pylatexenc's text replacements, minus its placeholders, plus what .bib files use."""
    db = get_default_latex_context_db().filter_context(
        exclude_categories=["latex-placeholders", "latex-ethuebung", "nonstandard-qit"]
    )
    macros = [
        *(MacroTextSpec(name, simplify_repl=_wrap(_I_OPEN, _I_CLOSE)) for name in _ITALIC),
        *(MacroTextSpec(name, simplify_repl=_wrap(_B_OPEN, _B_CLOSE)) for name in _BOLD),
        *(MacroTextSpec(name, simplify_repl=_wrap("", "")) for name in _PLAIN_ARG),
        *(MacroTextSpec(name, simplify_repl="") for name in _SILENT),
        *(MacroTextSpec(name, simplify_repl=text) for name, text in _WORDS.items()),
        *(MacroTextSpec(name, simplify_repl=_refuse) for name in _REFUSED),
        MacroTextSpec("mkbibquote", simplify_repl=_wrap("\u201c", "\u201d")),
        *(
            MacroTextSpec(name, simplify_repl=lambda n, l2tobj: _arg_text(n, l2tobj).upper())
            for name in ("uppercase", "MakeUppercase")
        ),
        *(
            MacroTextSpec(name, simplify_repl=lambda n, l2tobj: _arg_text(n, l2tobj).lower())
            for name in ("lowercase", "MakeLowercase")
        ),
        MacroTextSpec("enquote", simplify_repl=_wrap("\u201c", "\u201d")),
        MacroTextSpec("mkbibparens", simplify_repl=_wrap("(", ")")),
        MacroTextSpec("mkbibbrackets", simplify_repl=_wrap("[", "]")),
        # BibTeX's sorting trick: the argument steers sorting and is never printed.
        MacroTextSpec("noopsort", simplify_repl=""),
        MacroTextSpec("sortnoop", simplify_repl=""),
        MacroTextSpec("url", simplify_repl=_url),
        # The link text, then the address as text: a value never decides where a click goes,
        # and the address is not dropped unseen.
        MacroTextSpec("href", simplify_repl=_href),
    ]
    # An unescaped & is a literal ampersand in a title, not a table column separator.
    specials = [SpecialsTextSpec("&", "&")]
    db.add_context_category("bibcite", macros=macros, environments=[], specials=specials, prepend=True)
    return db


@lru_cache(maxsize=1)
def _walker_context() -> Any:  # a pylatexenc LatexContextDb
    db = latexwalker.get_default_latex_context_db()
    db.add_context_category("bibcite", macros=_WALKER_MACROS, prepend=True)
    return db


class _Converter(LatexNodes2Text):
    """pylatexenc's converter, made to keep unknown commands visible and never read files."""

    def __init__(self) -> None:
        super().__init__(
            latex_context=_text_context(), math_mode="text", keep_comments=True, strict_latex_spaces="macros"
        )
        self.leftovers: list[str] = []

    def read_input_file(self, fn: str) -> str:
        """Never read a file, whatever a value asks."""
        return ""

    def shown_as_written(self, node: latexwalker.LatexMacroNode) -> str:
        """A command exactly as written, its arguments included, and noted as a leftover."""
        self.leftovers.append("\\" + node.macroname)
        args = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
        return "\\" + node.macroname + "".join(a.latex_verbatim() for a in args if a is not None)

    def _shown(self, node: Any) -> bool:
        """True for a command shown as written: unknown to pylatexenc, or refused."""
        if node is None or not node.isNodeType(latexwalker.LatexMacroNode):
            return False
        spec = self.latex_context.get_macro_spec(node.macroname)
        return spec is None or spec.simplify_repl is _refuse

    def macro_node_to_text(self, node: latexwalker.LatexMacroNode) -> str:
        """Known macros as pylatexenc renders them; unknown ones as written (pylatexenc drops them)."""
        if self._shown(node):
            return self.shown_as_written(node)
        return super().macro_node_to_text(node)

    def environment_node_to_text(self, node: latexwalker.LatexEnvironmentNode) -> str:
        """The environment's content, noting the environment itself as a leftover."""
        if self.latex_context.get_environment_spec(node.environmentname) is None:
            self.leftovers.append("\\begin{" + node.environmentname + "}")
        return super().environment_node_to_text(node)

    def nodelist_to_text(self, nodelist: list) -> str:
        """Like pylatexenc's, but braced groups right after a command shown as written keep their braces.

        The parser cannot know how many arguments an unknown command takes, so its arguments
        arrive as separate groups; shown with their braces, ``\\foo{x}`` and ``\\write18{x}``
        read as written.
        """
        s = ""
        prev: Any = None
        arguments = False  # still inside the arguments of a command shown as written
        for node in nodelist:
            if node is None:
                continue
            if self._shown(prev) and not prev.nodeargs:
                s += prev.macro_post_space
                arguments = not prev.macro_post_space
            elif (
                self._is_bare_macro_node(prev)
                and node.isNodeType(latexwalker.LatexCharsNode)
                and not self.strict_latex_spaces["between-macro-and-chars"]
            ):
                s += prev.macro_post_space
            if arguments and node.isNodeType(latexwalker.LatexGroupNode) and node.delimiters == ("{", "}"):
                s += "{" + self.nodelist_to_text(node.nodelist) + "}"
            else:
                # "\\write18{...}": a number glued to the command is part of it too.
                glued = node.isNodeType(latexwalker.LatexCharsNode) and not _SPACE_RUN_RE.search(node.chars)
                arguments = arguments and glued
                s += self.node_to_text(node)
            prev = node
        return s


def _stray_braces(value: str) -> list[str]:
    """Braces that close nothing or are never closed (escaped ``\\{`` and ``\\}`` excepted)."""
    stray: list[str] = []
    depth = 0
    escaped = False
    for ch in value:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth:
                depth -= 1
            else:
                stray.append("}")
    return stray + ["{"] * min(depth, 1)


def _collapse(marked: str) -> str:
    """Collapse ASCII whitespace runs to one space and trim, looking through emphasis marks.

    A space before an opening mark goes before the tag, one before a closing mark after it,
    so that ``a \\emph{ b}`` gives ``a <i>b</i>`` and the plain text has no double space.
    """
    out: list[str] = []
    pending = False
    after_space = True  # at the start, as after a space: leading spaces are dropped
    for ch in marked:
        if ch in _ASCII_SPACE:
            pending = pending or not after_space
        elif ch in _MARKS:
            if pending and ch in _OPENERS:
                out.append(" ")
                pending, after_space = False, True
            out.append(ch)
        else:
            if pending:
                out.append(" ")
                pending = False
            out.append(ch)
            after_space = False
    return "".join(out)


def _from_marked(marked: str, leftovers: list[str]) -> Text:
    # "\\emph{}" and "\\emph{ }" print nothing, not an empty <i></i> (innermost first).
    while _EMPTY_MARKS_RE.search(marked):
        marked = _EMPTY_MARKS_RE.sub(lambda m: m.group(1) or m.group(2) or "", marked)
    marked = _collapse(marked)
    plain = "".join(ch for ch in marked if ch not in _MARKS)
    pieces: list[str] = []
    start = 0
    for i, ch in enumerate(marked):
        if ch in _MARKS:
            pieces.append(html.escape(marked[start:i]))
            pieces.append(_TAGS[ch])
            start = i + 1
    pieces.append(html.escape(marked[start:]))
    return Text(plain, "".join(pieces), tuple(dict.fromkeys(leftovers)))


@lru_cache(maxsize=4096)
def _decode_latex(value: str) -> Text:
    source = _BARE_PERCENT_RE.sub(r"\1\\%", _FORGED_MARK_RE.sub("\ufffd", value))
    converter = _Converter()
    try:
        nodes = latexwalker.LatexWalker(source, latex_context=_walker_context(), tolerant_parsing=True)
        marked = converter.nodelist_to_text(nodes.get_latex_nodes()[0])
    except Exception:  # a third-party parser on untrusted text must never stop a build
        # Too deeply nested or otherwise beyond the parser: show the value as written.
        text = " ".join(_SPACE_RUN_RE.split(value)).strip()
        return Text(text, html.escape(text), tuple(dict.fromkeys(_COMMAND_RE.findall(text) + _stray_braces(text))))
    return _from_marked(marked, converter.leftovers + _stray_braces(source))


def _decode_braces(value: str) -> Text:
    """A value with no command and no math: case-protecting braces, dashes, ties and quotes only."""
    text = _BRACES_RE.sub("", _LIGATURE_RE.sub(lambda m: _LIGATURES[m.group()], value))
    text = _SPACE_RUN_RE.sub(" ", text).strip(" ")
    return Text(text, html.escape(text), tuple(dict.fromkeys(_stray_braces(value))))


def decode(value: str) -> Text:
    """Decode a BibTeX field value written in LaTeX into plain Unicode and safe HTML."""
    if not _NEEDS_LATEX_RE.search(value):
        # Most fields are plain; they must stay cheap and are never handed to the parser.
        text = _SPACE_RUN_RE.sub(" ", value).strip(" ")
        return Text(text, html.escape(text))
    if "\\" not in value and "$" not in value:
        # Braces and ligatures only (Zotero's "{{NASA}}"): what pylatexenc would give, without
        # its parser, which costs about half a millisecond a field.
        return _decode_braces(value)
    return _decode_latex(value)


# -- names ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    """One person or body, parsed as BibTeX parses names, each part decoded."""

    given: str = ""
    #: the "von" part: "von", "van der", "de"
    particle: str = ""
    family: str = ""
    #: the "Jr" part: "Jr.", "III"
    suffix: str = ""
    #: a corporate or otherwise braced name, printed as it is
    literal: str = ""

    def display(self) -> str:
        """The name as printed: "Given particle Family, Suffix", or the literal name."""
        if self.literal:
            return self.literal
        family = self.family
        if self.particle:
            # "d'" and "al-" join the family name without a space.
            glue = "" if self.particle.endswith(("'", "\u2019", "-")) or not family else " "
            family = self.particle + glue + family
        core = " ".join(part for part in (self.given, family) if part)
        return f"{core}, {self.suffix}" if self.suffix and core else core or self.suffix

    def sort_key(self) -> str:
        """A key for alphabetical order: family, given, suffix, then particle.

        This is biblatex's default (``useprefix=false``): "van Gennep" files under G.  Case and
        accents are folded; fields are joined by a tab, which sorts before any letter, so
        "Smith, John" comes before "Smithson, Adam".
        """
        if self.literal:
            return _fold(self.literal)
        return "\t".join(_fold(part) for part in (self.family, self.given, self.suffix, self.particle))


@dataclass(frozen=True)
class Names:
    """A parsed name list (author, editor…)."""

    names: tuple[Name, ...]
    #: the list ended with "and others"
    others: bool = False
    #: leftovers of decoding any of the names
    leftovers: tuple[str, ...] = ()

    def display(self) -> str:
        """The list as printed: "A", "A and B", "A, B and C", "A, B et al."."""
        shown = [name.display() for name in self.names]
        if self.others:
            return ", ".join(shown) + " et al." if shown else "et al."
        if len(shown) <= 2:
            return " and ".join(shown)
        return ", ".join(shown[:-1]) + " and " + shown[-1]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def _depths(value: str) -> list[int]:
    """The brace depth before each character (BibTeX counts every brace, escaped or not)."""
    depths: list[int] = []
    depth = 0
    for ch in value:
        depths.append(depth)
        if ch == "{":
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
    return depths


_AND_RE = re.compile(r"\s+and\s+", re.IGNORECASE)
_TOKEN_SEPARATORS = frozenset(" \t\n\r\f\v-~")
_EXTENDED_KEYS = frozenset({"family", "given", "prefix", "suffix", "useprefix", "sortingnamekeytemplate"})
_EXTENDED_PART_RE = re.compile(r"\s*([A-Za-z-]+)\s*=\s*(.*?)\s*", re.DOTALL)


def _split_at_depth0(value: str, pattern: re.Pattern[str]) -> list[str]:
    depths = _depths(value)
    parts: list[str] = []
    start = 0
    for m in pattern.finditer(value):
        if depths[m.start()] == 0 and m.start() >= start:
            parts.append(value[start : m.start()])
            start = m.end()
    parts.append(value[start:])
    return parts


def _whole_group(text: str) -> bool:
    """True when text is one braced group: "{World Health Organization}"."""
    if not text.startswith("{") or not text.endswith("}"):
        return False
    depth = 0
    for i, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i == len(text) - 1
    return False


_ENDS_WITH_COMMAND_RE = re.compile(r"\\(?:[A-Za-z]+|[^A-Za-z])$")
#: BibTeX's "foreign letters": a special character made of one of these has its case.
_FOREIGN_LETTERS = frozenset({"i", "j", "oe", "OE", "ae", "AE", "aa", "AA", "o", "O", "l", "L", "ss"})
_CONTROL_SEQUENCE_RE = re.compile(r"\\([A-Za-z]+|.?)", re.DOTALL)


def _group_end(token: str, start: int) -> int:
    """The index of the brace closing the group opened at *start* (or the token's end)."""
    depth = 0
    for j in range(start, len(token)):
        depth += {"{": 1, "}": -1}.get(token[j], 0)
        if depth == 0:
            return j
    return len(token)


def _first_letter_case(text: str) -> bool | None:
    """True if the first letter is lower case, False if it is not, None if there is no letter."""
    for ch in text:
        if ch.isalpha():
            return ch.islower()
    return None


def _is_von(token: str) -> bool:
    """True when the token starts with a lower-case letter, judged as BibTeX judges it.

    Braced groups at depth 0 are skipped (``{De}`` protects a word), except a "special
    character" ``{\\...}``: a foreign letter has its own case (``{\\ss}`` lower, ``{\\O}``
    upper), any other command the case of the first letter after it (``{\\"O}`` upper,
    ``{\\uppercase{d}e}`` lower, as in Tame the BeaST).  Going beyond BibTeX, like biber, an
    unbraced command (``\\c{C}``, ``\\"o``) and letters outside ASCII (``Élodie``) are judged
    by the letter they make.
    """
    i = 0
    while i < len(token):
        ch = token[i]
        if ch == "{":
            end = _group_end(token, i)
            group = token[i + 1 : end]
            if group.startswith("\\"):
                m = _CONTROL_SEQUENCE_RE.match(group)
                name = m.group(1) if m else ""
                if name in _FOREIGN_LETTERS:
                    return name.islower()
                return bool(_first_letter_case(group[m.end() if m else 0 :]))
            if _ENDS_WITH_COMMAND_RE.search(token, 0, i):  # the argument of an accent: \c{C}
                case = _first_letter_case(group)
                if case is not None:
                    return case
            i = end + 1
        elif ch == "\\":
            m = _CONTROL_SEQUENCE_RE.match(token, i)
            name = m.group(1) if m else ""
            if name in _FOREIGN_LETTERS:
                return name.islower()
            i = m.end() if m else i + 1
        elif ch.isalpha():
            return ch.islower()
        else:
            i += 1
    return False


def _tokens(part: str) -> tuple[list[tuple[int, int]], list[str], list[int]]:
    """Tokens of a name (their spans), the separator before each, and where the commas fall.

    As in BibTeX, tokens are separated at brace depth 0 by white space, "-" and "~"; the
    separator recorded for a token is the first character that ended the previous one.  As in
    TeX (and biber, which decodes before it parses), the space after a control word belongs to
    it, so ``Aks\\i n`` is one word.
    """
    spans: list[tuple[int, int]] = []
    seps: list[str] = []
    commas: list[int] = []
    depth = 0
    start: int | None = None
    sep = ""
    command = 0  # 1 just after a backslash, 2 within a control word's letters
    for i, ch in enumerate(part):
        if command == 2 and ch in _ASCII_SPACE:
            continue
        if depth == 0 and (ch in _TOKEN_SEPARATORS or ch == ","):
            if start is not None:
                spans.append((start, i))
                start = None
                sep = " " if ch in _ASCII_SPACE else ch
            if ch == ",":
                commas.append(len(spans))
                sep = ","
            command = 0
            continue
        if start is None:
            start = i
            seps.append(sep)
        if ch == "{":
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        if ch == "\\" and command != 1:
            command = 1
        elif command and ch.isascii() and ch.isalpha():
            command = 2
        else:
            command = 0
    if start is not None:
        spans.append((start, len(part)))
    return spans, seps, commas


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def _parse_raw(raw: str) -> dict[str, str]:
    """Split one name, still in LaTeX, into its BibTeX parts."""
    if _whole_group(raw):
        return {"literal": raw}
    pieces = _split_at_depth0(raw, re.compile(","))
    extended = [_EXTENDED_PART_RE.fullmatch(piece) for piece in pieces]
    if all(m and m.group(1).lower() in _EXTENDED_KEYS for m in extended):
        # biblatex's extended name format: family=Heuvel, given=Charles, prefix=van den
        fields = {m.group(1).lower(): _unquote(m.group(2)) for m in extended if m}
        return {
            "given": fields.get("given", ""),
            "particle": fields.get("prefix", ""),
            "family": fields.get("family", ""),
            "suffix": fields.get("suffix", ""),
        }

    spans, seps, commas = _tokens(raw)

    def text(first: int, end: int) -> str:
        return raw[spans[first][0] : spans[end - 1][1]] if first < end else ""

    def particle(first: int, end: int) -> str:
        # A hyphen joining the von part to Last ("al-Hakim") stays, so the two print joined.
        return text(first, end) + ("-" if first < end < n and seps[end] == "-" else "")

    def von_end(von_start: int, last_end: int) -> int:
        # The von part ends after its last lower-case token; the last token is always Last.
        end = last_end - 1
        while end > von_start and not _is_von(raw[slice(*spans[end - 1])]):
            end -= 1
        return end

    n = len(spans)
    if not commas:  # First von Last
        von_start = next((k for k in range(n - 1) if _is_von(raw[slice(*spans[k])])), None)
        if von_start is None:
            # No von: Last is the last token, with any tokens hyphenated to it ("Smith-Jones").
            von_start = max(n - 1, 0)
            while von_start > 0 and seps[von_start] == "-":
                von_start -= 1
            end = von_start
        else:
            end = von_end(von_start, n)
        return {"given": text(0, von_start), "particle": particle(von_start, end), "family": text(end, n)}
    last_end = commas[0]
    jr_end = commas[1] if len(commas) > 1 else last_end
    end = von_end(0, last_end) if last_end else 0
    # More than two commas is an error in BibTeX; the rest stays with the given names.
    return {
        "given": text(jr_end, n),
        "particle": particle(0, end),
        "family": text(end, last_end),
        "suffix": text(last_end, jr_end),
    }


@lru_cache(maxsize=2048)
def names(value: str) -> Names:
    """Parse a BibTeX name list ("Doe, Jr., John and {World Health Organization} and others")."""
    raws = [raw.strip() for raw in _split_at_depth0(value, _AND_RE)]
    raws = [raw for raw in raws if raw]
    others = bool(raws) and raws[-1].lower() == "others"
    if others:
        raws.pop()
    parsed: list[Name] = []
    leftovers: list[str] = []
    for raw in raws:
        pieces = _split_at_depth0(raw, re.compile(","))
        keyed = [(m := _EXTENDED_PART_RE.fullmatch(p)) and m.group(1).lower() in _EXTENDED_KEYS for p in pieces]
        if any(keyed) and not all(keyed):
            leftovers.append(f"a name mixing key=value parts with others {raw[:40]!r}")
        elif not any(keyed) and len(pieces) > 3:
            leftovers.append(f"more than two commas in the name {raw[:40]!r}")  # an error in BibTeX itself
        parts = {}
        for key, latex in _parse_raw(raw).items():
            decoded = decode(latex)
            parts[key] = decoded.plain.strip()
            leftovers.extend(decoded.leftovers)
        name = Name(**parts)
        if name.display():
            parsed.append(name)
    return Names(tuple(parsed), others, tuple(dict.fromkeys(leftovers)))
