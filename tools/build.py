"""Build, serve and watch the site.

    python tools/build.py build [--settings FILE] [--output DIR]
    python tools/build.py serve [--port N]
    python tools/build.py devserver [--port N]

A build writes into a fresh folder beside the output and replaces the output
only when it succeeds, so a failed build never destroys the last good site.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import errno
import fcntl
import functools
import gc
import http.server
import logging
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import jinja2.bccache

if TYPE_CHECKING:
    from .incremental import Incremental

ROOT = Path(__file__).resolve().parent.parent
#: What the devserver watches: Pelican's own autoreload misses citations/ and plugins/.
WATCHED = ("content", "citations", "theme", "plugins", "pelicanconf.py", "publishconf.py")
#: Editors' and sed's temporary files must not trigger a rebuild.
WATCHED_SUFFIXES = {".md", ".bib", ".py", ".html", ".css", ".js"}


class PlainHandler(logging.StreamHandler):
    """The one handler the build adds to the root logger (found again by its class on a rebuild)."""


#: The plugins' loggers that `build --verbose` shows at INFO (Pelican's own INFO is a line per file).
VERBOSE_LOGGERS = ("pelican.plugins.bibcite", "sitesearch")


def _configure_logging() -> None:
    """One plain line per Pelican message (its rich handler wraps and decorates)."""
    from pelican.log import LimitFilter

    # Pelican's LimitFilter remembers messages for the whole process; a rebuild
    # must see a repeated warning again.
    LimitFilter._ignore.clear()
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    root = logging.getLogger()
    if not any(isinstance(h, PlainHandler) for h in root.handlers):
        handler = PlainHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory between the devserver's builds.

    Jinja checks each entry against its template's source checksum, so an edited template is
    compiled again."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


def build(
    settings_file: str = "pelicanconf.py",
    output: str | None = None,
    quiet: bool = False,
    overrides: dict[str, object] | None = None,
    incremental: Incremental | None = None,
) -> int:
    """Build the site atomically; return 0 on success, 1 on failure.

    *overrides* change settings for this build (the devserver's reuse between builds);
    *incremental* renders only what changed since its last build (the devserver)."""
    from pelican import Pelican
    from pelican.settings import read_settings

    if incremental is not None and not (overrides or {}).get("BIBCITE_REUSE"):
        raise ValueError("an incremental build needs BIBCITE_REUSE (reuse_between_builds()): it keys on its token")
    os.chdir(ROOT)
    _configure_logging()
    started = time.perf_counter()
    settings = read_settings(str(ROOT / settings_file))
    # abspath, not resolve(): resolving would follow an `output` symlink to wherever it points.
    target = Path(os.path.abspath(output or settings["OUTPUT_PATH"]))

    def render(staging: Path) -> bool:
        """Run Pelican into *staging*; False (with the reason on stderr) if it fails."""
        if incremental is not None:
            incremental.begin(target)
            incremental.connect()
        try:
            override = _staged(overrides, staging, target if incremental is not None else None)
            Pelican(read_settings(str(ROOT / settings_file), override=override)).run()
        except Exception as exc:  # any failure at all must keep the old output
            from pelican.plugins.bibcite.plugin import BuildFailed

            if not isinstance(exc, BuildFailed):
                from pelican.plugins.bibcite.plugin import report

                report()  # whatever went wrong, every problem found until then is shown
                print(f"build failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return False
        finally:
            if incremental is not None:
                incremental.disconnect()
        return True

    try:
        built = _build_into(target, render, defer=incremental is not None)
    except OutputError as problem:
        print(problem.format(), file=sys.stderr)
        if not problem.kept:  # refused outright: the target holds no build of ours
            return 1
        built = False
    if not built:
        print(f"build failed; {_rel(target)}/ still holds the last good build", file=sys.stderr)
        return 1
    if incremental is not None:
        incremental.commit()
    if not quiet:
        pages = sum(1 for _ in target.rglob("*.html"))
        print(f"built {pages} pages into {_rel(target)}/ in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    return 0


def _staged(overrides: dict[str, object] | None, staging: Path, last: Path | None) -> dict[str, object]:
    """The settings' overrides for a build into *staging*; *last*: the last good build, from which the
    devserver links the search shards cut from unchanged pages."""
    override = {**(overrides or {}), "OUTPUT_PATH": str(staging)}
    if last is not None:
        override["SITESEARCH_LAST_OUTPUT"] = str(last)
    return override


def _rel(path: Path) -> str:
    """*path* relative to the repository root, or as it is if outside."""
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


# The output folder is replaced, and its previous copy deleted, on every build. CI builds
# contributors' branches as root, so nothing here may follow a symbolic link a branch
# commits (`output`, its parent, the lock file, or anything inside an old build).


#: The problem code of everything wrong with the output folder itself (documented in CONTRIBUTING.md).
OUTPUT_CODE = "build.output"


class OutputError(Exception):
    """A problem with the output folder itself, printed as one located build.output error."""

    def __init__(self, target: Path, message: str, hint: str, kept: bool = True) -> None:
        super().__init__(message)
        self.target, self.message, self.hint = target, message, hint
        #: whether the target was left holding the last good build (False when refused outright)
        self.kept = kept

    def format(self) -> str:
        """Render in the project's ``path:line:col: error: message [code]`` form, hint below."""
        return f"{_rel(self.target)}:1:1: error: {self.message} [{OUTPUT_CODE}]\n    hint: {self.hint}"


#: Last builds swapped out by the devserver, deleted by settle() once the new one is on disk: each with its
#: device, inode and change time, so that a folder made since at the same place is never deleted.
_DEFERRED: list[tuple[Path, tuple[int, int, int]]] = []


def _build_into(target: Path, render: Callable[[Path], bool], defer: bool = False) -> bool:
    """Render into a staging folder beside *target* and swap it in, under the lock; False if rendering failed.
    *defer*: leave the last build for settle() to delete (the devserver: a tenth of a second at 5,000 pages
    between saving a page and its being on disk; the next build's clean-up deletes it if settle() never runs)."""
    _check_target(target)
    with _failing_as(f"create the folder {_rel(target.parent)}/", target):
        target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target):
        _recover(target)
        _remove_stale(target)
        with _failing_as(f"create a staging folder beside {_rel(target)}/", target):
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
        previous, swapped = None, False
        try:
            if not render(staging):
                return False
            _check_target(target)  # the settings and plugins ran code since the first look
            with _failing_as(f"replace {_rel(target)}/ with the new build", target):
                # Set before the swap: a chmod of the target path afterwards would follow a link.
                os.chmod(staging, 0o755)  # mkdtemp made it private; a web server must read it
                previous = _swap(staging, target)
                swapped = True
        finally:
            if not (defer and swapped):
                _remove(staging)  # a failed build, or (after an exchange) the previous one
        if previous is not None:
            if defer:
                with contextlib.suppress(OSError):
                    st = os.lstat(previous)
                    _DEFERRED.append((previous, (st.st_dev, st.st_ino, st.st_ctime_ns)))
            else:
                _remove(previous)
    return True


