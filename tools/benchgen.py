"""Deterministic generator of synthetic sites for the citation benchmark (issue 7).

    python -m tools.benchgen OUTDIR [--pages N --entries M] [--seed S]
    python -m tools.benchgen OUTDIR --size small|medium|large

Writes the same N pages of about 800 words and 12 citation groups each in four variants:

- ``OUTDIR/S``: stock Pelican, the floor (issue 17): plain Markdown footnotes
  ``[^n]`` whose text is the formatted reference (outlet, title, byline, date,
  URL) plus the page's pinpoints, built by the ``pelican`` command with
  Pelican's default theme, its default Markdown extensions plus footnotes, and
  no plugin at all (``PLUGINS = []``: not even the installed namespace ones);
- ``OUTDIR/A``: the same files as S, built with our theme and our plugins
  minus citations (sitesearch);
- ``OUTDIR/B``: the same pages with our ``[@key]`` syntax, built with our theme,
  the bibcite plugin (from ``OUTDIR/B/citations/synthetic.bib``, M @article
  entries) and sitesearch;
- ``OUTDIR/N``: the same prose with no citations at all, built like A, for
  reference (Python-Markdown's footnotes are not free).

Each variant has its own ``pelicanconf.py``. A, B and N share the real site's
theme, Markdown and URL settings; S shares only the settings that decide how
much is written (the same pages, as Pelican pages at the same addresses, no
menu of pages, no index, feeds or taxonomy pages), not the theme, Markdown or
Jinja settings. Citations include repeats of a source on a page, multi-key
groups, prefixes, locators and quoted pinpoints; every entry is cited at least
once when N * 7 >= M. The same seed gives byte-identical files.
"""

from __future__ import annotations

import argparse
import copy
import random
import runpy
import sys
from dataclasses import dataclass
from pathlib import Path

from pelican.plugins.bibcite.dates import MONTHS

REPO = Path(__file__).resolve().parents[1]
#: (pages, entries) of the benchmark's sizes; "large" takes minutes to build.
SIZES = {"small": (28, 40), "medium": (500, 400), "large": (5000, 2000)}
#: S: stock Pelican with Markdown footnotes; A: the same with our theme and plugins minus citations;
#: B: our citations with bibcite; N: no citations (reference). Built in this order, round after round.
VARIANTS = ("S", "A", "B", "N")
#: The variants built by the stock ``pelican`` command rather than ``tools.build``.
STOCK = ("S",)
#: Our plugins in the synthetic sites (explainer needs the plan's clauses and is left out).
PLUGINS = {"A": ["sitesearch"], "B": ["pelican.plugins.bibcite", "sitesearch"], "N": ["sitesearch"]}
KINDS = ("news", "analysis", "opinion", "commentary", "primary", "unverified")
#: Distinct sources cited by one page (every one at least once, then at random).
POOL = 7
GROUPS_PER_PAGE = 12
PARAGRAPHS = 9
WORDS_PER_PARAGRAPH = 86
#: The extension stock S adds to Pelican's default Markdown settings (``extra`` already includes it).
FOOTNOTES = "markdown.extensions.footnotes"
#: Settings copied from the real pelicanconf.py so A, B and N render like the real site.
SHARED_SETTINGS = (
    "AUTHOR",
    "SITENAME",
    "SITESUBTITLE",
    "SITEURL",
    "RELATIVE_URLS",
    "TIMEZONE",
    "DEFAULT_LANG",
    "PAGE_TRANSLATION_ID",
    "ARTICLE_TRANSLATION_ID",
    "DEFAULT_DATE",
    "STATIC_PATHS",
    "PAGE_URL",
    "PAGE_SAVE_AS",
    "INDEX_SAVE_AS",
    "AUTHOR_SAVE_AS",
    "AUTHORS_SAVE_AS",
    "CATEGORY_SAVE_AS",
    "CATEGORIES_SAVE_AS",
    "TAG_SAVE_AS",
    "TAGS_SAVE_AS",
    "ARCHIVES_SAVE_AS",
    "DIRECT_TEMPLATES",
    "DISPLAY_CATEGORIES_ON_MENU",
    "FEED_ALL_ATOM",
    "FEED_ALL_RSS",
    "CATEGORY_FEED_ATOM",
    "TRANSLATION_FEED_ATOM",
    "AUTHOR_FEED_ATOM",
    "AUTHOR_FEED_RSS",
    "SLUGIFY_SOURCE",
    "CACHE_CONTENT",
    "LOAD_CONTENT_CACHE",
    "MARKDOWN",
    "JINJA_ENVIRONMENT",
)
#: What S takes of those: what decides the pages written and their addresses, not how they look.
STOCK_EXCLUDED = ("MARKDOWN", "JINJA_ENVIRONMENT")

