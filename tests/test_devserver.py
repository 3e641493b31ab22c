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
    import filecmp, gc, json, sys, time
    from pathlib import Path
    from pelican import signals
    from pelican.contents import Page
    from tools import build
    from tools.incremental import Incremental
    from pelican.plugins.bibcite import render
    from pelican.plugins.bibcite.plugin import REUSE
    from pelican.plugins.bibcite.problems import relative
    import explainer.plugin as explainer
    import sitesearch.plugin as search

    def same(a, b):
        # every file's bytes (dircmp alone takes a file of the same size and time for the same)
        c = filecmp.dircmp(a, b)
        _, differ, funny = filecmp.cmpfiles(a, b, c.common_files, shallow=False)
        diff = c.left_only + c.right_only + differ + funny + c.common_funny
        return diff + [x for d in c.common_dirs for x in same(Path(a) / d, Path(b) / d)]

    clause = Path("content/clauses/21-territory.md")
    original = clause.read_text()
    bib = Path("citations/braxton2025.bib")
    cite = "\\nA sentence for the test.[@rollingstone2025]\\n"

    def save_during_the_build():
        # saved again after the pages are read and before they are written: the build in progress
        # renders what it read; the build the save starts must render the new text
        def save(generators):
            signals.all_generators_finalized.disconnect(save)
            clause.write_text(clause.read_text() + "\\nSaved during a build.\\n")
        signals.all_generators_finalized.connect(save, weak=False)
        clause.write_text(clause.read_text() + "\\nBefore the save.\\n")

    def another_build_into_the_folder():
        # `make html` with other settings into the devserver's folder, then an edit of one clause
        build.build(output="out-dev", quiet=True, overrides={"SITEURL": "https://example.org"})
        clause.write_text(clause.read_text() + "\\nAfter another build.\\n")

    edits = [
        ("a clause", lambda: clause.write_text(clause.read_text() + "\\nAn edit in place.\\n"), 1),
        ("a citation", lambda: clause.write_text(clause.read_text() + cite), 1),
        ("a title", lambda: clause.write_text(clause.read_text().replace("Title: ", "Title: Edited: ", 1)), 1),
        ("a save during a build", save_during_the_build, 2),
        ("another build into the folder", another_build_into_the_folder, 1),
        ("a source's title", lambda: bib.write_text(bib.read_text().replace("{US Presents", "{Edited US Presents")), 1),
        ("the clause back", lambda: clause.write_text(original), 1),
    ]
    reuse = build.reuse_between_builds()
    incremental = Incremental()
    build.build(output="out-dev", quiet=True, overrides=reuse, incremental=incremental)
    build.settle()
    report = []
    for name, edit, builds in edits:
        edit()
        for _ in range(builds):
            started = time.perf_counter()
            code = build.build(output="out-dev", quiet=True, overrides=reuse, incremental=incremental)
            took = time.perf_counter() - started
            build.settle()  # as the devserver does after each build (it collects, then freezes what is left)
            gc.unfreeze()
            live = sum(isinstance(o, Page) for o in gc.get_objects())
            gc.freeze()
        hits = REUSE.hits
        # the fresh build shares this process: what the builds keep in it is forgotten first, and what
        # the devserver keeps between its builds is put back after (the index's pages and shards)
        for kept in (render._source_parts, explainer._rewritten, relative):
            kept.cache_clear()
        index = (search.Current.kept, search.Current.prepared)
        fresh = build.build(output="out-fresh", quiet=True)
        search.Current.kept, search.Current.prepared = index
        row = {"edit": name, "codes": [code, fresh], "seconds": took, "reused": hits, "live pages": live}
        row["linked"], row["rendered"] = incremental.linked, incremental.rendered
        row["differ"] = same("out-dev", "out-fresh")
        page = Path("out-dev/point-21.html").read_text()
        row["shows"] = [text in page for text in ("An edit in place.", "Saved during a build.", "After another build.")]
        row["source title"] = "Edited US Presents" in Path("out-dev/sources/braxton2025.html").read_text()
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
    edits = [
        "a clause",
        "a citation",
        "a title",
        "a save during a build",
        "another build into the folder",
        "a source's title",
        "the clause back",
    ]
    assert [r["edit"] for r in report] == edits
    pages = len(list((ROOT / "content").rglob("*.md")))
    for row in report:
        assert row["codes"] == [0, 0], row
        assert row["differ"] == [], f"after {row['edit']}: {row['differ']}"
        # one object per page after each build: none of the last builds' is kept alive (Pelican's caches)
        assert row["live pages"] == pages, row
    # an edited page is read again, the others are reused; an edited bibliography rereads every page
    assert [r["reused"] for r in report] == [pages - 1] * 5 + [0, pages - 1]
    # the text of each edit, the save during a build and the edit after another build, on the devserver's page
    shown = [[True, False, False]] * 3 + [[True, True, False]] + [[True, True, True]] * 2 + [[False, False, False]]
    assert [r["shows"] for r in report] == shown
    assert [r["source title"] for r in report] == [False] * 5 + [True, True]
    # rendered again: the clause and the pages that show every note (home, coverage, print, search); a new
    # citation adds its source's page and the sources index (which counts citations); a title or the
    # bibliography, every page
    by = {r["edit"]: r for r in report}
    every = by["a title"]["rendered"]
    assert by["a clause"]["rendered"] <= 8 and by["a clause"]["linked"] == every - by["a clause"]["rendered"] > pages
    assert by["a citation"]["rendered"] == by["a clause"]["rendered"] + 2
    assert by["a title"]["linked"] == by["a source's title"]["linked"] == 0
    # after another build into its folder, the devserver links none of that build's files
    assert by["another build into the folder"]["linked"] == 0
    assert filecmp.cmp(copy / "out-dev" / "point-21.html", copy / "out-fresh" / "point-21.html", shallow=False)


