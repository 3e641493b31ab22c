"""Check all content and citations without building the site.

    python -m tools.check [--settings pelicanconf.py] [--format text|github]

Runs the same checks as the build (pelican.plugins.bibcite.pipeline, with
the hooks of every plugin the settings enable) and prints every problem as
``path:line:col: severity: message [code]`` with a hint, or as GitHub Actions
annotations. Exits 0 only when there is no error and no warning.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from pelican.plugins._utils import load_plugins

from pelican.plugins.bibcite import hooks, pipeline
from pelican.plugins.bibcite.problems import Collector

ROOT = Path(__file__).resolve().parent.parent


def read_settings(path: Path) -> dict[str, Any]:
    """Execute a Pelican settings file without building (our own file, as Pelican itself would run it)."""
    namespace: dict[str, Any] = {"__file__": str(path), "__name__": "settings"}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return {k: v for k, v in namespace.items() if k.isupper()}


def register_plugins(settings: dict[str, Any]) -> None:
    """Register the plugins the settings enable, so their hooks run as in a build."""
    plugins = load_plugins(settings)
    for plugin in plugins:
        plugin.register()
    hooks.REGISTRY.keep_only(plugin.__name__ for plugin in plugins)


def check(settings_file: Path) -> tuple[Collector, int]:
    """Run every check; return the problems and the number of pages checked."""
    settings = read_settings(settings_file)
    register_plugins(settings)
    return pipeline.check_files(settings, settings_file)


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
