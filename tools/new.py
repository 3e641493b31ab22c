"""Scaffold a correct source entry or clause page from a few answers.

    python tools/new.py source     # a BibTeX entry in citations/<key>.bib
    python tools/new.py clause     # a page in content/clauses/NN-<slug>.md

Answers are read from the terminal (or standard input, one per line). A key or
clause that already exists is refused, and what is written is checked at once.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from collections.abc import Callable
from pathlib import Path

from explainer.plugin import merge as explainer_settings
from explainer.plugin import spec_of
from pelican.plugins.bibcite.bibliography import load, valid_iso
from pelican.plugins.bibcite.header import parse as parse_header
from pelican.plugins.bibcite.settings import merge, rules
from pelican.plugins.bibcite.syntax import KEY_RE
from tools.check import read_settings

ROOT = Path(__file__).resolve().parent.parent
#: The site's rules for entries (kinds) and the annotated document's sections, from its settings.
SETTINGS = read_settings(ROOT / "pelicanconf.py")
RULES = rules(merge(SETTINGS))
KINDS = RULES.kinds
SPEC = spec_of(explainer_settings(SETTINGS))


class Refused(Exception):
    """An answer that cannot be accepted; the message says why."""


def ask(question: str, check: Callable[[str], str | None] = lambda _: None, default: str = "") -> str:
    """Ask until the answer passes *check* (which returns an error message or None)."""
    while True:
        prompt = f"{question}" + (f" [{default}]" if default else "") + ": "
        print(prompt, end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            raise Refused(f"no answer to {question!r}")
        answer = line.strip() or default
        problem = check(answer)
        if problem is None:
            return answer
        print(f"  {problem}", file=sys.stderr)


def braced(value: str) -> str:
    return "{" + value.replace("{", "").replace("}", "") + "}"


def new_source(root: Path = ROOT) -> Path:
    """Ask for a source's details and write citations/<key>.bib."""
    sources, _ = load(["citations"], root, rules=RULES)

    def key_ok(key: str) -> str | None:
        if not key or KEY_RE.fullmatch(key) is None:
            return "a key is letters, digits and _ (e.g. guardian2025)"
        if key in sources:
            return f"key {key!r} already exists in {sources[key].path}:{sources[key].line}"
        if (root / "citations" / f"{key}.bib").exists():
            return f"citations/{key}.bib already exists"
        return None

    key = ask("Citation key", key_ok)
    kind = ask("Kind (" + ", ".join(KINDS) + ")", lambda k: None if k in KINDS else "one of " + ", ".join(KINDS))
    outlet = ask("Outlet (blank if not known)")
    title = ask("Title (blank if not known)")
    authors = ask("Authors as 'Last, First and Last, First' (blank if not known)")
    date = ask(
        "Date YYYY-MM-DD, YYYY-MM or YYYY (blank if not known)",
        lambda d: None if not d or valid_iso(d) else "an ISO date such as 2025-11-21",
    )
    url = ask(
        "Address (blank if not known)",
        lambda u: None if not u or re.match(r"^https?://\S+$", u) else "an http(s) address",
    )
    note = ask("Reliability note readers should see (blank if none)")
    sourcetext = ask("File name of its text in ../shared/sources (blank if none)")
    fields = [("title", title), ("author", authors), ("journaltitle", outlet), ("date", date), ("url", url)]
    unknown = [name if name != "journaltitle" else "outlet" for name, value in fields if not value]
    lines = [f"@online{{{key},"]
    lines += [f"  {name:<12} = {braced(value)}," for name, value in fields if value]
    if unknown:
        lines.append(f"  {'unknown':<12} = {braced(', '.join(unknown))},")
    lines.append(f"  {'kind':<12} = {braced(kind)},")
    if note:
        lines.append(f"  {'note':<12} = {braced(note)},")
    if sourcetext:
        lines.append(f"  {'sourcetext':<12} = {braced(sourcetext)},")
    lines.append("}")
    path = root / "citations" / f"{key}.bib"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems = load([f"citations/{key}.bib"], root, rules=RULES)
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    print(f"wrote {path.relative_to(root)}; cite it as [@{key}]", file=sys.stderr)
    return path


def existing_clauses(root: Path) -> dict[int, Path]:
    found = {}
    for path in sorted((root / "content" / "clauses").glob("*.md")):
        given = parse_header(path.read_text(encoding="utf-8", errors="replace"))[0].get("clause")
        value = given.value if given else ""
        if re.fullmatch(r"[0-9]{1,3}", value):
            found[int(value)] = path
    return found


def new_clause(root: Path = ROOT) -> Path:
    """Ask for a clause's number and title and write its page skeleton."""
    have = existing_clauses(root)

    def number_ok(value: str) -> str | None:
        if not value.isdigit() or not 1 <= int(value) <= SPEC.count:
            return f"a clause number from 1 to {SPEC.count}"
        if int(value) in have:
            return f"clause {value} already has a page: {have[int(value)].relative_to(root)}"
        return None

    number = int(ask("Clause number", number_ok))
    title = ask("Short title", lambda t: None if t else "a short title, e.g. 'Army size: a cap of 600,000'")
    summary = ask("One-sentence summary", lambda s: None if s.endswith(".") else "one sentence ending with '.'")

    def related_ok(value: str) -> str | None:
        numbers = [v.strip() for v in value.split(",") if v.strip()]
        bad = [v for v in numbers if not v.isdigit() or int(v) not in have or int(v) == number]
        return f"not other clauses with pages: {', '.join(bad)}" if bad else None

    related = ask("Related clauses, e.g. 5, 7", related_ok)
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower().split(":")[0]).strip("-")[:40] or "clause"
    path = root / "content" / "clauses" / f"{number:02d}-{slug}.md"
    path.write_text(
        SKELETON.format(
            title=title,
            number=number,
            section=SPEC.section_of(number),
            summary=summary,
            related=related,
            today=datetime.date.today().isoformat(),
        ),
        encoding="utf-8",
    )
    print(f"wrote {path.relative_to(root)}; fill in each section, then run make check", file=sys.stderr)
    return path


SKELETON = """Title: {title}
Clause: {number}
Section: {section}
Summary: {summary}
Related: {related}
Date: {today}

## The text {{#text}}

::: {{.clause}}
<!-- Copy point {number} exactly from the plan's text, one paragraph per sub-item ("a. ..."). -->
:::

Point {number} as reproduced in full by Naked Capitalism, which does not say where its copy came from.[@plan2025]

## In plain words {{#plain-words}}

<!-- What the clause would do and who must act; cite every sentence. -->

## What the reporting says {{#reporting}}

<!-- What the outlets reported and argued; attribute opinion and second-hand reports.
     If no article discusses this clause, say so plainly. -->
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("source", "clause"))
    parser.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    try:
        if args.what == "source":
            new_source(root)
        else:
            new_clause(root)
    except Refused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