def _check_target(target: Path) -> None:
    """Refuse a target that is, or lies under, a symbolic link, or that is not a folder."""
    rel = _rel(target)
    with _failing_as(f"look at {rel}", target):
        for path in _guarded(target):
            if path.is_symlink():
                what = "build into or delete it" if path == target else f"build {rel} inside it"
                message = f"{_rel(path)} is a symbolic link to {os.readlink(path)!r}; refusing to {what}"
                raise OutputError(target, message, f"remove the link ({_remover(path)}) and build again", kept=False)
        try:
            mode = os.lstat(target).st_mode
        except FileNotFoundError:
            return
    if not stat.S_ISDIR(mode):
        raise OutputError(
            target,
            f"{rel} exists and is not a folder; refusing to replace it",
            f"remove it ({_remover(target)}) and build again",
            kept=False,
        )


def _guarded(target: Path) -> list[Path]:
    """The target, its parent, and every folder between it and the repository root: what a branch could link."""
    inside = [folder for folder in target.parent.parents if ROOT in folder.parents]
    return [target, target.parent, *inside]


def _remover(path: Path) -> str:
    """The command that removes *path*: git rm inside the repository (where a branch committed it), rm outside."""
    rel = _rel(path)
    return f"git rm {rel}" if rel != str(path) else f"rm {rel}"


