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
    for rel in (
        "S/content/pages/page-00002.md",
        "A/content/pages/page-00002.md",
        "B/content/pages/page-00002.md",
        "B/citations/synthetic.bib",
    ):
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
    assert (tmp_path / "out" / "search-index.js").is_file()  # B runs sitesearch as the real site does


def test_variant_s_is_stock_pelican_and_builds_the_same_pages(tmp_path: Path) -> None:
    """S: A's very files, built by the stock `pelican` command with its default theme and no plugin."""
    from pelican.settings import DEFAULT_CONFIG

    from tools.bench import STOCK_BUILD, problem_counts

    benchgen = _generator()
    assert benchgen.VARIANTS[0] == "S" and benchgen.STOCK == ("S",)
    confs = benchgen.generate(tmp_path / "site", pages=3, entries=12)
    for n in (1, 2, 3):
        rel = f"content/pages/page-{n:05d}.md"
        assert (tmp_path / "site" / "S" / rel).read_bytes() == (tmp_path / "site" / "A" / rel).read_bytes()
    settings: dict = {}
    exec(confs["S"].read_text(encoding="utf-8"), settings)  # the generated file is plain assignments
    assert settings["PLUGINS"] == [] and "THEME" not in settings and "PLUGIN_PATHS" not in settings
    assert "JINJA_ENVIRONMENT" not in settings  # Pelican's own (no autoescape), as its theme expects
    extensions = settings["MARKDOWN"]["extension_configs"]
    assert set(DEFAULT_CONFIG["MARKDOWN"]["extension_configs"]) <= set(extensions)  # codehilite, extra, meta
    assert "markdown.extensions.footnotes" in extensions

    out = tmp_path / "out"
    result = subprocess.run(
        [*STOCK_BUILD, "-s", str(confs["S"]), "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=confs["S"].parent,
        timeout=60,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert problem_counts(log) == (0, 0), log
    assert "Processed 0 articles, 0 drafts, 0 hidden articles, 3 pages," in " ".join(log.split())  # as in A and B
    # The same pages at the same addresses as A and B, and nothing of ours.
    assert sorted(p.name for p in out.glob("*.html")) == [f"page-{n:05d}.html" for n in (1, 2, 3)]
    assert (out / "theme" / "css" / "main.css").is_file()  # Pelican's default theme, notmyidea
    assert not (out / "search-index.js").exists()
    html = (out / "page-00001.html").read_text(encoding="utf-8")
    assert '<div class="footnote">' in html and 'class="footnote-ref"' in html
