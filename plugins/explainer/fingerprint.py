"""Fingerprints of the sources' texts: the quote, verbatim and copy checks without the texts themselves.

The articles are not ours to copy into the repository, but a contributor on a
fork (and CI anywhere) must run the same checks. A fingerprint is committed
instead, one JSON file per source under ``fingerprints/``:

- ``sha256``: of the source's normalised text, to tell which snapshot it was
  made from (and that a local copy of the text is still that snapshot);
- ``filter``: a Bloom filter of the hashed word 1-, 2- and 3-grams (lower case,
  punctuation aside), false positive rate 1/64 per lookup; a quotation of n
  words is found when its n-gram (n <= 3) or each of its trigrams is in the
  filter. Trigrams are tested one by one, without positions, so a quotation
  that joins two genuine passages overlapping by two words passes, and one
  whose last word is wrong passes one time in 64;
- ``points`` (the annotated document only): a SHA-256 of each point's text as
  the completeness check compares it.

What it reveals: whether a given phrase of up to three words is in the text,
with one false "yes" in 64. No text and no positions are stored, but the 1-,
2- and 3-gram lookups together leave few false candidates for the next word
of a known phrase: starting from a guessed opening, a dictionary search
recovers short passages word by word (a second reader recovered runs of about
eight words, up to 22). The method page says so.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from dataclasses import dataclass, field

VERSION = 1
SALT = b"explainer-fingerprint-v1\x00"
LONGEST = 3
FALSE_POSITIVE_RATE = 1 / 64
#: A fingerprint file larger than this is refused (a real one is a few tens of kilobytes).
MAX_BYTES = 2_000_000


class FingerprintError(ValueError):
    """A fingerprint file that is not one."""


def digest(gram: str) -> bytes:
    """The salted hash of one word n-gram (words joined by single spaces)."""
    return hashlib.sha256(SALT + gram.encode("utf-8")).digest()


def grams(words: list[str]) -> list[str]:
    """Every 1-, 2- and 3-gram of *words*."""
    return [" ".join(words[i : i + n]) for n in range(1, LONGEST + 1) for i in range(len(words) - n + 1)]


@dataclass
class Fingerprint:
    """A source's fingerprint, loaded or made."""

    key: str
    sha256: str
    words: int
    size: int
    hashes: int
    bits: bytearray
    points: dict[int, str] = field(default_factory=dict)

    def _indices(self, hashed: bytes) -> list[int]:
        first = int.from_bytes(hashed[:8], "big")
        step = int.from_bytes(hashed[8:16], "big") | 1
        return [(first + i * step) % self.size for i in range(self.hashes)]

    def has(self, hashed: bytes) -> bool:
        """Whether the gram of this digest is (probably) in the text."""
        return all(self.bits[i >> 3] >> (i & 7) & 1 for i in self._indices(hashed))

    def _add(self, hashed: bytes) -> None:
        for i in self._indices(hashed):
            self.bits[i >> 3] |= 1 << (i & 7)

    def has_words(self, words: list[str]) -> bool:
        """Whether *words* occur in this order in the text (see the module's note on false positives)."""
        if not words:
            return False
        if len(words) <= LONGEST:
            return self.has(digest(" ".join(words)))
        return all(self.has(digest(" ".join(words[i : i + LONGEST]))) for i in range(len(words) - LONGEST + 1))

    def to_json(self) -> str:
        data = {
            "version": VERSION,
            "key": self.key,
            "sha256": self.sha256,
            "words": self.words,
            "bits": self.size,
            "hashes": self.hashes,
            "filter": base64.b64encode(bytes(self.bits)).decode("ascii"),
        }
        if self.points:
            data["points"] = {str(n): value for n, value in sorted(self.points.items())}
        return json.dumps(data, indent=1, sort_keys=True) + "\n"


def make(key: str, text: str, words: list[str], points: dict[int, str] | None = None) -> Fingerprint:
    """The fingerprint of *text* (normalised), whose words are *words*; *points*: hashes of its points."""
    unique = sorted(set(grams(words)))
    size = max(64, math.ceil(-len(unique) * math.log(FALSE_POSITIVE_RATE) / math.log(2) ** 2))
    hashes = max(1, round(size / max(len(unique), 1) * math.log(2)))
    made = Fingerprint(key, sha256(text), len(words), size, hashes, bytearray((size + 7) // 8), dict(points or {}))
    for gram in unique:
        made._add(digest(gram))
    return made


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def loads(raw: bytes, key: str) -> Fingerprint:
    """Read a fingerprint file; FingerprintError says what is wrong with it."""
    if len(raw) > MAX_BYTES:
        raise FingerprintError(f"file is {len(raw):,} bytes (a fingerprint is a few tens of kilobytes)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FingerprintError(f"not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise FingerprintError(f"not a fingerprint of version {VERSION}")
    if data.get("key") != key:
        raise FingerprintError(f"made for the key {str(data.get('key'))[:60]!r}, not {key!r}")
    try:
        bits = bytearray(base64.b64decode(data["filter"], validate=True))
        size, hashes = int(data["bits"]), int(data["hashes"])
        points = {int(n): str(value) for n, value in dict(data.get("points", {})).items()}
        found = Fingerprint(key, str(data["sha256"]), int(data["words"]), size, hashes, bits, points)
    except (KeyError, TypeError, ValueError) as exc:
        raise FingerprintError(f"a field is missing or malformed ({type(exc).__name__}: {exc})") from None
    if not 0 < size <= len(bits) * 8 or not 0 < hashes <= 32 or len(found.sha256) != 64:
        raise FingerprintError("its sizes do not fit its filter")
    return found
