"""The build and `make check` read nothing outside the repository and the sources, and write only the output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO, SOURCE_TEXTS, Site

#: A pull request that tries every way the security review found to make the build read a file
#: of the machine: a linked page, a linked BibTeX file, a linked "static" file, a source text
#: given as a path, a reStructuredText include, a link to a file outside the content folder.
HOSTILE_BIB = """@online{zz2025,
  title = {T},
  author = {Doe, Jane},
  journaltitle = {Outlet},
  date = {2025-11-21},
  url = {https://example.org/zz},
  kind = {news},
  sourcetext = {../../../../../../etc/passwd},
}
"""


def audit(site: Site, output: Path) -> dict:
    site.build()  # writes pelicanconf.py; the audited run below is the one that counts
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "tests" / "audit_build.py"),
            str(site.root / "pelicanconf.py"),
            str(output),
            str(SOURCE_TEXTS),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_a_hostile_pull_request_reads_nothing_outside(site: Site, tmp_path: Path) -> None:
    site.page(
        "one",
        'A claim.[@rs] [@cz] [@anon] A guess.[@zz2025, "root:x:0:0"] '
        "[hosts]({static}hosts.txt) [up]({filename}/../../../../etc/hostname)\n",
    )
    site.write("citations/zz.bib", HOSTILE_BIB)
    site.write("content/pages/leak.rst", "Leak\n####\n\n.. include:: /etc/passwd\n")
    (site.root / "content/pages/hosts.txt").symlink_to("/etc/passwd")
    (site.root / "content/pages/passwd.md").symlink_to("/etc/passwd")
    (site.root / "citations/shadow.bib").symlink_to("/etc/hostname")
    (site.root / "content/pages/linked").symlink_to("/etc")
    found = audit(site, tmp_path / "out" / "output")
    assert found["check"] == 1 and found["build"] == 1, found["log"]
    assert found["violations"] == [], found["violations"]
    for code in ("file.symlink", "file.type", "bib.sourcetext", "md.link-intrasite"):
        assert f"[{code}]" in found["log"], code
    assert not (tmp_path / "out" / "output").exists()


def test_the_real_site_reads_and_writes_only_its_own_files(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "tests" / "audit_build.py"),
            str(REPO / "pelicanconf.py"),
            str(tmp_path / "output"),
            str(SOURCE_TEXTS),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["check"] == 0 and found["build"] == 0, found["log"]
    assert found["violations"] == [], found["violations"]
    assert (tmp_path / "output" / "point-21.html").is_file()
