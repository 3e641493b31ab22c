"""The words search.js sees in a text: the Python twin of its ``fold()`` (pure).

search.js matches a query word against the words of the folded text: lower case
(each character on its own), compatibility-decomposed (NFKD), marks dropped, then
the same spellings read alike (VARIANTS), a hyphen between two letters dropped
("cease-fire" is "ceasefire") and digit grouping dropped ("600,000" is "600000"),
and the result cut at every character that is neither a letter nor a digit. A
sharded index tells search.js which shard holds which of these words
(:mod:`sitesearch.shards`), so this module must cut words exactly as search.js
does: a word it missed would be a result the search never finds. Keep the two in
step (tests/test_search_shards.py checks them against each other in Chromium).

Two details of JavaScript are reproduced: it lower-cases one character at a time
(so a final capital sigma becomes "σ", never "ς"), and its hyphen rule looks at one
UTF-16 unit on each side (so a letter outside the Basic Multilingual Plane does not
count as a letter there).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: search.js VARIANTS, in its order (the first that matches at a position applies).
VARIANTS = (
    ("zaporozh", "zaporizh"),
    ("dnipro", "dniaper"),
    ("zhzh", "zh"),
    ("yy", "y"),
    ("ss", "s"),
    ("ya", "ia"),
    ("ye", "ia"),
    ("ie", "ia"),
)
REPLACE = dict(VARIANTS)
#: A letter or digit that is one UTF-16 unit: [^\W_] is exactly Unicode's L and N categories.
BMP_WORD = "[^\\W_\U00010000-\U0010ffff]"
# Each branch opens with its own characters, so that the engine skips every other position fast.
CANON = re.compile(
    f"[-\u2010\u2011](?<={BMP_WORD}.)(?={BMP_WORD})"  # a hyphen inside a word
    "|[,.\u202f\u00a0 ](?<=[0-9].)(?=[0-9]{3}(?![0-9]))"  # digit grouping
    "|" + "|".join(re.escape(spelling) for spelling, _ in VARIANTS)
)
WORD = re.compile(r"[^\W_]+")
#: Whitespace after an ASCII character that is not a digit (the lookbehind after the first \s keeps the scan fast).
PIECES = re.compile(r"\s(?<=[\x00-\x2f\x3a-\x7f]\s)\s*")
#: Joins texts folded together: neither a letter, a hyphen nor a grouping character, so no rule reaches across it.
SEPARATOR = "\n"


def without_marks(text: str) -> str:
    """*text* without the characters of Unicode's M (mark) categories."""
    found = "".join(sorted(ch for ch in set(text) if not ch.isascii() and unicodedata.category(ch).startswith("M")))
    return re.sub(f"[{re.escape(found)}]+", "", text) if found else text


def canonical(match: re.Match[str]) -> str:
    return REPLACE.get(match.group(), "")


def fold(text: str) -> str:
    """*text* as search.js's fold() gives it."""
    if text.isascii():
        lower = text.lower()
    else:
        # Python lower-cases a final capital sigma to "ς"; one character at a time, as in JavaScript, it is "σ".
        lower = unicodedata.normalize("NFKD", text.replace("\u03a3", "\u03c3").lower())
        lower = without_marks(lower)
    return CANON.sub(canonical, lower)


def words(texts: Iterable[str]) -> set[str]:
    """The words search.js finds in *texts*.

    Each text is cut at whitespace first, and each distinct piece folded once (most are
    words seen before). A cut is safe where the character before the whitespace is ASCII
    but not a digit: no rule of search.js reads across such whitespace (digit grouping
    needs a digit before it; the hyphen rule, the spellings and the folding of each
    character do not involve it), and it stands between words either way.
    """
    pieces: set[str] = set()
    for text in texts:
        pieces.update(PIECES.split(text))
    return set(WORD.findall(fold(SEPARATOR.join(pieces))))
