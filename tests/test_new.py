"""Scaffolding: `make new-source` and `make new-clause` write correct entries and refuse duplicates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import Site


def run(root: Path, what: str, answers: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tools.new", what, "--root", str(root)],
        input="\n".join(answers) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_new_source_writes_a_valid_entry_with_unknowns_declared(site: Site) -> None:
    result = run(
        site.root,
        "source",
        [
            "rs",
            "guardian2025",
            "opinion",
            "The Guardian",
            "",
            "Doe, Jane",
            "2025-11-22",
            "not a url",
            "https://example.org/g",
            "",
            "",
        ],
    )
    assert result.returncode == 0, result.stderr
    assert "key 'rs' already exists in citations/rs.bib:1" in result.stderr
    assert "an http(s) address" in result.stderr
    text = (site.root / "citations/guardian2025.bib").read_text()
    assert "unknown      = {title}," in text and "journaltitle = {The Guardian}," in text
    site.page("one", "A.[@rs; @cz; @anon; @guardian2025]\n")
    build = site.build()
    assert build.returncode == 0, build.stderr
    assert "Guardian" in site.soup("one.html").find(id="note-4").get_text()


def test_new_source_refuses_when_answers_run_out(site: Site) -> None:
    result = run(site.root, "source", ["rs"])
    assert result.returncode == 2
    assert "refused" in result.stderr


def test_new_clause_refuses_an_existing_clause_and_writes_a_skeleton(site: Site) -> None:
    site.write(
        "content/clauses/21.md",
        "Title: T\nClause: 21\nSection: Territory\nSummary: S.\nRelated: 22\nDate: 2026-11-22\n\nBody.[@rs]\n",
    )
    result = run(
        site.root, "clause", ["21", "22", "No force: the new lines", "Neither side may change them by force.", "21"]
    )
    assert result.returncode == 0, result.stderr
    assert "clause 21 already has a page" in result.stderr
    (page,) = (site.root / "content/clauses").glob("22-*.md")
    text = page.read_text()
    assert "Clause: 22\nSection: Territory\n" in text and "::: {.clause}" in text and "Related: 21" in text
