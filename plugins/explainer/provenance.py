"""Which commit a build comes from, and its date: the same for every build of that commit.

The date is the last commit's (or SOURCE_DATE_EPOCH when set, as reproducible
builds define it), never the clock's, so two builds of one commit print the
same date. Reading it never fails: without git, or outside a git checkout, the
commit is unknown and the date falls back to one the caller gives (the newest
page's), and the print edition's colophon says so instead of stopping the build.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

COMMIT_RE = re.compile(r"[0-9a-f]{40}")


class Provenance(NamedTuple):
    """Where a build comes from."""

    #: the commit's 40 hex digits, or "" when unknown (no git, not a checkout)
    commit: str
    #: whether tracked files differ from the commit
    dirty: bool
    #: the build's time, in seconds since 1970
    epoch: int
    #: where the time comes from: "SOURCE_DATE_EPOCH", "commit" or "pages"
    date_from: str

    @property
    def date(self) -> str:
        """The build's time as ISO 8601 in UTC ("2026-12-02T10:00:00Z")."""
        return datetime.fromtimestamp(self.epoch, UTC).isoformat().replace("+00:00", "Z")

    @property
    def day(self) -> str:
        """The build's day in words ("2 December 2026")."""
        when = datetime.fromtimestamp(self.epoch, UTC)
        return f"{when.day} {when:%B %Y}"


def git(root: Path, *args: str) -> str | None:
    """The output of a git command run in *root*, or None if git is missing or fails."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def read(root: Path, fallback_epoch: int = 0, environ: Mapping[str, str] = os.environ) -> Provenance:
    """The commit checked out where *root* is, and the build's time (*fallback_epoch* without either)."""
    head = git(root, "rev-parse", "HEAD") or ""
    commit = head if COMMIT_RE.fullmatch(head) else ""
    dirty = bool(commit) and bool(git(root, "status", "--porcelain", "--untracked-files=no"))
    stamp = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if stamp.isdigit():
        return Provenance(commit, dirty, int(stamp), "SOURCE_DATE_EPOCH")
    when = git(root, "log", "-1", "--format=%ct") if commit else None
    if when and when.isdigit():
        return Provenance(commit, dirty, int(when), "commit")
    return Provenance(commit, dirty, fallback_epoch, "pages")
