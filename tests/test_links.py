"""The link check (plugins/bibcite/.../links.py) against the rule it replaced: every page's ids in one table.

The check holds one page's ids at a time; these cases pin down which ids a link may
name where names meet: a page whose name a plugin also declares, a page named like a
source's page or the sources index, a link into its own page by name or by "#" alone.
"""

from __future__ import annotations

from pathlib import Path

from pelican.plugins.bibcite import links
from pelican.plugins.bibcite.hooks import Page
from pelican.plugins.bibcite.render import source_path


def page(tmp_path: Path, name: str, html: str) -> Page:
    source = tmp_path / (name.replace("/", "-") + ".md")
    source.write_text(html, encoding="utf-8")
    return Page(path=source.name, source=source, name=name, html=html, notes=())


def broken(problems: list) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in problems]


def test_which_ids_a_link_may_name(tmp_path: Path) -> None:
    key = "rs"
    named_like_source = source_path(key)
    pages = [
        page(tmp_path, "a.html", '<h2 id="own">A</h2><a href="#own">x</a><a href="a.html#own">y</a><a href="#nope">'),
        # declared by a plugin as well: its ids and the plugin's both count
        page(tmp_path, "index.html", '<p id="intro">i</p>'),
        # named like a source's page or the sources index: those names carry their fixed ids, whatever the page says
        page(tmp_path, named_like_source, '<p id="mine">m</p>'),
        page(tmp_path, "sources/index.html", '<p id="list">l</p>'),
        page(
            tmp_path,
            "b.html",
            '<a href="index.html#intro">1</a><a href="index.html#theme-id">2</a><a href="index.html#none">3</a>'
            f'<a href="{named_like_source}#source-{key}">4</a><a href="{named_like_source}#mine">5</a>'
            '<a href="sources/index.html#list">6</a><a href="extra.html#only">7</a><a href="gone.html">8</a>',
        ),
    ]
    extra = {"index.html": {"theme-id"}, "extra.html": {"only"}, "sources/index.html": {"list"}}
    problems = links.check(pages, {key: object()}, extra)
    assert broken(problems) == [
        ("a.html.md", "link to #nope in a.html, which has no such anchor"),
        ("b.html.md", "link to #none in index.html, which has no such anchor"),
        ("b.html.md", f"link to #mine in {named_like_source}, which has no such anchor"),
        ("b.html.md", "link to #list in sources/index.html, which has no such anchor"),
        ("b.html.md", "link to 'gone.html', which no page is"),
    ]
