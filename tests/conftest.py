"""Shared helpers: tiny sites built into tmp_path with the real plugin and theme."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

#: The browser fixture lives in tests/browser.py; one session-wide instance for every module.
pytest_plugins = ["browser"]

REPO = Path(__file__).resolve().parent.parent
SOURCE_TEXTS = (REPO / ".." / "shared" / "sources").resolve()

SETTINGS = """
exec(open({conf!r}, encoding="utf-8").read())
PATH = {site!r} + "/content"
THEME = {repo!r} + "/theme"
BIBCITE_ROOT = {site!r}
EXPLAINER_SOURCE_TEXTS = {texts!r}
EXPLAINER_FINGERPRINTS = ""  # a tiny site keeps no fingerprints: its texts are there, or its checks fail
"""

BIB = {
    "rs": """@online{rs,
  title = {Plan leaked},
  author = {Doe, Jane},
  journaltitle = {Rolling Stone},
  date = {2025-11-21},
  url = {https://example.org/rs},
  urldate = {2025-11-23},
  archiveurl = {https://archive.example.org/rs},
  kind = {news},
}
""",
    "cz": """@online{cz,
  title = {An opinion},
  author = {Petersen, Viktor},
  journaltitle = {crisis.zone},
  date = {2025-11},
  url = {https://example.org/cz},
  kind = {opinion},
  note = {Byline described as AI-powered.},
}
""",
    "anon": """@misc{anon,
  unknown = {title, author, outlet, date, url},
  kind = {unverified},
}
""",
}

PAGE = """Title: {title}
Date: 2026-11-22

{body}
"""


@dataclass
class Site:
    """A tiny site on disk: write files, build it, read its pages."""

    root: Path

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def page(self, name: str, body: str, title: str = "A page") -> Path:
        return self.write(f"content/pages/{name}.md", PAGE.format(title=title, body=textwrap.dedent(body)))

    def configure(self, texts: Path | str = SOURCE_TEXTS) -> Path:
        """Write the site's pelicanconf.py (the real settings, this site's folders)."""
        settings = self.root / "pelicanconf.py"
        settings.write_text(
            SETTINGS.format(repo=str(REPO), conf=str(REPO / "pelicanconf.py"), site=str(self.root), texts=str(texts)),
            encoding="utf-8",
        )
        return settings

    def build(self, texts: Path | str = SOURCE_TEXTS, fresh: bool = False) -> subprocess.CompletedProcess:
        """Build into output/: in the session's build worker, or (*fresh*) in a new process, as `make html` does."""
        settings = self.configure(texts)
        if not fresh:
            done = WORKER.build(self.root)
            if isinstance(done["code"], int):
                return subprocess.CompletedProcess([], done["code"], "", done["stderr"])
            raise AssertionError(done["code"] + "\n" + done["stderr"])
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "tools.build",
                "build",
                "--settings",
                str(settings),
                "--output",
                str(self.root / "output"),
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=self.root,
            timeout=120,
        )

    def soup(self, rel: str) -> BeautifulSoup:
        return BeautifulSoup((self.root / "output" / rel).read_text(encoding="utf-8"), "html.parser")


class Builder:
    """One long-lived process that builds sites on request (tests/corpus_build.py --serve).

    A build in a fresh process spends most of its time starting Python and
    Pelican; tests that only need a build's problems and exit code share
    this one. Exit codes of the command itself are tested with subprocesses.
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def build(self, root: Path) -> dict:
        """Build the site at *root* over a sentinel output/ (see corpus_build.build_one)."""
        import json

        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, str(REPO / "tests" / "corpus_build.py"), "--serve"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        self.process.stdin.write(json.dumps({"root": str(root)}) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait(timeout=30)


WORKER = Builder()


@pytest.fixture(scope="session", autouse=True)
def builder() -> Iterator[Builder]:
    """The session's build worker."""
    yield WORKER
    WORKER.close()


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A site with three sources and no pages yet."""
    s = Site(tmp_path)
    for key, entry in BIB.items():
        s.write(f"citations/{key}.bib", entry)
    return s


def problem_lines(stderr: str) -> list[str]:
    """The ``path:line:col: severity: message [code]`` lines of a build's output."""
    return [line for line in stderr.splitlines() if ": error: " in line or ": warning: " in line]


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once into a temporary folder."""
    return build_real_site(tmp_path_factory.mktemp("real") / "output")


def build_real_site(out: Path) -> Path:
    """Build the real site into *out* with `make html`'s command; it must build without a problem."""
    result = subprocess.run(
        [sys.executable, "-m", "tools.build", "build", "--output", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert problem_lines(result.stderr) == [], result.stderr
    assert "quote.skipped" not in result.stderr, "the source texts must be present for these tests"
    assert "sitesearch" not in result.stderr, result.stderr  # e.g. "Cannot load plugin `sitesearch`"
    return out


@functools.lru_cache(maxsize=1)
def real_context() -> object:
    """The checking context of the real site, as `make check` makes it: real settings, sources and texts."""
    return context_for()


def context_for(**overrides: object) -> object:
    """A checking context of the real site with some settings changed (the plugins' hooks are set up
    for it: call context_for() again afterwards to put the real site's back)."""
    from pelican.plugins.bibcite.bibliography import load
    from pelican.plugins.bibcite.document import make_context
    from pelican.plugins.bibcite.pipeline import markdown_settings
    from pelican.plugins.bibcite.settings import merge, policy, rules
    from tools.check import read_settings, register_plugins

    settings = read_settings(REPO / "pelicanconf.py")
    register_plugins(settings)
    merged = merge(settings)
    settings = {
        **settings,
        **merged,
        "EXPLAINER_SOURCE_TEXTS": str(SOURCE_TEXTS),
        "PATH": str(REPO / "content"),
        **overrides,
    }
    sources, _ = load(merged["BIBCITE_BIBLIOGRAPHY"], REPO, rules=rules(merged))
    return make_context(sources, markdown_settings(settings), settings, REPO, policy(merged))[0]
