"""Run `make check` and a build of one site under a file-access audit hook; print what was touched outside.

    python tests/audit_build.py SETTINGS OUTPUT SOURCE_TEXTS

Every ``open`` (Python's audit event, raised by open(), os.open() and the
io module) is recorded. Reads must stay inside the repository, the site, the
source-text folder and Python's own installation; writes inside the output
folder's parent, where the build stages, swaps and locks its output. Prints
one JSON object: the violations, and the build's and the check's exit codes.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: Read-only system data the standard library itself reads (the time zone of Pelican's dates).
SYSTEM_READS = ("/usr/share/zoneinfo/",)
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def main(settings: str, output: str, texts: str) -> int:
    # Paths are compared once every link is resolved: what counts is the file really read.
    real = os.path.realpath
    reads = (
        tuple(real(p) + "/" for p in (REPO, Path(settings).parent, texts, sys.prefix, sys.base_prefix, sys.exec_prefix))
        + SYSTEM_READS
    )
    writes = (real(Path(output).parent) + "/",)
    violations: list[str] = []

    def hook(event: str, args: tuple) -> None:
        if event != "open" or isinstance(args[0], int):
            return
        path = os.path.realpath(os.fsdecode(args[0]))
        mode, flags = args[1], args[2] if len(args) > 2 else 0
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool((flags or 0) & WRITE_FLAGS)
        allowed = writes if writing else reads + writes  # the build reads back what it wrote (search index)
        if not any(path.startswith(root) or path + "/" == root for root in allowed):
            violations.append(f"{'write' if writing else 'read'} {path}")

    from tools import build as site_tool
    from tools import check as check_tool

    sys.addaudithook(hook)
    captured = io.StringIO()
    with contextlib.redirect_stderr(captured), contextlib.redirect_stdout(captured):
        checked = check_tool.main(["--settings", settings])
        built = site_tool.build(settings, output)
    print(
        json.dumps(
            {"violations": sorted(set(violations)), "check": checked, "build": built, "log": captured.getvalue()}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
