"""The bad-input corpus: each case under tests/corpus/ is a small site overlay and its exact expected problems.

Each case folder holds the files to add to a base site (three sources and a page
citing them) and ``expected``: one ``path:line:col: code`` per line for every
error and warning, or ``ok``. `make check` (tools/check.py) must report exactly
those; the full build must refuse the same cases.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BIB, REPO, SETTINGS, SOURCE_TEXTS

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
BASE_PAGE = "Title: Base\nDate: 2026-11-22\n\nCites every base source.[@rs; @cz; @anon]\n"

_spec = importlib.util.spec_from_file_location("check_tool", REPO / "tools" / "check.py")
check_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_tool)


def make_site(root: Path, case: str) -> Path:
    for key, entry in BIB.items():
        (root / "citations").mkdir(parents=True, exist_ok=True)
        (root / "citations" / f"{key}.bib").write_text(entry, encoding="utf-8")
    (root / "content/pages").mkdir(parents=True, exist_ok=True)
    (root / "content/pages/base.md").write_text(BASE_PAGE, encoding="utf-8")
    for path in (CORPUS / case).rglob("*"):
        if path.is_file() and path.name != "expected":
            target = root / path.relative_to(CORPUS / case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    settings = root / "pelicanconf.py"
    settings.write_text(SETTINGS.format(repo=str(REPO), conf=str(REPO / "pelicanconf.py"), site=str(root),
                                        texts=str(SOURCE_TEXTS)), encoding="utf-8")
    return settings


def expected(case: str) -> list[str]:
    lines = (CORPUS / case / "expected").read_text().split("\n")
    return [] if lines[0] == "ok" else sorted(line for line in lines if line)


def test_corpus_is_large_enough() -> None:
    bad = [case for case in CASES if expected(case)]
    assert len(bad) >= 30


@pytest.mark.parametrize("case", CASES)
def test_check_reports_exactly_the_expected_problems(tmp_path: Path, case: str) -> None:
    settings = make_site(tmp_path, case)
    collector, _ = check_tool.check(settings)
    found = sorted(f"{p.path}:{p.line}:{p.column}: {p.code}" for p in collector.errors + collector.warnings)
    assert found == expected(case)
    for problem in collector.errors:
        assert problem.hint, problem


@pytest.mark.parametrize("case", ["01-unknown-key", "10-raw-script", "29-bib-javascript-url", "45-not-utf8",
                                  "43-bom-is-fine"])
def test_the_build_agrees_with_check(tmp_path: Path, case: str) -> None:
    settings = make_site(tmp_path, case)
    result = subprocess.run([sys.executable, str(REPO / "tools/site.py"), "build", "--settings", str(settings),
                             "--output", str(tmp_path / "output")], capture_output=True, text=True, timeout=120)
    want = expected(case)
    assert result.returncode == (1 if want else 0), result.stderr
    for line in want:
        where, code = line.split(": ")
        assert any(l.startswith(where + ":") and l.endswith(f"[{code}]") for l in result.stderr.splitlines()), line
    if not want:
        assert (tmp_path / "output/bad.html").is_file()


def test_script_never_reaches_the_output(tmp_path: Path) -> None:
    """Even raw HTML that slipped past the checks is removed by the sanitiser."""
    sys.path.insert(0, str(REPO / "plugins"))
    from bibcite.document import sanitise

    dirty = ('<p onclick="x()">a<script>alert(1)</script><a href="javascript:alert(1)">b</a>'
             '<span style="background:url(x)">c</span><iframe src="https://e.example"></iframe></p>')
    clean = sanitise(dirty)
    for bad in ("onclick", "<script", "javascript:", "style=", "<iframe"):
        assert bad not in clean


def test_exit_codes_and_github_format(tmp_path: Path) -> None:
    settings = make_site(tmp_path, "01-unknown-key")
    result = subprocess.run([sys.executable, str(REPO / "tools/check.py"), "--settings", str(settings),
                             "--format", "github"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "::error file=content/pages/bad.md,line=4,col=10::unknown citation key 'rss' (did you mean 'rs'?) "
        "[cite.unknown-key] Hint: add an entry with this key to a file in citations/, or correct the key")
    clean = make_site(tmp_path / "clean", "43-bom-is-fine")
    result = subprocess.run([sys.executable, str(REPO / "tools/check.py"), "--settings", str(clean)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "clean" in result.stderr


def test_real_site_is_clean() -> None:
    result = subprocess.run([sys.executable, str(REPO / "tools/check.py")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_a_file_of_several_megabytes_is_refused(tmp_path: Path) -> None:
    settings = make_site(tmp_path, "43-bom-is-fine")
    big = tmp_path / "content/pages/huge.md"
    big.write_text("Title: Huge\nDate: 2026-11-22\n\n" + ("All work and no play. " * 150_000) + "[@rs]\n")
    assert big.stat().st_size > 3_000_000
    collector, _ = check_tool.check(settings)
    assert [f"{p.path}:{p.line}:{p.column}: {p.code}" for p in collector.errors] == [
        "content/pages/huge.md:1:1: md.too-large"]


def test_every_problem_code_is_documented() -> None:
    import re

    code_re = re.compile(r'"((?:cite|bib|md|clause|quote|copy|link|pelican|file|build)\.[a-z-]+)"')
    used = {m for path in [*(REPO / "plugins/bibcite").glob("*.py"), REPO / "tools/check.py", REPO / "tools/site.py"]
            for m in code_re.findall(path.read_text())}
    documented = set(re.findall(r"^\| `([a-z]+\.[a-z-]+)` \|", (REPO / "CONTRIBUTING.md").read_text(), re.M))
    assert used and used <= documented, sorted(used - documented)
    assert documented <= used, sorted(documented - used)
