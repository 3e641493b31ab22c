"""Build several corpus sites in one process and report each build as one JSON line.

    python tests/corpus_build.py SITE_ROOT [SITE_ROOT ...]
    python tests/corpus_build.py --serve     # one JSON request a line on stdin: {"root": ...}

Each site root holds a pelicanconf.py written by test_corpus.make_site(). Its
output/ is first filled with a sentinel standing for the last good build; a
build that fails must leave it byte for byte as it was. One process builds
many sites (tools/build.py resets the plugin's state and Pelican's log filter
for every build), which is what keeps a build of every corpus case cheap.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
from pathlib import Path

from tools import build as site_tool

REPO = Path(__file__).resolve().parent.parent
SENTINEL = "<!doctype html><title>last good build</title>\n"


def build_one(root: Path) -> dict[str, object]:
    """Build the site at *root* over a sentinel output; what happened, as a dict."""
    output = root / "output"
    output.mkdir(exist_ok=True)
    (output / "sentinel.html").write_text(SENTINEL, encoding="utf-8")
    captured = io.StringIO()
    with contextlib.redirect_stderr(captured), contextlib.redirect_stdout(captured):
        for handler in logging.getLogger().handlers:
            if isinstance(handler, site_tool.PlainHandler):
                handler.setStream(captured)  # the handler kept the stream of the first build
        try:
            code = site_tool.build(str(root / "pelicanconf.py"), str(output))
        except BaseException as exc:  # the test reports any escape as a failure
            code = f"raised {type(exc).__name__}: {exc}"
    files = sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file())
    sentinel = output / "sentinel.html"
    return {
        "root": str(root),
        "code": code,
        "stderr": captured.getvalue(),
        "files": files,
        "sentinel_intact": sentinel.is_file() and sentinel.read_text(encoding="utf-8") == SENTINEL,
    }


def main(roots: list[str]) -> int:
    if roots == ["--serve"]:
        # A worker for a whole test session: each request line names a site root to build.
        roots = (json.loads(line)["root"] for line in sys.stdin)
    for root in roots:
        print(json.dumps(build_one(Path(root))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
