"""The offline archive: reproducible zip, verified manifest, every link a file, works from file:// offline."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from browser import Watch
from bs4 import BeautifulSoup
from conftest import REPO


def make_archive(out: Path) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "tools.archive", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    zips = list(out.glob("*.zip"))
    assert len(zips) == 1
    return zips[0]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The zip, and the folder it was unpacked into."""
    zip_path = make_archive(tmp_path_factory.mktemp("dist"))
    unpacked = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(unpacked)
    (top,) = list(unpacked.iterdir())
    return zip_path, top


def test_two_builds_of_one_commit_are_byte_identical(archive: tuple[Path, Path], tmp_path: Path) -> None:
    first, _ = archive
    second = make_archive(tmp_path)
    assert first.name == second.name
    assert first.read_bytes() == second.read_bytes()


def test_name_carries_date_and_commit(archive: tuple[Path, Path]) -> None:
    zip_path, top = archive
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    assert zip_path.name.startswith("28-point-plan-annotated-20")
    assert commit[:12] in zip_path.name
    assert top.name == zip_path.name.removesuffix(".zip")
    with zipfile.ZipFile(zip_path) as z:
        names = z.namelist()
        assert names == sorted(names)
        assert len({info.date_time for info in z.infolist()}) == 1


def test_manifest_lists_every_file_with_size_and_sha256(archive: tuple[Path, Path]) -> None:
    _, top = archive
    data = json.loads((top / "MANIFEST.json").read_text())
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    assert data["commit"] == commit
    assert data["build_date"].endswith("Z")
    listed = {f["path"]: f for f in data["files"]}
    on_disk = {p.relative_to(top).as_posix() for p in top.rglob("*") if p.is_file()} - {"MANIFEST.json"}
    assert set(listed) == on_disk
    for rel, entry in listed.items():
        content = (top / rel).read_bytes()
        assert entry["size"] == len(content)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
    readme = (top / "README.txt").read_text()
    assert commit in readme and "MANIFEST.json" in readme and "print.html" in readme


def ids_of(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path not in cache:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        cache[path] = {tag["id"] for tag in soup.find_all(id=True)}
    return cache[path]


def test_every_internal_link_and_anchor_points_at_a_file(archive: tuple[Path, Path]) -> None:
    _, top = archive
    cache: dict[Path, set[str]] = {}
    checked = 0
    for page in sorted(top.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["a", "link", "script"]):
            ref = tag.get("href") or tag.get("src")
            if not ref:
                continue
            parsed = urlparse(ref)
            if parsed.scheme in ("http", "https", "mailto"):
                assert tag.name == "a", f"{page.name}: {tag.name} loads {ref} from the network"
                continue
            assert not parsed.scheme and not parsed.netloc, f"{page.name}: {ref}"
            target = (page.parent / unquote(parsed.path)).resolve() if parsed.path else page
            assert target.is_file(), f"{page.relative_to(top)}: {ref} is not a file"
            assert target.is_relative_to(top.resolve())
            if parsed.fragment and target.suffix == ".html":
                assert unquote(parsed.fragment) in ids_of(target, cache), f"{page.relative_to(top)}: {ref}"
            checked += 1
    assert checked > 2000


def test_print_edition_is_one_page_with_no_script(archive: tuple[Path, Path]) -> None:
    """The build's print edition is in the archive (tests/test_print.py tests it in full)."""
    _, top = archive
    soup = BeautifulSoup((top / "print.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.find("script") is None
    # Its one stylesheet is its own, beside it in the archive (the site's CSP allows no inline style).
    assert [link["href"] for link in soup.find_all("link", rel="stylesheet")] == ["./theme/css/print.css"]
    assert (top / "theme/css/print.css").is_file()
    clauses = soup.select("article.print-clause")
    assert len(clauses) == 28
    for number, article in enumerate(clauses, 1):
        assert article.select_one(f"#p{number}-point-{number}-text") is not None
        assert article.select("section.notes li.note")
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    for a in soup.find_all("a", href=True):
        if a["href"].startswith("#"):
            assert a["href"][1:] in ids, a["href"]
    assert len(soup.select("nav.contents .contents-clauses li")) == 28


def test_works_from_disk_with_the_network_blocked(browser: object, archive: tuple[Path, Path]) -> None:
    _, top = archive
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    watch = Watch(page, allowed=())
    page.goto((top / "index.html").as_uri())
    page.locator("ol.clauses a", has_text="Point 21").click()
    assert page.url.endswith("point-21.html")
    page.locator("a.noteref").first.click()
    assert page.evaluate("() => !!document.querySelector('#note-pop:popover-open')")
    page.keyboard.press("Escape")
    page.locator(".site-header a", has_text="Search").click()
    page.locator("input[type=search]").fill("buffer zone")
    page.wait_for_selector("#search-results a")
    first = page.locator("#search-results a").first
    target = first.get_attribute("href")
    first.click()
    assert page.url.startswith("file://") and page.url.endswith(target.split("/")[-1])
    for rel in ("sources/index.html", "coverage.html", "print.html", "timeline.html"):
        page.goto((top / rel).as_uri())
        assert page.title()
    assert watch.foreign == [], "no request may leave the disk"
    assert watch.errors == []
    context.close()
