"""Smoke test of the benchmark's site generator (the benchmark itself is `make bench`, not a test)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, problem_lines


def _generator():
    from tools import benchgen

    return benchgen


def test_generator_is_deterministic_and_variant_b_builds_cleanly(tmp_path: Path) -> None:
    generate = _generator().generate
    confs = generate(tmp_path / "one", pages=3, entries=12)
    generate(tmp_path / "two", pages=3, entries=12)
    for rel in ("A/content/pages/page-00002.md", "B/content/pages/page-00002.md", "B/citations/synthetic.bib"):
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel
    page = (tmp_path / "one" / "B/content/pages/page-00001.md").read_text(encoding="utf-8")
    assert "; @" in page and ", para. " in page and ', "' in page  # multi-key, locator, quoted pinpoint
    assert "[^1]:" in (tmp_path / "one" / "A/content/pages/page-00001.md").read_text(encoding="utf-8")

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.build",
            "build",
            "--settings",
            str(confs["B"]),
            "--output",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert problem_lines(result.stderr) == [], result.stderr  # no error and no warning (every entry is cited)
    assert len(list((tmp_path / "out" / "sources").glob("*.html"))) == 12 + 1
    html = (tmp_path / "out" / "page-00001.html").read_text(encoding="utf-8")
    assert 'class="notes-list"' in html
