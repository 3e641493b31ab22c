"""The output swap in tools/build.py: no symlink followed, atomic, locked, recoverable.

The swap functions are tested on folders in tmp_path with a stand-in renderer; only the
symlinked-output case builds the real repository (the build refuses before rendering).
"""

from __future__ import annotations

import errno
import gc
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO

from tools import build as site_tool


def make_build(folder: Path, files: dict[str, str]) -> None:
    """Write *files* (relative path -> text) under *folder*."""
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def contents(folder: Path) -> dict[str, bytes]:
    """Every file under *folder*, by relative path, byte for byte."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def renderer(files: dict[str, str], ok: bool = True):
    """A stand-in for Pelican: writes *files* into the staging folder."""

    def render(staging: Path) -> bool:
        make_build(staging, files)
        return ok

    return render


def leftovers(parent: Path) -> list[str]:
    """Staging and old folders left beside the output."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith((".output-new-", ".output-old-")))


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A folder outside the output that must never be touched."""
    folder = tmp_path / "victim"
    make_build(folder, {"keep.txt": "precious\n", "sub/deep.txt": "also precious\n"})
    return folder


def test_symlinked_output_is_refused_end_to_end(tmp_path: Path, victim: Path) -> None:
    before = contents(victim)
    link = tmp_path / "output"
    link.symlink_to(victim)
    result = subprocess.run(
        [sys.executable, "-m", "tools.build", "build", "--output", str(link)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    message = f"{link} is a symbolic link to '{victim}'; refusing to build into or delete it"
    assert f"{link}:1:1: error: {message} [build.output]" in lines
    assert f"    hint: remove the link (rm {link}) and build again" in lines
    assert "Traceback" not in result.stderr
    assert contents(victim) == before
    assert link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output", "victim"]  # no lock, no staging folder


def test_symlink_message_inside_the_repository(victim: Path) -> None:
    problem = site_tool.OutputError(REPO / "output", f"output is a symbolic link to '{victim}'", "h")
    assert problem.format().startswith("output:1:1: error: output is a symbolic link")
    assert site_tool._remover(REPO / "output") == "git rm output"


def test_symlinked_parent_and_file_target_are_refused(tmp_path: Path, victim: Path) -> None:
    (tmp_path / "site").symlink_to(victim)
    with pytest.raises(site_tool.OutputError, match="is a symbolic link") as refused:
        site_tool._build_into(tmp_path / "site" / "output", renderer({"index.html": "new"}))
    assert not refused.value.kept
    (tmp_path / "output").write_text("not a folder")
    with pytest.raises(site_tool.OutputError, match="is not a folder"):
        site_tool._build_into(tmp_path / "output", renderer({"index.html": "new"}))
    assert (tmp_path / "output").read_text() == "not a folder"
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt", "sub"]


def test_symlinked_lock_file_is_refused(tmp_path: Path, victim: Path) -> None:
    (tmp_path / ".output.lock").symlink_to(victim / "keep.txt")
    with pytest.raises(site_tool.OutputError, match=r"\.output\.lock is a symbolic link"):
        site_tool._build_into(tmp_path / "output", renderer({"index.html": "new"}))
    assert (victim / "keep.txt").read_text() == "precious\n"


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_swap_replaces_content_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if exchange:
        assert site_tool._renameat2() is not None, "this test needs Linux's renameat2"
    else:
        monkeypatch.setattr(site_tool, "_renameat2", lambda: None)
    target = tmp_path / "output"
    make_build(target, {"index.html": "old", "gone.html": "old"})
    assert site_tool._build_into(target, renderer({"index.html": "new", "css/site.css": "x"}))
    assert contents(target) == {"index.html": b"new", "css/site.css": b"x"}
    assert target.stat().st_mode & 0o777 == 0o755
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.lock", "output"]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_the_devserver_deletes_the_last_build_once_the_new_one_is_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(site_tool, "_renameat2", lambda: None)
    target = tmp_path / "output"
    make_build(target, {"index.html": "old"})
    assert site_tool._build_into(target, renderer({"index.html": "new"}), defer=True)
    assert contents(target) == {"index.html": b"new"}
    # the last build waits beside it until settle()
    assert len(leftovers(tmp_path)) == 1 and len(site_tool._DEFERRED) == 1
    site_tool.settle()
    gc.unfreeze()
    assert leftovers(tmp_path) == [] and site_tool._DEFERRED == []
    assert contents(target) == {"index.html": b"new"}
    # a failed render defers nothing; if settle() never ran, the next build's clean-up deletes the last one,
    # and settle() then finds it gone
    assert site_tool._build_into(target, renderer({"index.html": "newer"}), defer=True)
    assert not site_tool._build_into(target, renderer({"index.html": "broken"}, ok=False), defer=True)
    assert leftovers(tmp_path) == [] and len(site_tool._DEFERRED) == 1
    # a folder made since where the last build was (a new staging folder of the same name) is not deleted
    (again := site_tool._DEFERRED[0][0]).mkdir()
    try:
        site_tool.settle()
    finally:
        gc.unfreeze()  # (settle() freezes what the process holds; the rest of the tests would keep it)
    assert site_tool._DEFERRED == [] and contents(target) == {"index.html": b"newer"}
    assert again.is_dir()


def test_first_build_creates_the_output(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "output"
    assert site_tool._build_into(target, renderer({"index.html": "new"}))
    assert contents(target) == {"index.html": b"new"}
    assert leftovers(target.parent) == []


def test_failed_render_keeps_the_last_good_build(tmp_path: Path) -> None:
    target = tmp_path / "output"
    make_build(target, {"index.html": "old"})
    assert not site_tool._build_into(target, renderer({"index.html": "broken"}, ok=False))
    assert contents(target) == {"index.html": b"old"}
    assert leftovers(tmp_path) == []


def test_kill_between_the_two_renames_is_recovered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # What a kill after "output -> .output-old-*" and before ".output-new-* -> output" leaves.
    make_build(tmp_path / ".output-old-older123", {"index.html": "older"})
    os.utime(tmp_path / ".output-old-older123", (1, 1))
    make_build(tmp_path / ".output-old-abc12345", {"index.html": "last good"})
    make_build(tmp_path / ".output-new-half1234", {"index.html": "half"})
    target = tmp_path / "output"
    # The next build restores the newest old copy first, so a failure keeps it in place.
    assert not site_tool._build_into(target, renderer({}, ok=False))
    assert contents(target) == {"index.html": b"last good"}
    assert "restored" in capsys.readouterr().err
    assert leftovers(tmp_path) == []


def test_kill_after_the_exchange_leaves_only_junk_that_is_removed(tmp_path: Path) -> None:
    target = tmp_path / "output"
    make_build(target, {"index.html": "current"})
    make_build(tmp_path / ".output-new-prev1234", {"index.html": "previous"})
    assert site_tool._build_into(target, renderer({"index.html": "new"}))
    assert contents(target) == {"index.html": b"new"}
    assert leftovers(tmp_path) == []


def test_concurrent_builds_take_turns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "output"
    make_build(target, {"index.html": "old"})
    events: list[str] = []
    first_inside = threading.Event()
    real_swap = site_tool._swap

    def swap(staging: Path, target: Path) -> Path | None:
        events.append(f"{threading.current_thread().name} swap")  # recorded while the lock is held
        return real_swap(staging, target)

    monkeypatch.setattr(site_tool, "_swap", swap)

    def render(staging: Path) -> bool:
        name = threading.current_thread().name
        events.append(f"{name} start")
        first_inside.set()
        time.sleep(0.3)  # long enough for the other build to reach the lock
        make_build(staging, {"index.html": name})
        events.append(f"{name} end")
        return True

    a = threading.Thread(target=site_tool._build_into, args=(target, render), name="A")
    a.start()
    assert first_inside.wait(10)
    b = threading.Thread(target=site_tool._build_into, args=(target, render), name="B")
    b.start()
    a.join(10)
    b.join(10)
    assert events == ["A start", "A end", "A swap", "B start", "B end", "B swap"]
    assert contents(target) == {"index.html": b"B"}
    assert leftovers(tmp_path) == []


def test_concurrent_processes_take_turns(tmp_path: Path) -> None:
    # flock is per open file: a second process blocks until the first closes its lock file.
    target = tmp_path / "output"
    script = f"""
