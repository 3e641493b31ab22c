"""Make the offline archive: the site built for file:// (print edition included), a manifest, one zip.

    python tools/archive.py [--out dist]

The zip is byte-identical when rebuilt from the same commit: every page has
an explicit date, entries are sorted, and every entry carries the commit's
timestamp (or SOURCE_DATE_EPOCH when set) and fixed permissions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from explainer.provenance import read as read_provenance
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

print.html is the print edition (the site's own, linked from every page's footer):
the introduction and all 28 clauses in one page, each clause's notes short and one
bibliography at the end, ready to print or save as PDF.

MANIFEST.json lists every file with its size and SHA-256 checksum, the commit of
the project it was built from, and the build date. To verify a copy:

    python3 -c "import hashlib, json, pathlib; m = json.load(open('MANIFEST.json'));
    bad = [f['path'] for f in m['files']
           if hashlib.sha256(pathlib.Path(f['path']).read_bytes()).hexdigest() != f['sha256']];
    print('damaged:', bad) if bad else print('all', len(m['files']), 'files intact')"

Commit: {commit}{dirty}
Built:  {date}
"""


def provenance() -> dict[str, Any]:
    """Commit, whether the tree has uncommitted changes, and the build time from the commit.

    The same reading as the print edition's colophon (explainer.provenance), so the archive's
    name, its manifest and the colophon of its print.html agree; an archive needs its commit.
    """
    info = read_provenance(ROOT)
    if not info.commit:
        raise SystemExit("archive: no commit to name the archive after (is git installed, is this a checkout?)")
    return {"commit": info.commit, "dirty": info.dirty, "epoch": info.epoch, "date": info.date}


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