_VOCABULARY_TEXT = (
    "agreement ceasefire border envoy negotiators draft clause guarantee territory security sanctions "
    "reconstruction assets council observers region parliament ministers allies reporters analysts "
    "critics officials document proposal version outline summit talks terms withdrawal line troops "
    "economy fund energy plant river grain exchange prisoners amnesty elections referendum treaty "
    "alliance membership army limit dialogue commission monitoring framework timeline deadline "
    "the a of to in and that which with for on by from as at after before under over between "
    "reported described argued suggested noted said claimed wrote added confirmed denied disputed "
    "would could might should must may will has had was were is are be been being "
    "new final earlier later formal informal public private western eastern european american russian "
    "ukrainian central broad narrow long short early late major minor direct indirect partial full"
)
VOCABULARY = _VOCABULARY_TEXT.split()
OUTLETS = (
    "The Daily Ledger",
    "Northern Courier",
    "Policy Review",
    "The Evening Standard Post",
    "Global Wire",
    "Capital Observer",
    "Foreign Affairs Weekly",
    "The Morning Dispatch",
    "Eastern Monitor",
    "The Analyst",
    "Harbour Times",
    "Continental Review",
    "Open Brief",
    "The Week in Focus",
    "Signal and Noise",
    "Field Notes",
    "The Quarterly",
    "Riverside Gazette",
    "Common Ground",
    "Frontline Journal",
)
FIRST = [
    "Anna",
    "Boris",
    "Clara",
    "David",
    "Elena",
    "Farid",
    "Greta",
    "Hugo",
    "Irina",
    "Jonas",
    "Karin",
    "Lev",
    "Maria",
    "Nils",
    "Olga",
    "Pavel",
    "Rosa",
    "Sven",
    "Tara",
    "Viktor",
]
LAST = [
    "Adler",
    "Brandt",
    "Costa",
    "Dvorak",
    "Eriksen",
    "Fischer",
    "Gallo",
    "Horvat",
    "Ivanova",
    "Jensen",
    "Kovac",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Orlov",
    "Petrov",
    "Quinn",
    "Rossi",
    "Sato",
    "Tanaka",
]


@dataclass(frozen=True)
class Entry:
    """One synthetic source."""

    #: citation key
    key: str
    #: article title
    title: str
    #: authors as "Last, First", empty when declared unknown
    authors: tuple[str, ...]
    #: outlet name
    outlet: str
    #: ISO date
    date: str
    #: article address
    url: str
    #: kind of source
    kind: str


@dataclass(frozen=True)
class Citation:
    """One source inside a citation group."""

    #: the entry cited
    entry: Entry
    #: "see", or empty
    prefix: str
    #: e.g. "para. 4", or empty
    locator: str
    #: a short quoted passage, or empty
    quote: str


def make_entries(count: int, rng: random.Random) -> list[Entry]:
    """*count* entries with unique keys; one in twenty has no known byline."""
    entries = []
    for i in range(count):
        outlet = OUTLETS[i % len(OUTLETS)]
        slug = "".join(c for c in outlet.lower() if c.isalnum())
        title = " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(5, 10))).capitalize()
        authors = (
            ()
            if i % 20 == 19
            else tuple(f"{rng.choice(LAST)}, {rng.choice(FIRST)}" for _ in range(rng.choice((1, 1, 1, 2))))
        )
        date = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        key = f"{slug}{i:05d}"
        entries.append(
            Entry(key, title, authors, outlet, date, f"https://example.org/{slug}/{i:05d}", KINDS[i % len(KINDS)])
        )
    return entries


