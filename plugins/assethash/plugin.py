"""Rename CSS and JS to ``name.<hash>.ext`` and rewrite every reference in the HTML.

Runs on pelican-granular-signals' ``optimize`` signal: after every
``finalized`` receiver (the search index is written there) and before
pelican-precompress compresses the files on ``compress``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import blinker
import pelican.plugins.granular_signals as granular_signals

HASH_LENGTH = 10
#: Files whose names get a hash, relative to the output folder.
PATTERNS = ("theme/**/*.css", "theme/**/*.js", "*.js")
HASHED_RE = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}\.(?:css|js)$")


def hashed_name(path: Path) -> str:
    """``site.css`` -> ``site.0123456789.css`` from the file's SHA-256."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
    return f"{path.stem}.{digest}{path.suffix}"


def fingerprint(output: Path) -> dict[str, str]:
    """Rename the assets under *output*; return old -> new relative paths."""
    renames: dict[str, str] = {}
    for pattern in PATTERNS:
        for path in sorted(output.glob(pattern)):
            if HASHED_RE.search(path.name):
                continue
            new = path.with_name(hashed_name(path))
            path.rename(new)
            renames[path.relative_to(output).as_posix()] = new.relative_to(output).as_posix()
    if not renames:
        return renames
    # Longest first, so "theme/js/search.js" is never half-replaced by a shorter name.
    names = "|".join(re.escape(name) for name in sorted(renames, key=len, reverse=True))
    reference = re.compile(rf'(?P<head>(?:href|src)="(?:[^"]*/)?)(?P<name>{names})"')
    for page in sorted(output.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        new_text = reference.sub(lambda m: f'{m.group("head")}{renames[m.group("name")]}"', text)
        if new_text != text:
            page.write_text(new_text, encoding="utf-8")
    return renames


def optimize(pelican: Any) -> None:
    """Receiver for the ``optimize`` signal."""
    fingerprint(Path(pelican.output_path))


def register() -> None:
    """Make sure the granular signals exist, then connect."""
    granular_signals.register()
    blinker.signal("optimize").connect(optimize)
