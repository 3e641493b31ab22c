"""Lighthouse audit of the built site (output/): the scores of a few pages and what fails on them.

    python -m tools.lighthouse [--pages home,clause,...] [--modes mobile,desktop]
    make lighthouse

Lighthouse 12.2.3 (pinned in tools/lighthouse/package.json and its lock: 13 wants Node 22) is
installed there with ``npm ci`` when its node_modules is missing or not the locked one; its
postinstall (tools/lighthouse/patch-trace-engine.mjs) lets its trace engine read the traces of
the current Chromium. The site is served from output/ on a free loopback port by Python's
http.server in this process, and each page is audited in a fresh headless Chromium
(/usr/bin/chromium, or CHROME_PATH), as a phone (Lighthouse's default, throttled) and as a
desktop (--preset=desktop): performance, accessibility, best practices and SEO.

It prints a Markdown table (page x mode: the four scores and the cumulative layout shift), then,
for every score under 100, the audits that lose points with the elements, files and numbers
Lighthouse names. Lighthouse's JSON reports and this summary go to bench/lighthouse/. This is an
audit, not a test: it exits 0 whatever the scores, and non-zero only when Lighthouse could not
run (no Node, no Chromium, no built site, a failed install or a run that produced no report).

Performance on a shared two-core machine varies from run to run; the local server sends no
cache headers and no compression (the hosted site's .gz/.br are not built by `make html`), so
the audits marked "local server" say nothing about the site itself.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "output"
NODE_DIR = ROOT / "tools" / "lighthouse"
LIGHTHOUSE_BIN = NODE_DIR / "node_modules" / ".bin" / "lighthouse"
TRACE_PATCHED = NODE_DIR / "node_modules/@paulirish/trace_engine/models/trace/handlers/ScreenshotsHandler.js"
TRACE_PATCH_MARK = "frame_reporter ??"
REPORTS = ROOT / "bench" / "lighthouse"
CHROME = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"
CATEGORIES = {"performance": "perf", "accessibility": "a11y", "best-practices": "best practices", "seo": "SEO"}
#: label -> path and query under output/.
PAGES = {
    "home": "index.html",
    "clause": "point-21.html",
    "sources": "sources/index.html",
    "source": "sources/plan2025.html",
    "search": "search.html?q=NATO",
    "timeline": "timeline.html",
}
MODES = ("mobile", "desktop")
#: Audits that judge the server rather than the pages: http.server sends no Cache-Control, no compression.
LOCAL_SERVER = {"uses-long-cache-ttl", "uses-text-compression", "uses-http2"}
#: Shown for a page whose performance is under 100 (informative: they carry no score of their own).
PERF_CONTEXT = ("largest-contentful-paint-element", "layout-shifts")
SCORED = {"binary", "numeric", "metricSavings"}
RUN_TIMEOUT = 300
MAX_ITEMS = 8
MAX_SNIPPET = 160


class LighthouseError(Exception):
    """Lighthouse cannot run at all here."""


@dataclass
class Run:
    page: str
    path: str
    mode: str
    report: Path
    lhr: dict[str, Any] | None = None
    error: str = ""
    lines: list[str] = field(default_factory=list)


# --- installing and running ----------------------------------------------------------------------------------------


def locked_version() -> str:
    lock = json.loads((NODE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    return str(lock["packages"]["node_modules/lighthouse"]["version"])


def installed_version() -> str | None:
    manifest = NODE_DIR / "node_modules" / "lighthouse" / "package.json"
    if not manifest.is_file() or not LIGHTHOUSE_BIN.exists():
        return None
    return str(json.loads(manifest.read_text(encoding="utf-8")).get("version"))


def trace_patched() -> bool:
    return TRACE_PATCHED.is_file() and TRACE_PATCH_MARK in TRACE_PATCHED.read_text(encoding="utf-8")


def ensure_lighthouse() -> str:
    """The locked Lighthouse in tools/lighthouse/node_modules, installed with `npm ci` if needed; its version."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise LighthouseError(
                f"{tool} is not on PATH: Lighthouse needs Node.js 18.20 or later (apt-get install nodejs npm)"
            )
    wanted = locked_version()
    if installed_version() == wanted and trace_patched():
        return wanted
    print(f"Installing Lighthouse {wanted} in {NODE_DIR.relative_to(ROOT)}/ (npm ci) ...", file=sys.stderr)
    done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True, text=True)
    if done.returncode != 0:
        raise LighthouseError(f"npm ci failed in {NODE_DIR} (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    if installed_version() != wanted or not trace_patched():
        raise LighthouseError(
            f"npm ci did not install the locked Lighthouse {wanted} with its trace patch in {NODE_DIR}"
        )
    return wanted


def chrome_path() -> tuple[str, str]:
    """The Chromium to audit with, and its version line."""
    chrome = os.environ.get("CHROME_PATH") or CHROME
    if not Path(chrome).is_file() or not os.access(chrome, os.X_OK):
        raise LighthouseError(f"no Chromium at {chrome}: apt-get install chromium, or set CHROME_PATH")
    done = subprocess.run([chrome, "--version"], capture_output=True, text=True, timeout=60)
    if done.returncode != 0 or not done.stdout.strip():
        raise LighthouseError(f"{chrome} --version failed (exit {done.returncode}): {done.stderr.strip()}")
    return chrome, done.stdout.strip()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, keep-alive, no log line per request."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve *folder* on a free loopback port in a thread; yields the base URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, name="lighthouse-site", daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/"
        finally:
            server.shutdown()
            thread.join(timeout=10)


def run_one(run: Run, base: str, chrome: str) -> None:
    """Lighthouse on one page in one mode; fills run.lhr, or run.error."""
    run.report.unlink(missing_ok=True)
    cmd = [
        str(LIGHTHOUSE_BIN),
        base + run.path,
        "--output=json",
        f"--output-path={run.report}",
        "--only-categories=" + ",".join(CATEGORIES),
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]
    if run.mode == "desktop":
        cmd.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": chrome}
    try:
        done = subprocess.run(cmd, cwd=NODE_DIR, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        run.error = f"Lighthouse did not finish in {RUN_TIMEOUT} s"
        return
    if done.returncode != 0 or not run.report.is_file():
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        run.error = f"Lighthouse exited {done.returncode}: {tail}"
        return
    lhr = json.loads(run.report.read_text(encoding="utf-8"))
    if lhr.get("runtimeError"):
        run.error = f"{lhr['runtimeError'].get('code')}: {lhr['runtimeError'].get('message')}"
        return
    run.lhr = lhr


# --- reading a report ----------------------------------------------------------------------------------------------


def shorten(text: str, limit: int = MAX_SNIPPET) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def score(value: float | None) -> str:
    return "n/a" if value is None else str(round(value * 100))


def node_text(node: dict[str, Any]) -> str:
    parts = [f"`{node.get('selector', '?')}`"]
    if node.get("snippet"):
        parts.append(f"`{shorten(node['snippet'])}`")
    if node.get("nodeLabel") and node.get("nodeLabel") not in node.get("snippet", ""):
        parts.append(f'"{shorten(node["nodeLabel"], 80)}"')
    if node.get("explanation"):
        parts.append("— " + shorten(node["explanation"], 300))
    return " ".join(parts)


def value_text(value: Any, value_type: str, base: str) -> str:
    """One cell of a Lighthouse table as text."""
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "node":
            return node_text(value)
        if kind == "source-location":
            return f"{value.get('url', '').replace(base, '/')}:{value.get('line', 0) + 1}:{value.get('column', 0) + 1}"
        if kind in ("url", "code", "text", "numeric"):
            return value_text(value.get("value"), "url" if kind == "url" else "", base)
        return shorten(json.dumps(value), 100)
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int | float):
        if value_type == "bytes":
            return f"{value / 1024:.1f} KiB"
        if value_type in ("ms", "timespanMs"):
            return f"{value:,.0f} ms"
        return f"{value:.3g}" if isinstance(value, float) else str(value)
    text = str(value).replace(base, "/")
    return text if value_type == "url" else shorten(text)


def table_lines(details: dict[str, Any], base: str, indent: str) -> list[str]:
    """The rows of a table/opportunity/list detail, one line each (the first MAX_ITEMS)."""
    if details.get("type") == "list":
        return [line for sub in details.get("items", []) for line in table_lines(sub, base, indent)]
    if details.get("type") not in ("table", "opportunity"):
        return []
    headings = [h for h in details.get("headings", []) if h.get("key")]
    items = details.get("items", [])
    lines = []
    for item in items[:MAX_ITEMS]:
        cells = []
        for heading in headings:
            text = value_text(item.get(heading["key"]), heading.get("valueType", ""), base)
            if text:
                cells.append(
                    text if heading.get("valueType") == "node" else f"{heading.get('label') or heading['key']}: {text}"
                )
        lines.append(f"{indent}- " + "; ".join(cells))
        lines.extend(sub_item_lines(item, headings, base, indent + "  "))
    if len(items) > MAX_ITEMS:
        lines.append(f"{indent}- … and {len(items) - MAX_ITEMS} more (see the JSON report)")
    return lines


def sub_item_lines(item: dict[str, Any], headings: list[dict[str, Any]], base: str, indent: str) -> list[str]:
    subs = (item.get("subItems") or {}).get("items", [])
    lines = []
    for sub in subs[:3]:
        cells = []
        for heading in headings:
            sub_heading = heading.get("subItemsHeading") or {}
            if sub_heading.get("key") and sub.get(sub_heading["key"]) is not None:
                cells.append(value_text(sub[sub_heading["key"]], sub_heading.get("valueType", ""), base))
        if cells:
            lines.append(f"{indent}- related: " + "; ".join(cells))
    return lines


def audit_lines(audit: dict[str, Any], weight: float | None, base: str) -> list[str]:
    head = f"  - `{audit['id']}` {audit.get('title', '')}"
    facts = []
    if audit.get("displayValue"):
        facts.append(str(audit["displayValue"]))
    if audit.get("score") is not None:
        facts.append(f"score {audit['score']:.2f}")
    if weight:
        facts.append(f"weight {weight:g}")
    if audit["id"] in LOCAL_SERVER:
        facts.append("local server, not the site")
    if facts:
        head += " — " + ", ".join(facts)
    return [head, *table_lines(audit.get("details") or {}, base, "    ")]


def failing(lhr: dict[str, Any], category: str) -> list[tuple[dict[str, Any], float]]:
    """The category's audits that lose points (score under 1), the heaviest first."""
    audits = lhr["audits"]
    found = []
    for ref in lhr["categories"][category]["auditRefs"]:
        audit = audits.get(ref["id"], {})
        if audit.get("scoreDisplayMode") in SCORED and audit.get("score") is not None and audit["score"] < 1:
            found.append((audit, float(ref.get("weight", 0))))
    return sorted(found, key=lambda pair: (-pair[1], pair[0]["score"]))


def findings(lhr: dict[str, Any], base: str) -> list[str]:
    """What fails in each category under 100, as Markdown list lines."""
    lines = []
    for category, label in CATEGORIES.items():
        cat = lhr["categories"][category]
        if cat.get("score") is not None and cat["score"] >= 1:
            continue
        lines.append(f"- **{label} {score(cat.get('score'))}**")
        shown = failing(lhr, category)
        for audit, weight in shown:
            lines.extend(audit_lines(audit, weight, base))
        if category == "performance":
            for audit_id in PERF_CONTEXT:
                audit = lhr["audits"].get(audit_id, {})
                if (audit.get("details") or {}).get("items") and all(a["id"] != audit_id for a, _ in shown):
                    lines.extend(audit_lines(audit, None, base))
    for audit in lhr["audits"].values():
        if audit.get("scoreDisplayMode") == "error":
            lines.append(f"- audit `{audit['id']}` could not run: {shorten(audit.get('errorMessage', ''), 200)}")
    lines.extend(f"- Lighthouse warns: {shorten(warning, 300)}" for warning in lhr.get("runWarnings", []))
    return lines


def cls_text(lhr: dict[str, Any]) -> str:
    value = lhr["audits"].get("cumulative-layout-shift", {}).get("numericValue")
    return "n/a" if value is None else f"{value:.3f}"


# --- the whole ------------------------------------------------------------------------------------------------------


def summary(runs: list[Run], base: str, header: str) -> str:
    out = [
        header,
        "",
        "| page | mode | " + " | ".join(CATEGORIES.values()) + " | CLS |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        if run.lhr is None:
            cells = ["error"] * (len(CATEGORIES) + 1)
        else:
            lhr = run.lhr
            cells = [score(lhr["categories"][c].get("score")) for c in CATEGORIES] + [cls_text(lhr)]
        out.append(f"| {run.page} `{run.path}` | {run.mode} | " + " | ".join(cells) + " |")
    out.append("")
    details = []
    for run in runs:
        lines = [f"- Lighthouse could not audit this page: {run.error}"] if run.lhr is None else findings(run.lhr, base)
        if lines:
            details += ["", f"### {run.page} `{run.path}`, {run.mode}", "", *lines]
    out += ["## What loses points", *(details or ["", "Nothing: every score is 100."])]
    return "\n".join(out) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default=",".join(PAGES), help=f"comma-separated, of: {', '.join(PAGES)}")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated, of: mobile, desktop")
    parser.add_argument("--site", type=Path, default=SITE, help="the built site (default: output/)")
    args = parser.parse_args(argv)
    args.pages = [p for p in args.pages.split(",") if p]
    args.modes = [m for m in args.modes.split(",") if m]
    unknown = [p for p in args.pages if p not in PAGES] + [m for m in args.modes if m not in MODES]
    if unknown:
        parser.error(f"unknown page or mode: {', '.join(unknown)}")
    return args


def plan(args: argparse.Namespace) -> list[Run]:
    site: Path = args.site
    if not (site / "index.html").is_file():
        raise LighthouseError(f"no built site in {site}: run `make html` first")
    missing = [PAGES[p] for p in args.pages if not (site / PAGES[p].split("?")[0]).is_file()]
    if missing:
        raise LighthouseError(f"not in {site}: {', '.join(missing)} (tools/lighthouse.py's PAGES is out of date)")
    REPORTS.mkdir(parents=True, exist_ok=True)
    runs = []
    for page in args.pages:
        for mode in args.modes:
            report = REPORTS / f"{page}-{mode}.json"
            runs.append(Run(page=page, path=PAGES[page], mode=mode, report=report))
    return runs


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        runs = plan(args)
        version = ensure_lighthouse()
        chrome, browser = chrome_path()
    except LighthouseError as error:
        print(f"tools.lighthouse: {error}", file=sys.stderr)
        return 2
    with serve(args.site) as base:
        for run in runs:
            print(f"Lighthouse: {run.page} ({run.path}), {run.mode} ...", file=sys.stderr, flush=True)
            run_one(run, base, chrome)
            if run.error:
                print(f"  failed: {run.error}", file=sys.stderr)
    built = dt.datetime.fromtimestamp((args.site / "index.html").stat().st_mtime, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = f"## Lighthouse {version}, {browser} ({chrome}), site {args.site} (index.html of {built})"
    text = summary(runs, base, header)
    (REPORTS / "summary.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"JSON reports and this summary: {REPORTS.relative_to(ROOT)}/", file=sys.stderr)
    failed = [run for run in runs if run.lhr is None]
    if failed:
        print(f"tools.lighthouse: {len(failed)} of {len(runs)} runs produced no report", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