#: The devserver on a synthetic site whose search index is cut into shards (the real site's is one file):
#: each edit is followed by a devserver build, then a fresh build in a process of its own.
SHARDED_SCRIPT = textwrap.dedent(
    """
    import filecmp, json, subprocess, sys
    from pathlib import Path
    from tools import build
    from tools.incremental import Incremental
    from pelican.plugins.bibcite.plugin import REUSE

    conf, root = Path(sys.argv[1]), Path(sys.argv[2])
    pages = sorted((conf.parent / "content" / "pages").glob("*.md"))
    grown, cited, touched = pages[len(pages) // 2], pages[3], pages[-1]
    original = grown.read_text()

    def same(a, b):
        # every file's bytes (dircmp alone takes a file of the same size and time for the same)
        c = filecmp.dircmp(a, b)
        _, differ, funny = filecmp.cmpfiles(a, b, c.common_files, shallow=False)
        diff = c.left_only + c.right_only + differ + funny + c.common_funny
        return diff + [x for d in c.common_dirs for x in same(Path(a) / d, Path(b) / d)]

    edits = [
        ("grown", lambda: grown.write_text(original + "\\nA long paragraph of new words.\\n" * 400)),
        ("cited", lambda: cited.write_text(cited.read_text() + "\\nOne more.[@" + CITED + "]\\n")),
        ("shrunk", lambda: grown.write_text(original)),
        ("touched", lambda: touched.write_text(touched.read_text())),
    ]
    reuse, incremental = build.reuse_between_builds(str(conf)), Incremental()
    out, fresh = root / "out-dev", root / "out-fresh"
    assert build.build(str(conf), str(out), quiet=True, overrides=reuse, incremental=incremental) == 0
    build.settle()
    report = []
    for name, edit in edits:
        edit()
        code = build.build(str(conf), str(out), quiet=True, overrides=reuse, incremental=incremental)
        hits = REUSE.hits
        build.settle()
        command = [sys.executable, "-m", "tools.build", "build", "--settings", str(conf), "--output", str(fresh)]
        fresh_code = subprocess.run(command, capture_output=True, check=False).returncode
        shards = len(list(out.glob("search-index-*.js")))
        report.append({"edit": name, "codes": [code, fresh_code], "differ": same(out, fresh), "reused": hits,
                       "shards": shards, "rendered": incremental.rendered})
    print(json.dumps(report))
    """
)


def test_a_sharded_index_and_source_pages_follow_edits(tmp_path: Path) -> None:
    from tools import benchgen

    confs = benchgen.generate(tmp_path / "site", 40, 30)
    conf = confs["B"]
    conf.write_text(conf.read_text(encoding="utf-8") + "\nSITESEARCH_SHARD_BYTES = 12 * 1024\n", encoding="utf-8")
    bib = (conf.parent / "citations" / "synthetic.bib").read_text(encoding="utf-8")
    key = bib.split("{", 1)[1].split(",", 1)[0]
    script = SHARDED_SCRIPT.replace("CITED", repr(key))
    result = subprocess.run(
        [sys.executable, "-c", script, str(conf), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    import json

    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert [r["edit"] for r in report] == ["grown", "cited", "shrunk", "touched"]
    for row in report:
        assert row["codes"] == [0, 0], row
        assert row["differ"] == [], f"after the edit {row['edit']!r}: {row['differ']}"
        assert row["shards"] >= 3, row
    # every page but the edited one reused (a page saved with the same bytes, too)
    assert [r["reused"] for r in report] == [39, 39, 39, 40]
    # the grown page, and with the citation its source's page and the sources index; nothing for the same bytes
    assert [r["rendered"] for r in report] == [1, 3, 1, 0], report


def test_page_objects_are_kept_only_when_made_from_their_bytes_alone() -> None:
    """A kept page object never goes through Pelican's reading again: not when its date is its file's,
    nor when another plugin does something with each page as it is read."""
    from pelican import signals

    from pelican.plugins.bibcite import plugin

    plugin.register()
    assert len(plugin._MEMOISED) == 2  # Pelican's memoised content and summary, cleared at each build
    assert plugin._objects_kept({"DEFAULT_DATE": (2025, 11, 25)})
    assert not plugin._objects_kept({"DEFAULT_DATE": "fs"})

    def stamp_each_page(sender: object, **kwargs: object) -> None:
        pass

    for name in plugin._READ_SIGNALS:
        signal = getattr(signals, name)
        signal.connect(stamp_each_page)
        try:
            assert not plugin._objects_kept({}), name
        finally:
            signal.disconnect(stamp_each_page)
    assert plugin._objects_kept({})
