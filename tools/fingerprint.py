"""Make the fingerprint of a source's text, so that its checks run where the text is not.

    python -m tools.fingerprint                      every source whose text is in EXPLAINER_SOURCE_TEXTS
    python -m tools.fingerprint --key KEY [--file F] one source, from F (default: its sourcetext there)

Writes ``fingerprints/<key>.json`` (EXPLAINER_FINGERPRINTS): see
plugins/explainer/fingerprint.py for what a fingerprint holds and reveals. The
annotated document's fingerprint covers its span in the article that
reproduces it, with a hash of each point; that article's covers the rest.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from explainer.plugin import fingerprint_of, fingerprint_path
from explainer.plugin import merge as explainer_settings
from explainer.quotes import normalise
from pelican.plugins.bibcite.bibliography import load
from pelican.plugins.bibcite.settings import merge, rules
from tools.check import read_settings

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--key", help="the source's citation key (default: every source with a sourcetext)")
    parser.add_argument("--file", help="the text to fingerprint (default: its sourcetext in the source-text folder)")
    parser.add_argument("--settings", default=str(ROOT / "pelicanconf.py"))
    args = parser.parse_args(argv)
    settings = read_settings(Path(args.settings))
    bibcite, explainer = merge(settings), explainer_settings(settings)
    root = Path(bibcite["BIBCITE_ROOT"]).resolve()
    sources, problems = load(bibcite["BIBCITE_BIBLIOGRAPHY"], root, rules=rules(bibcite))
    if not explainer["EXPLAINER_FINGERPRINTS"]:
        parser.error("the settings name no EXPLAINER_FINGERPRINTS folder")
    folder = root / explainer["EXPLAINER_SOURCE_TEXTS"]
    keys = [args.key] if args.key else sorted(k for k, s in sources.items() if s.sourcetext)
    if args.key and args.key not in sources:
        parser.error(f"no source has the key {args.key!r}")
    if args.file and not args.key:
        parser.error("--file needs --key")
    texts = {}
    for key in keys:
        path = Path(args.file) if args.file else folder / sources[key].sourcetext
        if not sources[key].sourcetext and not args.file:
            parser.error(f"{key!r} has no sourcetext; give --file")
        texts[key] = normalise(path.read_text(encoding="utf-8"))
    for key in keys:
        if key != explainer["EXPLAINER_PRIMARY_KEY"] and explainer["EXPLAINER_PRIMARY_KEY"] in sources:
            primary = explainer["EXPLAINER_PRIMARY_KEY"]
            if sources[primary].sourcetext == sources[key].sourcetext and primary not in texts:
                texts[primary] = texts[key]  # the article without the document needs the document's place
        made = fingerprint_of(key, {**texts, key: texts[key]}, sources, {**settings, **explainer})
        target = fingerprint_path(root, explainer["EXPLAINER_FINGERPRINTS"], key)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(made.to_json(), encoding="utf-8")
        extra = f", {len(made.points)} points" if made.points else ""
        print(f"{target.relative_to(root)}: {made.words} words{extra}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