@contextlib.contextmanager
def _failing_as(action: str, target: Path) -> Iterator[None]:
    """Turn an OSError into a located build.output error that says what failed and why."""
    try:
        yield
    except OSError as exc:
        raise OutputError(target, f"cannot {action}: {exc.strerror or exc}", _hint(exc, target)) from None


def _hint(exc: OSError, target: Path) -> str:
    """What to do about an OSError on the output folder."""
    rel = _rel(target)
    if exc.errno in (errno.EBUSY, errno.EXDEV):
        return (
            f"{rel}/ is a mount point or on another file system; mount the folder holding it instead,"
            " or build elsewhere with --output DIR"
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"make {rel}/ and the folder holding it writable for the user running the build, then build again"
    return f"fix the cause and build again; {rel}/ was left as it was"


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold an exclusive lock on .<name>.lock beside *target*, so that concurrent builds take turns."""
    lock = target.parent / f".{target.name}.lock"
    try:
        # O_NOFOLLOW: a lock file committed as a symbolic link is refused, not created at its target.
        fd = os.open(lock, os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(
                target,
                f"{_rel(lock)} is a symbolic link; refusing to follow it",
                f"remove the link ({_remover(lock)}) and build again",
                kept=False,
            ) from None
        message = f"cannot open the lock file {_rel(lock)}: {exc.strerror}"
        raise OutputError(target, message, _hint(exc, target)) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another build of {_rel(target)}/ to finish", file=sys.stderr)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock; the file stays, so no two builds lock different files


def _leftovers(target: Path, kind: str) -> list[Path]:
    """The .<name>-new-* or .<name>-old-* folders beside *target*; symbolic links are never listed."""
    # mkdtemp's random part has no hyphen, so .output-new-old-x (a build of "output-new") is not ours.
    pattern = re.compile(rf"\.{re.escape(target.name)}-{kind}-[^-]+")
    found = []
    for entry in os.scandir(target.parent):
        if pattern.fullmatch(entry.name) and stat.S_ISDIR(os.lstat(entry.path).st_mode):
            found.append(Path(entry.path))
    return found


def _recover(target: Path) -> None:
    """Put the last good build back if a build was killed between the two renames of the fallback swap."""
    if os.path.lexists(target):
        return
    with _failing_as(f"restore {_rel(target)}/ from an interrupted build", target):
        olds = _leftovers(target, "old")
        if not olds:
            return
        newest = max(olds, key=lambda path: (os.lstat(path).st_mtime_ns, path.name))
        os.rename(newest, target)
    print(f"restored {_rel(target)}/ from {newest.name}, left by an interrupted build", file=sys.stderr)


def _remove_stale(target: Path) -> None:
    """Delete the staging and old folders that killed builds left beside *target* (we hold the lock)."""
    with _failing_as(f"list the folder holding {_rel(target)}/", target):
        stale = _leftovers(target, "new") + _leftovers(target, "old")
    for folder in stale:
        _remove(folder)


RENAME_EXCHANGE = 2  # from <linux/fs.h>
AT_FDCWD = -100  # from <fcntl.h> on Linux: paths are relative to the working directory


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """libc's renameat2, or None where there is none (not Linux, or an old or minimal libc)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one step; False if the kernel, libc or file system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL):  # no such system call, or a file system without exchange
        return False
    raise OSError(err, os.strerror(err), str(second))


def _swap(staging: Path, target: Path) -> Path | None:
    """Put *staging* in *target*'s place; return where the previous build now is (None if there was none)."""
    if not os.path.lexists(target):
        os.rename(staging, target)
        return None
    # One atomic exchange: at every instant target holds a complete build, and a kill leaves
    # only the previous build behind at the staging path (the next build deletes it).
    if _exchange(staging, target):
        return staging
    # Fallback: two renames. A kill between them leaves no target, only the -old- folder,
    # which the next build restores (_recover).
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
    old.rmdir()  # mkdtemp reserved a fresh name; rename needs it free
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(old, target)  # put the last good build back (if even this fails, _recover will)
        raise
    return old


def _remove(path: Path) -> None:
    """Delete a folder of ours without following a symbolic link at or anywhere inside it."""
    # Never raises: a leftover is harmless, and the next build's clean-up tries again.
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            os.unlink(path)  # something planted in its place: remove it, never what a link points to
            return
    except OSError:
        return
    # shutil.rmtree removes links inside the tree as links; it never descends into them.
    shutil.rmtree(path, onerror=_unprotect_and_retry)


def _unprotect_and_retry(function: Callable[[str], object], path: str, exc_info: object) -> None:
    """rmtree's error handler: a read-only folder cannot lose entries, so make it writable and retry once."""
    if function not in (os.unlink, os.rmdir):
        return
    try:
        # O_NOFOLLOW: never change the mode of whatever a link points to.
        fd = os.open(os.path.dirname(path), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            os.fchmod(fd, 0o700)
        finally:
            os.close(fd)
        function(path)
    except OSError:
        pass


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files without logging every request."""

    def log_message(self, format: str, *args: object) -> None:  # the standard library's signature
        pass


def serve(port: int, folder: Path, block: bool = True) -> http.server.ThreadingHTTPServer:
    """Serve *folder* on 127.0.0.1:*port*."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    print(f"serving {_rel(folder)}/ at http://127.0.0.1:{port}/index.html", file=sys.stderr)
    if block:
        server.serve_forever()
    else:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def reuse_between_builds(settings_file: str = "pelicanconf.py") -> dict[str, object]:
    """Settings for a process that builds again and again: compiled templates and each unchanged
    page's reading are kept (the output is the same as a fresh build's: tests/test_devserver.py)."""
    from pelican.settings import read_settings

    jinja = dict(read_settings(str(ROOT / settings_file)).get("JINJA_ENVIRONMENT", {}))
    return {
        "BIBCITE_REUSE": True,
        "SITESEARCH_REUSE": True,
        "JINJA_ENVIRONMENT": {**jinja, "bytecode_cache": TemplateCache()},
    }


def settle() -> None:
    """Between the devserver's builds: collect the last build's garbage, then leave what is kept (every
    page's object and reading, at 5,000 pages millions of objects) out of the collector's later passes,
    which would otherwise walk it again and again during the next build (a third of a rebuild at
    5,000 pages); and delete the last build swapped out. Runs once the build is on disk; at 5,000
    pages it takes about 0.8 s."""
    while _DEFERRED:
        path, identity = _DEFERRED.pop()
        with contextlib.suppress(OSError):
            st = os.lstat(path)
            if (st.st_dev, st.st_ino, st.st_ctime_ns) == identity:
                _remove(path)
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def devserver(port: int) -> int:
    """Build, serve, and rebuild on every change; a failed build waits for the next edit."""
    from watchfiles import watch

    from .incremental import Incremental

    overrides = reuse_between_builds()
    incremental = Incremental()
    build(overrides=overrides, incremental=incremental)
    settle()
    serve(port, ROOT / "output", block=False)
    paths = [ROOT / p for p in WATCHED if (ROOT / p).exists()]
    # step: how long the watcher waits for more changes after one (watchfiles' default, 50 ms, is a
    # sixth of the time from saving a clause to its page on disk).
    changed = watch(*paths, watch_filter=lambda _, path: Path(path).suffix in WATCHED_SUFFIXES, step=10)
    for changes in changed:
        names = ", ".join(sorted({_rel(Path(p)) for _, p in changes}))
        print(f"changed: {names}", file=sys.stderr)
        if build(overrides=overrides, incremental=incremental) != 0:
            print("waiting for the next edit", file=sys.stderr)
        settle()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the site atomically")
    b.add_argument("--settings", default="pelicanconf.py")
    b.add_argument("--output")
    b.add_argument(
        "--verbose", action="store_true", help="also what the plugins tell (second processes, index size, memory)"
    )
    s = sub.add_parser("serve", help="serve output/ on 127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    d = sub.add_parser("devserver", help="build, serve and rebuild on change")
    d.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if args.command == "build":
        if args.verbose:
            for name in VERBOSE_LOGGERS:
                logging.getLogger(name).setLevel(logging.INFO)
        return build(args.settings, args.output)
    if args.command == "serve":
        try:
            serve(args.port, ROOT / "output")
        except KeyboardInterrupt:
            return 0
    if args.command == "devserver":
        try:
            return devserver(args.port)
        except KeyboardInterrupt:
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
