"""The checks against the sources run on every clone: from the texts when present, else from the committed
fingerprints; a source with neither is an error, and so is a fingerprint that no longer matches its text.

Each check is shown catching a real defect the audit found (the page as it was, rebuilt from the page as
it is), with the texts absent, and the page as it is passing.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, SOURCE_TEXTS, context_for

from explainer import fingerprint, quotes
from pelican.plugins.bibcite.document import analyse

MISSING = str(REPO / "no-such-source-texts")


@pytest.fixture
def prints_only() -> Iterator[object]:
    """The real site's checking context with the articles' texts absent: fingerprints only."""
    context = context_for(EXPLAINER_SOURCE_TEXTS=MISSING)
    yield context
    context_for()  # the real site's hooks again, for the tests after this one


def codes(context: object, path: str, text: str) -> list[str]:
    return [p.code for p in analyse(text.encode(), path, context).problems]  # type: ignore[arg-type]


def page(name: str) -> str:
    return (REPO / "content" / name).read_text(encoding="utf-8")


def test_with_the_texts_absent_the_checks_still_run_and_the_pages_pass(prints_only: object) -> None:
    from explainer.plugin import STATE

    assert set(STATE.fingerprints) == {
        "braxton2025",
        "crisiszone2025",
        "fineprint2025",
        "nakedcapitalism2025",
        "plan2025",
        "rollingstone2025",
    }
    assert STATE.texts == {} and STATE.point_hashes and STATE.copy_indexes  # they ran, on fingerprints
    for path in sorted((REPO / "content").rglob("*.md")):
        rel = path.relative_to(REPO).as_posix()
        assert codes(prints_only, rel, path.read_text(encoding="utf-8")) == [], rel


def test_a_changed_word_in_a_quotation_is_caught_by_the_fingerprint(prints_only: object) -> None:
    text = page("clauses/21-territory.md")
    assert '[@crisiszone2025, "would need years to seize the remainder of the Donbas"]' in text
    wrong = text.replace("would need years to seize the remainder", "would need months to seize the remainder")
    assert "quote.not-found" in codes(prints_only, "content/clauses/21-territory.md", wrong)


def test_the_audits_incomplete_clause_is_caught_by_the_fingerprint(prints_only: object) -> None:
    """Clause 21 quoted without sub-item d (the one the audit found the page misread) is not point 21."""
    text = page("clauses/21-territory.md")
    fence = re.search(r"::: \{\.clause\}\n(.*?)\n:::", text, re.S)
    assert fence is not None
    without_d = "\n\n".join(p for p in fence.group(1).split("\n\n") if not p.startswith("d. "))
    assert without_d != fence.group(1)
    found = codes(prints_only, "content/clauses/21-territory.md", text.replace(fence.group(1), without_d))
    assert "clause.incomplete" in found


def test_a_word_changed_in_a_clause_is_caught_by_the_fingerprint(prints_only: object) -> None:
    text = page("clauses/18-non-nuclear.md")
    clause = "Ukraine agrees to be a non-nuclear state"
    assert clause in text
    found = codes(
        prints_only, "content/clauses/18-non-nuclear.md", text.replace(clause, "Ukraine agrees to be a neutral state")
    )
    assert "clause.not-verbatim" in found


def _long_paragraph_of_the_plan() -> str:
    """The first paragraph of a clause quotation with 30 words or more (the plan is ours to quote)."""
    for path in sorted((REPO / "content" / "clauses").glob("*.md")):
        fence = re.search(r"::: \{\.clause\}\n(.*?)\n:::", path.read_text(encoding="utf-8"), re.S)
        for paragraph in fence.group(1).split("\n\n") if fence else ():
            paragraph = re.sub(r"^[a-z]\. ", "", " ".join(paragraph.split()))
            if len(paragraph.split()) >= 30:
                return paragraph
    raise AssertionError("no clause has a paragraph of 30 words")


def test_a_copied_run_of_the_plan_outside_the_clause_is_caught_by_the_fingerprint(prints_only: object) -> None:
    text = page("clauses/21-territory.md")
    run = _long_paragraph_of_the_plan()
    heading = "## In plain words {#plain-words}\n"
    assert heading in text
    copied = text.replace(heading, f"{heading}\n{run}\n", 1)
    assert "copy.long-run" in codes(prints_only, "content/clauses/21-territory.md", copied)
    shorter = " ".join(run.split()[:20])  # a shorter run is a quotation (allowed where it is cited)
    assert "copy.long-run" not in codes(
        prints_only, "content/clauses/21-territory.md", text.replace(heading, f"{heading}\n{shorter}\n", 1)
    )


def test_a_source_with_neither_text_nor_fingerprint_is_an_error() -> None:
    try:
        context_for(EXPLAINER_SOURCE_TEXTS=MISSING, EXPLAINER_FINGERPRINTS="no-such-fingerprints")
        from explainer.plugin import STATE

        assert STATE.fingerprints == {} and STATE.texts == {}
        problems = [p for p in _setup_problems(MISSING, "no-such-fingerprints") if p.code == "quote.fingerprint"]
        assert sorted(p.path for p in problems) == sorted(
            f"citations/{key}.bib"
            for key in (
                "braxton2025",
                "crisiszone2025",
                "fineprint2025",
                "nakedcapitalism2025",
                "plan2025",
                "rollingstone2025",
            )
        )
        assert all("neither its text nor a fingerprint" in p.message for p in problems)
    finally:
        context_for()


def _setup_problems(texts: str, prints: str) -> list:
    from pelican.plugins.bibcite import hooks
    from pelican.plugins.bibcite.bibliography import load
    from pelican.plugins.bibcite.settings import merge, rules
    from tools.check import read_settings

    settings = read_settings(REPO / "pelicanconf.py")
    merged = merge(settings)
    sources, _ = load(merged["BIBCITE_BIBLIOGRAPHY"], REPO, rules=rules(merged))
    overrides = {"EXPLAINER_SOURCE_TEXTS": texts, "EXPLAINER_FINGERPRINTS": prints, "PATH": str(REPO / "content")}
    return hooks.REGISTRY.problems("setup", hooks.Setup({**settings, **merged, **overrides}, REPO, sources))


def test_the_committed_fingerprints_are_those_of_the_texts() -> None:
    """Where the texts are (CI has them), each fingerprint must be of that text: else quote.fingerprint."""
    if not SOURCE_TEXTS.is_dir():
        pytest.skip("the source texts are not beside this clone (the fingerprints are what the checks use)")
    problems = [p for p in _setup_problems(str(SOURCE_TEXTS), "fingerprints") if p.severity == "error"]
    context_for()
    assert problems == []


def test_a_stale_or_hostile_fingerprint_is_a_located_error(tmp_path: Path) -> None:
    prints = tmp_path / "prints"
    prints.mkdir()
    for path in (REPO / "fingerprints").glob("*.json"):
        (prints / path.name).write_bytes(path.read_bytes())
    stale = json.loads((prints / "rollingstone2025.json").read_text())
    stale["sha256"] = "0" * 64
    (prints / "rollingstone2025.json").write_text(json.dumps(stale))
    (prints / "braxton2025.json").write_text('{"version": 1, "key": "braxton2025", "filter": "!!"}')
    (prints / "fineprint2025.json").write_bytes(b"\xff" * 10)
    (prints / "crisiszone2025.json").unlink()
    (prints / "crisiszone2025.json").symlink_to("/etc/passwd")
    texts = str(SOURCE_TEXTS) if SOURCE_TEXTS.is_dir() else MISSING
    try:
        found = {p.path: p.message for p in _setup_problems(texts, str(prints)) if p.code == "quote.fingerprint"}
    finally:
        context_for()
    assert "malformed fingerprint" in found["citations/braxton2025.bib"]
    assert "malformed fingerprint" in found["citations/fineprint2025.bib"]
    assert "not a regular file" in found["citations/crisiszone2025.bib"]
    if SOURCE_TEXTS.is_dir():
        assert "another version of its text" in found["citations/rollingstone2025.bib"]


def test_a_made_up_quotation_rarely_passes() -> None:
    """One false positive in 64 per lookup: a made-up four-word phrase of words not in the text passes
    about once in 4,096; a made-up one-word quotation about once in 64."""
    printed = fingerprint.loads((REPO / "fingerprints" / "crisiszone2025.json").read_bytes(), "crisiszone2025")
    rng = random.Random(7)
    vocabulary = [f"zq{n}x" for n in range(20_000)]
    single = sum(printed.has_words([word]) for word in vocabulary) / len(vocabulary)
    assert single < 3 / 64
    four = sum(printed.has_words(rng.sample(vocabulary, 4)) for _ in range(5_000))
    assert four <= 3
    assert printed.has_words(quotes.words("AI-powered journalist"))  # a real quotation of that article
