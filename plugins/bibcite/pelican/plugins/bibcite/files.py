"""What a contributor may put in the content and bibliography folders, checked before anything is read.

Pelican reads every file whose suffix one of its readers knows (``.html``,
``.rst`` ...), follows symbolic links, and copies ``{static}`` targets; a
pull request could use any of these to publish a script or a file of the
build machine. So the folders are walked here first, without following
links, and everything but plain Markdown pages (in the content folder) or
BibTeX files (in the bibliography folders) is a located problem.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .problems import CONTROL_RE, Problem, escaped

#: A page's file name becomes its address, so it is kept to what Pelican's slugify leaves unchanged.
PAGE_NAME_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\.md")


@dataclass(frozen=True)
class Found:
    """The outcome of walking one folder."""

    #: regular files with an accepted suffix, sorted
    files: tuple[Path, ...]
    #: everything refused, located at the file
    problems: tuple[Problem, ...]
    #: fnmatch patterns of the names of links, pipes and unreadable entries, for Pelican's IGNORE_FILES
    ignore: tuple[str, ...] = ()


def shown(path: str) -> str:
    """*path* with control characters escaped, safe to print on one line."""
    return CONTROL_RE.sub(lambda m: escaped(m.group(0)), path)


def _problem(rel: str, code: str, message: str, hint: str) -> Problem:
    return Problem(shown(rel), 1, 1, code, message, hint)


def walk(folder: Path, root: Path, suffix: str, recursive: bool = True, page_names: bool = False) -> Found:
    """The files with *suffix* under *folder*, never following a link; the rest as problems.

    Names that start with a dot are not skipped: Pelican reads a ".x.md" page and
    walks into a ".d" folder (its IGNORE_FILES matches neither), so they are
    checked like any other (a page name cannot start with a dot).
    """
    files: list[Path] = []
    problems: list[Problem] = []
    ignore: list[str] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            problems.append(
                _problem(
                    _rel(Path(current), root),
                    "file.unreadable",
                    f"folder cannot be read ({exc.strerror})",
                    "check its permissions",
                )
            )
            continue
        for entry in entries:
            path = Path(entry.path)
            rel = _rel(path, root)
            problem = _refusal(entry, rel, suffix, recursive, page_names)
            if problem is not None:
                problems.append(problem)
                if problem.code in ("file.symlink", "file.special", "file.unreadable", "file.name"):
                    ignore.append(re.sub(r"([*?\[])", r"[\1]", entry.name))
            elif entry.is_dir(follow_symlinks=False):
                pending.append(path)
            else:
                files.append(path)
    return Found(tuple(sorted(files)), tuple(problems), tuple(ignore))


def _refusal(entry: os.DirEntry[str], rel: str, suffix: str, recursive: bool, page_names: bool) -> Problem | None:
    """Why *entry* is refused, or None."""
    if entry.name.startswith("."):
        return _problem(
            rel,
            "file.name",
            "hidden file or folder (its name starts with a dot)",
            "rename it; Pelican would read it, but nobody reviewing the pull request sees it",
        )
    if CONTROL_RE.search(entry.name):
        return _problem(
            rel,
            "file.name",
            "file name contains a control character",
            "rename the file with letters, digits and hyphens only",
        )
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError as exc:
        return _problem(rel, "file.unreadable", f"file cannot be examined ({exc.strerror})", "check its permissions")
    if stat.S_ISLNK(mode):
        target = os.readlink(entry.path)
        return _problem(
            rel,
            "file.symlink",
            f"symbolic link to {shown(target)!r}; links are never followed",
            "commit the file itself, not a link to it",
        )
    if stat.S_ISDIR(mode):
        if recursive and not entry.name.endswith(suffix):
            return None
        what = f"folder named like a {suffix} file" if entry.name.endswith(suffix) else "folder"
        return _problem(
            rel,
            "file.type",
            f"{what}; only {suffix} files are read here",
            f"move the {suffix} files directly into the folder and remove this one",
        )
    if not stat.S_ISREG(mode):
        return _problem(
            rel,
            "file.special",
            "not a regular file (a pipe, socket or device)",
            "remove it; only plain text files are read",
        )
    if not entry.name.endswith(suffix):
        return _problem(
            rel,
            "file.type",
            f"only {suffix} files may be here; this file would not be checked",
            f"write the page in Markdown ({suffix}); HTML, reStructuredText, images and other files are not accepted"
            if suffix == ".md"
            else f"only {suffix} files may be here",
        )
    if page_names and not PAGE_NAME_RE.fullmatch(entry.name):
        return _problem(
            rel,
            "file.name",
            f"page file name {shown(entry.name)!r} is not lower-case letters, digits and hyphens",
            "rename it, e.g. 'my-page.md': the name becomes the page's address",
        )
    return None


def regular_file(path: Path, root: Path, code: str) -> Problem | None:
    """A problem unless *path* is a regular file reached without any symbolic link below *root*."""
    rel = _rel(path, root)
    if Path(os.path.realpath(path)) != Path(os.path.abspath(path)):
        return _problem(
            rel,
            code,
            "reached through a symbolic link; links are never followed",
            "commit the file itself, not a link to it",
        )
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return _problem(rel, code, f"file cannot be read ({exc.strerror})", "check the name")
    if not stat.S_ISREG(mode):
        return _problem(rel, code, "not a regular file", "give a plain text file")
    return None


def _rel(path: Path, root: Path) -> str:
    """*path* relative to *root* (both absolute, links not resolved), with forward slashes."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return Path(path).as_posix()


def check_outputs(pages: list[tuple[str, str]], reported: set[str] | frozenset[str] = frozenset()) -> list[Problem]:
    """No two pages write the same file.

    *pages*: (repository-relative source path, output name); *reported*: paths
    whose clash another check already explained (two pages for one clause).
    """
    problems = []
    first: dict[str, str] = {}
    for path, name in sorted(pages):
        if path in reported:
            continue
        if name in first:
            problems.append(
                _problem(
                    path,
                    "file.output",
                    f"would be written as {name}, like {shown(first[name])}",
                    "rename one of the two files: a page's address is its file name",
                )
            )
        first.setdefault(name, path)
    return problems


def outside(found: tuple[Path, ...], folders: list[Path], root: Path) -> list[Problem]:
    """A problem for each Markdown file that is in none of the page *folders*: it would never be published."""
    return [
        _problem(
            _rel(path, root),
            "file.type",
            "Markdown file outside the page folders; it would not be published or checked",
            "move it into " + " or ".join(_rel(f, root) + "/" for f in folders),
        )
        for path in found
        if not any(path.is_relative_to(folder) for folder in folders)
    ]
