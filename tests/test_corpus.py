"""The bad-input corpus: each case under tests/corpus/ is a small site overlay and its exact expected problems.

Each case folder holds the files to add to a base site (three sources and a page
citing them) and ``expected``: one ``path:line:col: code`` per line for every
error and warning, or ``ok``. `make check` (tools/check.py) must report exactly
those; the full build must refuse the same cases.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BIB, REPO, SETTINGS, SOURCE_TEXTS

from tools import check as check_tool

CORPUS = Path(__file__).resolve().parent / "corpus"
#: A problem line of the build: path:line:col: severity: message [code].
BUILD_PROBLEM_RE = re.compile(r"^(.+?:\d+:\d+): (error|warning): .* \[([a-z]+\.[a-z-]+)\]$", re.M)
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
BASE_PAGE = "Title: Base\nDate: 2026-11-22\n\nCites every base source.[@rs; @cz; @anon]\n"


def make_site(root: Path, case: str) -> Path:
    for key, entry in BIB.items():
        (root / "citations").mkdir(parents=True, exist_ok=True)
        (root / "citations" / f"{key}.bib").write_text(entry, encoding="utf-8")
    (root / "content/pages").mkdir(parents=True, exist_ok=True)
    (root / "content/pages/base.md").write_text(BASE_PAGE, encoding="utf-8")
    for path in (CORPUS / case).rglob("*"):
        if path.is_file() and path.name not in ("expected", "special.json"):
            target = root / path.relative_to(CORPUS / case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    special = CORPUS / case / "special.json"
    # What git cannot hold as a plain file: links, pipes, names with control characters.
    for kind, rel, data in json.loads(special.read_text()) if special.exists() else []:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if kind == "symlink":
            target.symlink_to(data)
        elif kind == "fifo":
            os.mkfifo(target)
        else:
            target.write_text(data, encoding="utf-8")
    settings = root / "pelicanconf.py"
    settings.write_text(
        SETTINGS.format(repo=str(REPO), conf=str(REPO / "pelicanconf.py"), site=str(root), texts=str(SOURCE_TEXTS)),
        encoding="utf-8",
    )
    # Every page of the build through bibcite's forked reader where it can run (a second core, Linux): a
    # refusal must come back from it located exactly as `make check` finds it (plugins/bibcite/.../parallel.py).
    with settings.open("a", encoding="utf-8") as conf:
        conf.write("BIBCITE_PARALLEL = 1\n")
    if (CORPUS / case / "fingerprints").is_dir():
        # A case that checks quotations against the articles carries its sources' fingerprints, so that it
        # runs the same where the articles' texts are absent (tools/fingerprint.py made them).
        with settings.open("a", encoding="utf-8") as conf:
            conf.write('EXPLAINER_FINGERPRINTS = "fingerprints"\n')
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


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Every case built by tools/build.py: two processes, each building half the cases one after another."""
    roots = {}
    for case in CASES:
        root = tmp_path_factory.mktemp(case[:2])
        make_site(root, case)
        roots[str(root)] = case
    halves = [list(roots)[0::2], list(roots)[1::2]]
    runs = [
        subprocess.Popen(
            [sys.executable, str(REPO / "tests" / "corpus_build.py"), *half],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for half in halves
    ]
    results = {}
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        for line in out.splitlines():
            result = json.loads(line)
            results[roots[result["root"]]] = result
    return results


@pytest.mark.parametrize("case", CASES)
def test_the_build_agrees_with_check(builds: dict[str, dict], case: str) -> None:
    """The build reports every expected problem, exits 1 on an error, and never touches the last good output."""
    result = builds[case]
    want = expected(case)
    errors = check_tool.check(Path(result["root"]) / "pelicanconf.py")[0].errors
    assert result["code"] == (1 if errors else 0), result["stderr"]
    assert "Traceback" not in result["stderr"], result["stderr"]
    # the same problems, each at the same place with the same code, as make check reports
    found = sorted(f"{m[1]}: {m[3]}" for m in BUILD_PROBLEM_RE.finditer(result["stderr"]))
    assert found == want, result["stderr"]
    if errors:
        assert result["sentinel_intact"] and result["files"] == ["sentinel.html"], result["files"]
    else:
        assert "sentinel.html" not in result["files"] and "index.html" not in result["files"]
        assert {"base.html", "sources/index.html"} <= set(result["files"])


def test_script_never_reaches_the_output(tmp_path: Path) -> None:
    """Even raw HTML that slipped past the checks is removed by the sanitiser."""
    from pelican.plugins.bibcite.document import sanitise

    dirty = (
        '<p onclick="x()">a<script>alert(1)</script><a href="javascript:alert(1)">b</a>'
        '<span style="background:url(x)">c</span><iframe src="https://e.example"></iframe></p>'
    )
    clean = sanitise(dirty)
    for bad in ("onclick", "<script", "javascript:", "style=", "<iframe"):
        assert bad not in clean


def test_exit_codes_and_github_format(tmp_path: Path) -> None:
    settings = make_site(tmp_path, "01-unknown-key")
    result = subprocess.run(
        [sys.executable, "-m", "tools.check", "--settings", str(settings), "--format", "github"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "::error file=content/pages/bad.md,line=4,col=10::unknown citation key 'rss' (did you mean 'rs'?) "
        "[cite.unknown-key] Hint: add an entry with this key to a file in citations/, or correct the key"
    )
    clean = make_site(tmp_path / "clean", "43-bom-is-fine")
    result = subprocess.run(
        [sys.executable, "-m", "tools.check", "--settings", str(clean)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "clean" in result.stderr


def test_real_site_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "tools.check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_a_file_of_several_megabytes_is_refused(tmp_path: Path) -> None:
    settings = make_site(tmp_path, "43-bom-is-fine")
    big = tmp_path / "content/pages/huge.md"
    big.write_text("Title: Huge\nDate: 2026-11-22\n\n" + ("All work and no play. " * 150_000) + "[@rs]\n")
    assert big.stat().st_size > 3_000_000
    collector, _ = check_tool.check(settings)
    assert [f"{p.path}:{p.line}:{p.column}: {p.code}" for p in collector.errors] == [
        "content/pages/huge.md:1:1: md.too-large"
    ]


def test_every_problem_code_is_documented() -> None:
    import re

    code_re = re.compile(r'"((?:cite|bib|md|clause|quote|copy|link|pelican|file|build)\.[a-z-]+)"')
    used = {
        m
        for path in [*(REPO / "plugins").rglob("*.py"), REPO / "tools/check.py", REPO / "tools/build.py"]
        for m in code_re.findall(path.read_text())
    }
    documented = set(re.findall(r"^\| `([a-z]+\.[a-z-]+)` \|", (REPO / "CONTRIBUTING.md").read_text(), re.M))
    assert used and used <= documented, sorted(used - documented)
    assert documented <= used, sorted(documented - used)


def test_a_file_name_cannot_forge_a_github_annotation(tmp_path: Path) -> None:
    """The name holds a newline and '::warning file=x::': escaped as the workflow-command format requires."""
    settings = make_site(tmp_path, "75-newline-in-file-name")
    result = subprocess.run(
        [sys.executable, "-m", "tools.check", "--settings", str(settings), "--format", "github"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(lines) == 1, lines  # one problem, one command: nothing forged
    assert lines[0].startswith("::error file=content/pages/bad\\x0a%3A%3Awarning file=x%3A%3Aforged.md,line=1,col=1::")
    text = subprocess.run(
        [sys.executable, "-m", "tools.check", "--settings", str(settings)], capture_output=True, text=True, timeout=60
    ).stderr
    assert (
        "content/pages/bad\\x0a::warning file=x::forged.md:1:1: error: file name contains a control character" in text
    )