def bibtex(entries: list[Entry]) -> str:
    """The entries as BibTeX @article records."""
    blocks = []
    for e in entries:
        lines = [f"@article{{{e.key},", f"  title = {{{e.title}}},"]
        if e.authors:
            lines.append(f"  author = {{{' and '.join(e.authors)}}},")
        else:
            lines.append("  unknown = {author},")
        lines += [
            f"  journaltitle = {{{e.outlet}}},",
            f"  date = {{{e.date}}},",
            f"  url = {{{e.url}}},",
            f"  kind = {{{e.kind}}},",
            "}",
        ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def reference(e: Entry) -> str:
    """The formatted reference of variant A: outlet, title, byline, date, URL."""
    year, month, day = e.date.split("-")
    byline = (
        "by " + ", ".join(" ".join(reversed(a.split(", "))) for a in e.authors)
        if e.authors
        else "byline not identified"
    )
    return f"{e.outlet}, \u201c{e.title}\u201d, {byline}, {int(day)} {MONTHS[int(month) - 1]} {year}. <{e.url}>"


def make_groups(page: int, entries: list[Entry], rng: random.Random) -> list[list[Citation]]:
    """The page's citation groups: its pool of sources each cited once, then repeats."""
    start = (page * POOL) % len(entries)
    pool = [entries[(start + j) % len(entries)] for j in range(min(POOL, len(entries)))]
    order = pool + [rng.choice(pool) for _ in range(GROUPS_PER_PAGE * 2)]
    groups: list[list[Citation]] = []
    k = 0
    for g in range(GROUPS_PER_PAGE):
        size = 1 if g % 4 else rng.choice((2, 2, 3))  # a quarter of the groups cite several sources
        keys: list[Entry] = []
        while len(keys) < size:
            candidate = order[k]
            k += 1
            if candidate not in keys:
                keys.append(candidate)
        group = []
        for i, entry in enumerate(keys):
            roll = rng.random()
            prefix = "see" if i == 0 and roll < 0.1 else ""
            locator = f"para. {rng.randint(1, 30)}" if 0.1 <= roll < 0.35 else ""
            quote = " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(3, 7))) if 0.35 <= roll < 0.5 else ""
            group.append(Citation(entry, prefix, locator, quote))
        groups.append(group)
    return groups


def cite_b(group: list[Citation]) -> str:
    """A group in our syntax: [@a], [see @a, para. 4], [@a; @b, "words"]."""
    items = []
    for c in group:
        item = (f"{c.prefix} " if c.prefix else "") + f"@{c.entry.key}"
        if c.locator:
            item += f", {c.locator}"
        elif c.quote:
            item += f', "{c.quote}"'
        items.append(item)
    return "[" + "; ".join(items) + "]"


def sentences(rng: random.Random, words: int) -> list[str]:
    """Sentences of plain words totalling about *words* words."""
    out = []
    while words > 0:
        n = min(words, rng.randint(9, 18))
        text = " ".join(rng.choice(VOCABULARY) for _ in range(n))
        out.append(text[0].upper() + text[1:] + ".")
        words -= n
    return out


def write_pages(root: Path, pages: int, entries: list[Entry], rng: random.Random) -> None:
    """Write every page in both variants."""
    for variant in VARIANTS:
        (root / variant / "content" / "pages").mkdir(parents=True, exist_ok=True)
    for p in range(pages):
        groups = make_groups(p, entries, rng)
        paragraphs = [sentences(rng, WORDS_PER_PARAGRAPH) for _ in range(PARAGRAPHS)]
        # Spread the groups over the paragraphs: after sentences chosen in advance.
        slots = sorted(
            rng.sample([(i, j) for i, para in enumerate(paragraphs) for j in range(len(para))], GROUPS_PER_PAGE)
        )
        numbers: dict[str, int] = {}
        pins: dict[str, list[str]] = {}
        body_a: list[str] = []
        body_b: list[str] = []
        body_n: list[str] = []
        at = dict(zip(slots, groups, strict=True))
        for i, para in enumerate(paragraphs):
            if i in (3, 6):
                heading = f"## {' '.join(rng.choice(VOCABULARY) for _ in range(3)).capitalize()}"
                body_a.append(heading)
                body_b.append(heading)
                body_n.append(heading)
            text_a, text_b = [], []
            for j, sentence in enumerate(para):
                group = at.get((i, j))
                if group is None:
                    text_a.append(sentence)
                    text_b.append(sentence)
                    continue
                marks = ""
                for c in group:
                    n = numbers.setdefault(c.entry.key, len(numbers) + 1)
                    marks += f"[^{n}]"
                    pin = ", ".join(x for x in (c.prefix, c.locator, f"\u201c{c.quote}\u201d" if c.quote else "") if x)
                    if pin:
                        pins.setdefault(c.entry.key, []).append(pin)
                text_a.append(sentence + marks)
                text_b.append(sentence + cite_b(group))
            body_a.append(" ".join(text_a))
            body_b.append(" ".join(text_b))
            body_n.append(" ".join(para))
        by_key = {e.key: e for g in groups for e in (c.entry for c in g)}
        notes = []
        for key, n in numbers.items():
            note = f"[^{n}]: {reference(by_key[key])}"
            if key in pins:
                note += " Pinpoints: " + "; ".join(pins[key]) + "."
            notes.append(note)
        header = f"Title: Synthetic page {p + 1}\nDate: 2025-11-25\n\n"
        text_footnotes = header + "\n\n".join(body_a) + "\n\n" + "\n".join(notes) + "\n"
        for variant in ("S", "A"):
            (root / variant / "content" / "pages" / f"page-{p + 1:05d}.md").write_text(text_footnotes, encoding="utf-8")
        (root / "B" / "content" / "pages" / f"page-{p + 1:05d}.md").write_text(
            header + "\n\n".join(body_b) + "\n", encoding="utf-8"
        )
        (root / "N" / "content" / "pages" / f"page-{p + 1:05d}.md").write_text(
            header + "\n\n".join(body_n) + "\n", encoding="utf-8"
        )


def stock_markdown() -> dict:
    """Pelican's default MARKDOWN setting (codehilite, extra, meta) with the footnotes extension."""
    from pelican.settings import DEFAULT_CONFIG

    markdown = copy.deepcopy(DEFAULT_CONFIG["MARKDOWN"])
    markdown["extension_configs"][FOOTNOTES] = {}
    return markdown


def settings_text(variant: str, site: Path) -> str:
    """pelicanconf.py of one variant."""
    real = runpy.run_path(str(REPO / "pelicanconf.py"))
    stock = variant in STOCK
    lines = [f'"""Benchmark site, variant {variant}: generated by tools/benchgen.py; do not edit."""', ""]
    lines += [
        f"{name} = {real[name]!r}"
        for name in SHARED_SETTINGS
        if name in real and not (stock and name in STOCK_EXCLUDED)
    ]
    lines += [
        f"PATH = {str(site / 'content')!r}",
        "OUTPUT_PATH = 'output'",
        "ARTICLE_PATHS = []",
        "PAGE_PATHS = ['pages']",
        "DISPLAY_PAGES_ON_MENU = False",
    ]
    if stock:
        # Pelican's own theme (THEME unset), no plugin at all, its default Markdown plus footnotes.
        lines += ["PLUGINS = []", f"MARKDOWN = {stock_markdown()!r}"]
        return "\n".join(lines) + "\n"
    lines += [f"THEME = {str(REPO / 'theme')!r}", f"PLUGINS = {PLUGINS[variant]!r}"]
    if variant == "B":
        lines += [
            f"BIBCITE_ROOT = {str(site)!r}",
            "BIBCITE_BIBLIOGRAPHY = ['citations']",
            f"BIBCITE_KINDS = {dict((k, k.capitalize() + ': a kind of source') for k in KINDS)!r}",
            "BIBCITE_MARGIN_NOTES = True",
        ]
    return "\n".join(lines) + "\n"


def generate(root: Path, pages: int, entries: int, seed: int = 7) -> dict[str, Path]:
    """Write every variant under *root*; return the path of each variant's settings file."""
    rng = random.Random(seed)
    root = Path(root).resolve()
    sources = make_entries(entries, rng)
    write_pages(root, pages, sources, rng)
    (root / "B" / "citations").mkdir(parents=True, exist_ok=True)
    (root / "B" / "citations" / "synthetic.bib").write_text(bibtex(sources), encoding="utf-8")
    confs = {}
    for variant in VARIANTS:
        conf = root / variant / "pelicanconf.py"
        conf.write_text(settings_text(variant, root / variant), encoding="utf-8")
        confs[variant] = conf
    return confs


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--size", choices=SIZES)
    parser.add_argument("--pages", type=int, default=28)
    parser.add_argument("--entries", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    pages, entries = SIZES[args.size] if args.size else (args.pages, args.entries)
    if args.outdir.exists() and any(args.outdir.iterdir()):
        parser.error(f"{args.outdir} is not empty; give a new folder")
    confs = generate(args.outdir, pages, entries, args.seed)
    print(f"{pages} pages, {entries} entries: " + ", ".join(str(c) for c in confs.values()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
