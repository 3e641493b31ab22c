"""Make the offline archive: the site built for file://, a print edition, a manifest, one zip.

    python tools/archive.py [--out dist]

The zip is byte-identical when rebuilt from the same commit: every page has
an explicit date, entries are sorted, and every entry carries the commit's
timestamp (or SOURCE_DATE_EPOCH when set) and fixed permissions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag

from tools import build

ROOT = Path(__file__).resolve().parent.parent

NAME = "28-point-plan-annotated"
README = """{title}
{underline}

An offline copy of the annotated explainer of the 28-point US-Russia peace plan
for Ukraine (November 2025). Every clause is quoted, explained in plain words and
annotated with what the outlets reported, each statement footnoted to its source.

Open index.html in a web browser. Everything works from disk with no network:
the pages, the notes, the coverage table and the search. Links to the outlets'
own articles need a network connection, as they point to the outlets' sites.

print.html is the print edition: all 28 clauses with their notes in one page,
ready to print or save as PDF.

MANIFEST.json lists every file with its size and SHA-256 checksum, the commit of
the project it was built from, and the build date. To verify a copy:

    python3 -c "import hashlib, json, pathlib; m = json.load(open('MANIFEST.json'));
    bad = [f['path'] for f in m['files']
           if hashlib.sha256(pathlib.Path(f['path']).read_bytes()).hexdigest() != f['sha256']];
    print('damaged:', bad) if bad else print('all', len(m['files']), 'files intact')"

Commit: {commit}{dirty}
Built:  {date}
"""


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def provenance() -> dict[str, Any]:
    """Commit, whether the tree has uncommitted changes, and the build time from the commit."""
    commit = git("rev-parse", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or git("log", "-1", "--format=%ct"))
    return {
        "commit": commit,
        "dirty": dirty,
        "epoch": epoch,
        "date": datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z"),
    }


def print_edition(site: Path) -> str:
    """All 28 clauses with their notes in one self-contained page (no script, inline style)."""
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    css = "".join(sorted(p.read_text(encoding="utf-8") for p in (site / "theme/css").glob("*.css")))
    doc = BeautifulSoup(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title></title><style></style></head><body><main id="main"></main></body></html>',
        "html.parser",
    )
    _found(doc.title).string = f"{_found(home.title).get_text()} \u2014 print edition"
    _found(doc.style).string = css + PRINT_CSS
    main = _found(doc.main)
    # The home page's introduction, with its own notes, minus the list of clauses.
    intro = _found(home.select_one("article.home"))
    for element in intro.select(".sidenote, section.section-list, #clauses, #coverage"):
        element.decompose()
    for paragraph in intro.find_all("p"):
        if paragraph.find("a", href=re.compile(r"coverage\.html$")) and len(paragraph.get_text()) < 80:
            paragraph.decompose()
    intro.name = "header"
    main.append(_prefixed(intro, "home"))
    toc = doc.new_tag("nav", attrs={"aria-label": "Clauses", "class": "print-toc"})
    toc_list = doc.new_tag("ol")
    toc.append(toc_list)
    main.append(toc)
    pages = sorted(site.glob("point-*.html"), key=lambda p: int(re.findall(r"\d+", p.name)[0]))
    for page in pages:
        number = re.findall(r"\d+", page.name)[0]
        article = _found(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article.clause"))
        for element in article.select(".sidenote, nav.prevnext"):
            element.decompose()
        article = _prefixed(article, f"p{number}")
        article["class"] = "clause print-clause"
        main.append(article)
        item = doc.new_tag("li")
        link = doc.new_tag("a", href=f"#p{number}-point-{number}")
        link.string = " ".join(_found(article.h1).get_text(" ").split())
        item.append(link)
        toc_list.append(item)
    return "<!DOCTYPE html>\n" + str(doc.html) + "\n"


PRINT_CSS = """
.print-clause { break-before: page; border-top: 2px solid var(--line); margin-top: 2rem; }
.print-toc ol { columns: 2; }
@media print { .print-toc ol { columns: 2; } }
"""


def _found(element: Tag | None) -> Tag:
    """*element*, which the site's own templates always write."""
    assert element is not None, "the built page lacks an element its template writes"
    return element


def _prefixed(element: Tag, prefix: str) -> Tag:
    """Make ids unique in the one-page edition and point links at the copies in this page."""
    for tag in [element, *element.find_all(True)]:
        if tag.get("id"):
            tag["id"] = f"{prefix}-{tag['id']}"
        for attr in ("aria-labelledby", "aria-describedby"):
            if tag.get(attr):
                tag[attr] = " ".join(f"{prefix}-{v}" for v in str(tag[attr]).split())
        href = str(tag.get("href") or "")
        if not href or tag.name != "a":
            continue
        if href.startswith("#"):
            tag["href"] = f"#{prefix}-{href[1:]}"
        elif m := re.fullmatch(r"(?:\./)?point-(\d+)\.html(?:#(.*))?", href):
            tag["href"] = f"#p{m.group(1)}-{m.group(2) or 'point-' + m.group(1)}"
        elif not re.match(r"^[a-z]+:", href):
            tag["href"] = re.sub(r"^(\./|\.\./)+", "", href)  # a page of the archive, beside print.html
    return element


def manifest(folder: Path, info: dict[str, Any]) -> dict[str, Any]:
    files = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        files.append(
            {"path": path.relative_to(folder).as_posix(), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        )
    return {"name": NAME, "commit": info["commit"], "dirty": info["dirty"], "build_date": info["date"], "files": files}


def write_zip(folder: Path, target: Path, prefix: str, epoch: int) -> None:
    """A zip with sorted entries, fixed timestamps and fixed permissions."""
    stamp = datetime.fromtimestamp(max(epoch, 315532800), UTC).timetuple()[:6]  # zip cannot go before 1980
    tmp = target.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{prefix}/{path.relative_to(folder).as_posix()}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    tmp.replace(target)


def make(out: Path) -> Path:
    """Build everything into a temporary folder and write the zip into *out*."""
    info = provenance()
    day = str(info["date"])[:10]
    label = f"{NAME}-{day}-{str(info['commit'])[:12]}{'-dirty' if info['dirty'] else ''}"
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / label
        if build.build(output=str(site), quiet=True) != 0:
            raise SystemExit("archive: the site build failed; nothing was written")
        (site / "print.html").write_text(print_edition(site), encoding="utf-8")
        title = "The 28-point plan, annotated: offline archive"
        (site / "README.txt").write_text(
            README.format(
                title=title,
                underline="=" * len(title),
                commit=info["commit"],
                dirty=" (built with uncommitted changes)" if info["dirty"] else "",
                date=info["date"],
            ),
            encoding="utf-8",
        )
        data = manifest(site, info)
        (site / "MANIFEST.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{label}.zip"
        write_zip(site, target, label, int(info["epoch"]))
    print(
        f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target} "
        f"({target.stat().st_size} bytes, {len(data['files'])} files)",
        file=sys.stderr,
    )
    if info["dirty"]:
        print(
            "note: the tree has uncommitted changes, so this archive is not reproducible from its commit",
            file=sys.stderr,
        )
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "dist"), help="folder for the zip (default dist/)")
    args = parser.parse_args(argv)
    make(Path(args.out).resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
