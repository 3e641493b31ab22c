"""Render every page with Pandoc and citeproc from our .bib files: the same text, another renderer.

    python -m tools.pandoc [--out dist/pandoc]

Each page is read as ``markdown+mmd_title_block`` (Pandoc's reading of our
``Title: ...`` header) with ``--citeproc`` and every file of ``citations/`` as
the bibliography, written as a standalone HTML page, and any warning Pandoc
gives (an unknown key, an unreadable entry) fails the run. The Pandoc binary
is the one pypandoc-binary ships (test requirements): nothing is downloaded.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Pandoc's Markdown, plus the MultiMarkdown title block that reads "Key: value" header lines.
READER = "markdown+mmd_title_block"


def pandoc_binary() -> str:
    """The pandoc that pypandoc-binary ships."""
    import pypandoc

    return str(pypandoc.get_pandoc_path())


def command(page: Path, out: Path, bibliography: list[Path]) -> list[str]:
    """The Pandoc command line for one page (also printed by --print-command)."""
    return [
        pandoc_binary(),
        "--from",
        READER,
        "--citeproc",
        *[f"--bibliography={path}" for path in bibliography],
        "--to",
        "html5",
        "--standalone",
        "--fail-if-warnings",
        "--output",
        str(out),
        str(page),
    ]


def render_all(out: Path, root: Path = ROOT) -> tuple[int, list[str]]:
    """Render every page of *root*'s content into *out*: (pages rendered, Pandoc's warnings and errors)."""
    pages = sorted((root / "content").rglob("*.md"))
    bibliography = sorted((root / "citations").glob("*.bib"))

    def one(page: Path) -> str:
        target = out / page.relative_to(root / "content").with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            command(page, target, bibliography), capture_output=True, text=True, cwd=root, check=False, timeout=120
        )
        said = result.stderr.strip()
        if result.returncode or said:
            return f"{page.relative_to(root)}: {said or f'pandoc exited {result.returncode}'}"
        return ""

    with ThreadPoolExecutor() as pool:
        messages = [m for m in pool.map(one, pages) if m]
    return len(pages), messages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "dist" / "pandoc"))
    args = parser.parse_args(argv)
    count, messages = render_all(Path(args.out).resolve())
    for message in messages:
        print(message, file=sys.stderr)
    print(f"rendered {count} pages with Pandoc into {args.out}: {len(messages)} with warnings", file=sys.stderr)
    return 1 if messages else 0


if __name__ == "__main__":
    sys.exit(main())
