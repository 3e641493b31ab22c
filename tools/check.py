"""Check all content and citations without building the site.

    python tools/check.py [--settings pelicanconf.py] [--format text|github]

Runs the same checks as the build (it shares plugins/bibcite/document.py with
the reader) plus the links and anchors between pages, and prints every problem
as ``path:line:col: severity: message [code]`` with a hint, or as GitHub Actions
annotations. Exits 0 only when there is no error and no warning.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from bibcite import clauses, files, links  # noqa: E402
from bibcite.bibliography import load, uncited  # noqa: E402
from bibcite.document import Analysis, analyse, make_context  # noqa: E402
from bibcite.problems import Collector, relative  # noqa: E402
from bibcite.settings import merge  # noqa: E402



def read_settings(path: Path) -> dict[str, Any]:
    """Execute a Pelican settings file without importing Pelican."""
    namespace: dict[str, Any] = {"__file__": str(path), "__name__": "settings"}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102 - our own settings
    return {k: v for k, v in namespace.items() if k.isupper()}


def markdown_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments Pelican's Markdown reader would pass to Markdown()."""
    configured = dict(settings.get("MARKDOWN", {}))
    configs = configured.get("extension_configs", {})
    extensions = list(configured.get("extensions", []))
    extensions += [name for name in configs if name not in extensions]
    if "markdown.extensions.meta" not in extensions:
        extensions.append("markdown.extensions.meta")
    return {**configured, "extensions": extensions, "extension_configs": configs}


def output_name(analysis: Analysis, source: Path) -> str:
    """Where the build writes this page: point-N.html for a clause, else its file name as .html."""
    if analysis.clause:
        return f"point-{analysis.clause.number}.html"
    return f"{source.stem}.html"


def check(settings_file: Path) -> tuple[Collector, int]:
    """Run every check; return the problems and the number of pages checked."""
    settings = read_settings(settings_file)
    plugin = merge(settings)
    root = Path(plugin["BIBCITE_ROOT"]).resolve()
    # abspath, not resolve(): a linked folder must be seen as the link it is (files.walk refuses links).
    content = Path(os.path.abspath(settings_file.parent / settings.get("PATH", "content")))
    collector = Collector(root)
    sources, found = load(plugin["BIBCITE_BIBLIOGRAPHY"], root, relative(settings_file, root), plugin["BIBCITE_STRICT"])
    collector.extend(found)
    context, found = make_context(sources, markdown_settings(settings), plugin, root)
    collector.extend(found)

    clause_folder = content / plugin["BIBCITE_CLAUSES_PATH"]
    walked = files.walk(content, root, ".md", page_names=True)
    collector.extend(walked.problems)
    page_folders = [content / sub for sub in settings.get("PAGE_PATHS", ["pages"])]
    collector.extend(files.outside(walked.files, page_folders, root))
    pages: dict[Path, Analysis] = {}
    for path in walked.files:
        if not any(path.is_relative_to(folder) for folder in page_folders):
            continue  # Pelican reads pages only from PAGE_PATHS
        analysis = analyse(path.read_bytes(), files.shown(relative(path, root)), context,
                           path.is_relative_to(clause_folder))
        collector.extend(analysis.problems)
        pages[path] = analysis
    readable = {p: a for p, a in pages.items() if a.readable}
    collector.extend(clauses.check_set([a.clause for a in readable.values() if a.clause]))
    clashes = files.check_outputs([(a.path, output_name(a, p), a.clause is not None) for p, a in readable.items()])
    collector.extend(clashes)
    # A page that would overwrite another is not a link target (its anchors would be the other's).
    readable = {p: a for p, a in readable.items() if a.path not in {c.path for c in clashes}}
    collector.extend(uncited(sources, {n.source.key for a in readable.values() for n in a.result.notes}))
    collector.extend(links.check([links.Page(a.path, p, output_name(a, p), a.html + a.correction_links, a.result.notes,
                                             a.clause.number if a.clause else None) for p, a in readable.items()],
                                 sources))
    return collector, len(pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settings", default=str(ROOT / "pelicanconf.py"))
    parser.add_argument("--format", choices=("text", "github"), default="text")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    collector, count = check(Path(args.settings).resolve())
    collector.report(sys.stdout if args.format == "github" else sys.stderr, args.format)
    clean = not collector.errors and not collector.warnings
    if args.format == "text":
        verdict = "clean" if clean else "not clean"
        print(f"checked {count} pages in {time.perf_counter() - started:.2f} s: {verdict}", file=sys.stderr)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
