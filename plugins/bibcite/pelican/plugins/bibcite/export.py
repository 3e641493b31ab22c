"""The bibliography given back to readers as open data: CSL-JSON, BibTeX, and COinS for reference managers.

Pure: Source records in, text out. The CSL-JSON validates against the CSL
input schema (tests/fixtures/csl-data.schema.json); the BibTeX keeps every
field of each entry as it was written, our own fields (kind, note...) included.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from urllib.parse import urlencode

from . import hooks
from .bibliography import Source
from .latex import Name

#: biblatex entry type -> CSL item type.
CSL_TYPES = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "inbook": "chapter",
    "bookinbook": "chapter",
    "suppbook": "chapter",
    "booklet": "pamphlet",
    "collection": "book",
    "mvcollection": "book",
    "incollection": "chapter",
    "suppcollection": "chapter",
    "dataset": "dataset",
    "manual": "report",
    "misc": "document",
    "online": "webpage",
    "patent": "patent",
    "periodical": "periodical",
    "suppperiodical": "periodical",
    "proceedings": "book",
    "mvproceedings": "book",
    "inproceedings": "paper-conference",
    "reference": "book",
    "mvreference": "book",
    "inreference": "entry",
    "report": "report",
    "software": "software",
    "thesis": "thesis",
    "unpublished": "manuscript",
    "artwork": "graphic",
    "audio": "song",
    "image": "graphic",
    "jurisdiction": "legal_case",
    "legislation": "legislation",
    "legal": "legal_case",
    "letter": "personal_communication",
    "movie": "motion_picture",
    "music": "song",
    "performance": "performance",
    "review": "review",
    "standard": "standard",
    "video": "motion_picture",
}


def csl_item(source: Source, newspaper_kinds: Collection[str] = ()) -> dict[str, object]:
    """One source as a CSL-JSON item; articles and web pages of *newspaper_kinds* are newspaper articles."""
    kind = CSL_TYPES.get(source.entry_type, "document")
    if source.kind in newspaper_kinds and source.entry_type in ("article", "online"):
        kind = "article-newspaper"
    item: dict[str, object] = {"id": source.key, "type": kind}
    if source.title:
        item["title"] = source.title
    if source.creators:
        names = [_csl_name(name) for name in source.creators]
        item["editor" if source.creator_role == "editor" else "author"] = names
    if source.outlet:
        item["container-title" if kind not in ("report", "thesis", "book", "document") else "publisher"] = source.outlet
    if source.date_value:
        item["issued"] = source.date_value.csl()
    if source.urldate:
        item["accessed"] = {"date-parts": [[int(part) for part in source.urldate.split("-")]]}
    if source.url:
        item["URL"] = source.url
    if source.doi:
        item["DOI"] = source.doi
    notes = _csl_note(source)
    if notes:
        item["note"] = notes
    if source.kind:
        item["genre"] = source.kind_label
    return item


def _csl_note(source: Source) -> str:
    """What CSL has no field for: the kind, the reliability note, and what could not be identified."""
    notes = [source.kind_meaning] if source.kind else []
    # The note as the site labels it under each citation (hooks.note_fields), else as written.
    labelled = [
        f"{label}: {text}" for function in hooks.REGISTRY.get("note_fields") for _, label, text in function(source)
    ]
    notes.extend(labelled or ([source.note] if source.note else []))
    if source.unknown:
        notes.append("Not identified: " + ", ".join(sorted(source.unknown)))
    return "\n".join(notes)


def _csl_name(name: Name) -> dict[str, str]:
    if name.literal:
        return {"literal": name.literal}
    parts = {"family": name.family, "given": name.given, "non-dropping-particle": name.particle, "suffix": name.suffix}
    return {key: value for key, value in parts.items() if value}


def csl_json(sources: list[Source], newspaper_kinds: Collection[str] = ()) -> str:
    """Every source as a CSL-JSON array, sorted by key, one stable text for the same sources."""
    items = [csl_item(source, newspaper_kinds) for source in sorted(sources, key=lambda s: s.key)]
    return json.dumps(items, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def bibtex(sources: list[Source]) -> str:
    """Every source as a BibTeX/biblatex entry, sorted by key, with the fields as they were written."""
    entries = []
    for source in sorted(sources, key=lambda s: s.key):
        lines = [f"@{source.entry_type}{{{source.key},"]
        width = max((len(name) for name, _ in source.fields), default=0)
        for name, value in source.fields:
            lines.append(f"  {name.ljust(width)} = {{{' '.join(value.split())}}},")
        lines.append("}")
        entries.append("\n".join(lines))
    return "\n\n".join(entries) + "\n"


def coins(source: Source) -> str:
    """The OpenURL ContextObject (COinS) of a source, the title of a ``span class="Z3988"`` (unescaped)."""
    journal = source.entry_type == "article"
    pairs = [
        ("ctx_ver", "Z39.88-2004"),
        ("url_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:" + ("journal" if journal else "dc")),
    ]
    if journal:
        pairs += [("rft.genre", "article"), ("rft.atitle", source.title), ("rft.jtitle", source.outlet)]
    else:
        pairs += [("rft.type", source.entry_type), ("rft.title", source.title), ("rft.publisher", source.outlet)]
    for name in source.authors:
        pairs.append(("rft.au", name))
    if source.date_value:
        pairs.append(("rft.date", source.date))
    if source.url:
        pairs.append(("rft_id", source.url))
    if source.doi:
        pairs.append(("rft_id", f"info:doi/{source.doi}"))
    return urlencode([(key, value) for key, value in pairs if value])
