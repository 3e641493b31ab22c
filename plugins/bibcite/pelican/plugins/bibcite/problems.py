"""Located problems: what every check in the plugin reports, and the collector."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

ERROR = "error"
WARNING = "warning"
#: printed for information; neither fails the build nor counts as a warning
NOTE = "note"


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem, printed as ``path:line:col: message [code]``."""

    #: path relative to the repository root, with forward slashes
    path: str
    #: 1-based line number (0 when the problem concerns the whole file)
    line: int
    #: 1-based column number
    column: int
    #: stable identifier such as ``cite.unknown-key``, documented in CONTRIBUTING.md
    code: str
    #: one-line description that quotes the offending input
    message: str
    #: how to fix it; may be empty
    hint: str = ""
    #: ``error`` fails the build; ``warning`` is listed at the end
    severity: str = ERROR

    def format(self) -> str:
        """Render as a compiler-style line, with the hint on its own line.

        Control characters from a file name or the file itself are escaped, so
        one problem is always one line (a newline could forge another).
        """
        head = f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message} [{self.code}]"
        return _printable(f"{head}\n    hint: {self.hint}" if self.hint else head, keep_newline=True)

    def format_github(self) -> str:
        """Render as a GitHub Actions workflow command (annotation), escaped as the format requires.

        The message is escaped for data (%, CR, LF) and the properties for
        properties (also ':' and ','), so a file name cannot end the command
        early, forge another annotation or send ``::stop-commands::``.
        """
        kind = {ERROR: "error", WARNING: "warning"}.get(self.severity, "notice")
        text = f"{self.message} [{self.code}]" + (f" Hint: {self.hint}" if self.hint else "")
        path = _escape_property(_printable(self.path))
        return f"::{kind} file={path},line={max(self.line, 1)},col={max(self.column, 1)}::{_escape_data(text)}"


#: Characters that would break a problem line or a GitHub annotation, or hide in a terminal (controls, bidi).
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def escaped(char: str) -> str:
    """A control or direction character as a visible escape: \\x0a, \\u202e."""
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def _printable(text: str, keep_newline: bool = False) -> str:
    """*text* with control characters as \\xNN (the hint's own line break kept when asked)."""

    def escape(m: re.Match[str]) -> str:
        return m.group(0) if keep_newline and m.group(0) == "\n" and m.start() == head_end else escaped(m.group(0))

    head_end = text.find("\n    hint: ") if keep_newline else -1
    return CONTROL_RE.sub(escape, text)


def _escape_data(text: str) -> str:
    """GitHub's escaping of a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """GitHub's escaping of a workflow command's property value."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


@functools.lru_cache(maxsize=16384)
def relative(path: str | Path, root: str | Path) -> str:
    """Return *path* relative to *root* with forward slashes, or as given if outside (kept: a build
    asks for every page's several times, and resolving a path asks the file system each time)."""
    p = Path(path).resolve()
    try:
        return p.relative_to(_resolved(str(root))).as_posix()
    except ValueError:
        return Path(path).as_posix()


@functools.lru_cache(maxsize=64)
def _resolved(folder: str) -> Path:
    """*folder* resolved once: relative() runs for every page of a build."""
    return Path(folder).resolve()


@dataclass
class Collector:
    """Gathers problems from every stage of one build; never drops one."""

    root: Path = field(default_factory=Path.cwd)
    problems: list[Problem] = field(default_factory=list)
    #: what is already in ``problems``, so that adding stays O(1) with thousands of problems
    _seen: set[Problem] = field(default_factory=set, repr=False)

    def add(self, problem: Problem) -> None:
        """Record *problem* once (the same problem reported twice is kept once)."""
        if problem not in self._seen:
            self._seen.add(problem)
            self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record several problems."""
        for problem in problems:
            self.add(problem)

    def reset(self, root: Path | None = None) -> None:
        """Forget everything, for a new build in the same process."""
        self.problems.clear()
        self._seen.clear()
        if root is not None:
            self.root = root

    @property
    def errors(self) -> list[Problem]:
        """Problems that fail the build."""
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """Problems listed after the errors without failing the build."""
        return [p for p in self.problems if p.severity == WARNING]

    def ordered(self) -> list[Problem]:
        """Errors first, then warnings, each sorted by place."""
        notes = [p for p in self.problems if p.severity == NOTE]
        return sorted(self.errors) + sorted(self.warnings) + sorted(notes)

    def report(self, stream: TextIO | None = None, fmt: str = "text") -> None:
        """Print every problem and a one-line summary."""
        out = stream or sys.stderr
        for problem in self.ordered():
            print(problem.format_github() if fmt == "github" else problem.format(), file=out)
        if self.problems:
            print(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)", file=out)
