"""Edits in place: the devserver's builds reuse what did not change (readings, and pages rendered from
the same inputs: tools/incremental.py), and give a fresh build's output."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What a copy of the repository needs to build.
COPY = ("content", "citations", "theme", "tools", "fingerprints", "pelicanconf.py")

#: A sequence of edits, each followed by a build that reuses (as `make devserver` does) and a
#: fresh build of the same files; the two outputs must be the same, file for file, byte for byte.
SCRIPT = textwrap.dedent(
    """
    import filecmp, json, sys, time
    from pathlib import Path
    from tools import build
    from tools.incremental import Incremental
    from pelican.plugins.bibcite.plugin import REUSE

    def same(a, b):
        c = filecmp.dircmp(a, b)
        diff = c.left_only + c.right_only + c.diff_files + c.funny_files
        return diff + [x for d in c.common_dirs for x in same(Path(a) / d, Path(b) / d)]

    clause = Path("content/clauses/21-territory.md")
    original = clause.read_text()
    bib = next(Path("citations").glob("*.bib"))
    cite = "\\nA sentence for the test.[@rollingstone2025]\\n"
    edits = [
        ("a clause", lambda: clause.write_text(clause.read_text() + "\\nAn edit in place.\\n")),
        ("a citation", lambda: clause.write_text(clause.read_text() + cite)),
        ("a title", lambda: clause.write_text(clause.read_text().replace("Title: ", "Title: Edited: ", 1))),
        ("a bibliography entry", lambda: bib.write_text(bib.read_text().replace("}", "} ", 1))),
        ("the clause back", lambda: clause.write_text(original)),
    ]
    reuse = build.reuse_between_builds()
    incremental = Incremental()
    build.build(output="out-dev", quiet=True, overrides=reuse, incremental=incremental)
    report = []
    for name, edit in edits:
        edit()
        started = time.perf_counter()
        code = build.build(output="out-dev", quiet=True, overrides=reuse, incremental=incremental)
        took = time.perf_counter() - started
        hits = REUSE.hits
        fresh = build.build(output="out-fresh", quiet=True)
        row = {"edit": name, "codes": [code, fresh], "seconds": took, "reused": hits}
        row["linked"], row["rendered"] = incremental.linked, incremental.rendered
        row["differ"] = same("out-dev", "out-fresh")
        row["shows"] = "An edit in place." in Path("out-dev/point-21.html").read_text()
        report.append(row)
    print(json.dumps(report))
    """
)


def test_builds_that_reuse_give_the_fresh_build_output(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    for name in COPY:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, copy / name)
    shared = ROOT.parent / "shared"
    if shared.exists():  # the quote checks read ../shared/sources when it is there
        (tmp_path / "shared").symlink_to(shared)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=copy, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    import json

    report = json.loads(result.stdout.strip().splitlines()[-1])
    edits = ["a clause", "a citation", "a title", "a bibliography entry", "the clause back"]
    assert [r["edit"] for r in report] == edits
    for row in report:
        assert row["codes"] == [0, 0], row
        assert row["differ"] == [], f"after {row['edit']}: {row['differ']}"
    pages = len(list((ROOT / "content").rglob("*.md")))
    # an edited page is read again, the others are reused; an edited bibliography rereads every page
    assert [r["reused"] for r in report] == [pages - 1, pages - 1, pages - 1, 0, pages - 1]
    assert [r["shows"] for r in report] == [True, True, True, True, False]
    # rendered again: the clause and the pages that show every note (home, coverage, sources index, print,
    # search); a new citation adds its source's page; a title or the bibliography, every page
    by = {r["edit"]: r for r in report}
    every = by["a title"]["rendered"]
    assert by["a clause"]["rendered"] <= 8 and by["a clause"]["linked"] == every - by["a clause"]["rendered"] > pages
    assert by["a citation"]["rendered"] == by["a clause"]["rendered"] + 1
    assert by["a title"]["linked"] == by["a bibliography entry"]["linked"] == 0
    assert filecmp.cmp(copy / "out-dev" / "point-21.html", copy / "out-fresh" / "point-21.html", shallow=False)