import sys, time
from pathlib import Path
from tools import build as m
with m._locked(Path({str(target)!r})):
    print("locked", flush=True)
    time.sleep(float(sys.argv[1]))
"""
    target.mkdir()
    first = subprocess.Popen([sys.executable, "-c", script, "1.0"], stdout=subprocess.PIPE, text=True)
    assert first.stdout.readline() == "locked\n"
    started = time.monotonic()
    second = subprocess.run([sys.executable, "-c", script, "0"], capture_output=True, text=True, timeout=30)
    waited = time.monotonic() - started
    first.wait(30)
    assert second.stdout == "locked\n"
    assert "waiting for another build" in second.stderr
    assert waited > 0.5


@pytest.mark.parametrize("code", [errno.EBUSY, errno.EXDEV, errno.EACCES])
def test_swap_failure_is_located_and_keeps_the_old_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    def refuse(*_: object) -> bool:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(site_tool, "_exchange", refuse)
    target = tmp_path / "output"
    make_build(target, {"index.html": "old"})
    with pytest.raises(site_tool.OutputError) as failed:
        site_tool._build_into(target, renderer({"index.html": "new"}))
    text = failed.value.format()
    head, hint = text.splitlines()
    message = f"cannot replace {target}/ with the new build: {os.strerror(code)}"
    assert head == f"{target}:1:1: error: {message} [build.output]"
    assert hint.startswith("    hint: ")
    assert failed.value.kept
    assert contents(target) == {"index.html": b"old"}
    assert leftovers(tmp_path) == []


def test_fallback_puts_the_old_output_back_when_the_second_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site_tool, "_renameat2", lambda: None)
    real_rename = os.rename

    def rename(src: object, dst: object) -> None:
        if Path(str(src)).name.startswith(".output-new-"):
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))
        real_rename(src, dst)

    monkeypatch.setattr(site_tool.os, "rename", rename)
    target = tmp_path / "output"
    make_build(target, {"index.html": "old"})
    with pytest.raises(site_tool.OutputError, match="Device or resource busy"):
        site_tool._build_into(target, renderer({"index.html": "new"}))
    assert contents(target) == {"index.html": b"old"}
    assert leftovers(tmp_path) == []


def permissions_enforced(folder: Path) -> bool:
    """Whether this process is refused writing into a read-only folder (root usually is not)."""
    probe = folder / "probe"
    probe.mkdir(mode=0o555)
    try:
        (probe / "x").touch()
    except PermissionError:
        return True
    finally:
        probe.chmod(0o755)
    return False


def test_read_only_parent_is_located(tmp_path: Path) -> None:
    if not permissions_enforced(tmp_path):
        pytest.skip("this user ignores folder permissions (root); the EBUSY/EXDEV/EACCES case is simulated above")
    parent = tmp_path / "site"
    target = parent / "output"
    make_build(target, {"index.html": "old"})
    (parent / ".output.lock").touch()
    parent.chmod(0o555)
    try:
        with pytest.raises(site_tool.OutputError, match="Permission denied"):
            site_tool._build_into(target, renderer({"index.html": "new"}))
    finally:
        parent.chmod(0o755)
    assert contents(target) == {"index.html": b"old"}


def test_build_reports_output_errors_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(target: Path, render: object, defer: bool = False) -> bool:
        raise site_tool.OutputError(target, "cannot replace it: Device or resource busy", "a hint")

    monkeypatch.setattr(site_tool, "_build_into", fail)
    monkeypatch.chdir(tmp_path)  # build() changes into the repository; monkeypatch changes back
    assert site_tool.build(output=str(tmp_path / "output"), quiet=True) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{tmp_path}/output:1:1: error: cannot replace it: Device or resource busy [build.output]",
        "    hint: a hint",
        f"build failed; {tmp_path}/output/ still holds the last good build",
    ]


def test_symlink_inside_an_old_build_is_not_followed(tmp_path: Path, victim: Path) -> None:
    before = contents(victim)
    stale = tmp_path / ".output-old-planted1"
    make_build(stale, {"index.html": "old"})
    (stale / "link").symlink_to(victim)
    (stale / "file-link").symlink_to(victim / "keep.txt")
    (tmp_path / ".output-new-linked12").symlink_to(victim)  # a leftover that is itself a link: skipped
    target = tmp_path / "output"
    make_build(target, {"index.html": "current"})
    assert site_tool._build_into(target, renderer({"index.html": "new"}))
    assert not stale.exists()
    assert (tmp_path / ".output-new-linked12").is_symlink()
    assert contents(victim) == before


def test_symlink_inside_the_previous_build_is_not_followed(tmp_path: Path, victim: Path) -> None:
    before = contents(victim)
    target = tmp_path / "output"
    make_build(target, {"index.html": "current"})
    (target / "planted").symlink_to(victim)
    assert site_tool._build_into(target, renderer({"index.html": "new"}))
    assert contents(target) == {"index.html": b"new"}
    assert contents(victim) == before


def test_read_only_previous_build_is_still_deleted(tmp_path: Path) -> None:
    target = tmp_path / "output"
    make_build(target, {"sub/index.html": "old"})
    (target / "sub").chmod(0o555)
    target.chmod(0o555)
    assert site_tool._build_into(target, renderer({"index.html": "new"}))
    assert contents(target) == {"index.html": b"new"}
    assert leftovers(tmp_path) == []
