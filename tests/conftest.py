"""Shared helpers: tiny sites built into tmp_path with the real plugin and theme."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

#: The browser fixture lives in tests/browser.py; one session-wide instance for every module.
pytest_plugins = ["browser"]

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "plugins"))
SOURCE_TEXTS = (REPO / ".." / "shared" / "sources").resolve()

SETTINGS = """
import sys
sys.path.insert(0, {repo!r})
exec(open({conf!r}, encoding="utf-8").read())
PATH = {site!r} + "/content"
THEME = {repo!r} + "/theme"
PLUGIN_PATHS = [{repo!r} + "/plugins"]
BIBCITE_ROOT = {site!r}
BIBCITE_SOURCE_TEXTS = {texts!r}
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

    def build(self, texts: Path | str = SOURCE_TEXTS) -> subprocess.CompletedProcess:
        (self.root / "pelicanconf.py").write_text(
            SETTINGS.format(repo=str(REPO), conf=str(REPO / "pelicanconf.py"), site=str(self.root), texts=str(texts)),
            encoding="utf-8",
        )
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        return subprocess.run(
            [sys.executable, str(REPO / "tools" / "site.py"), "build", "--settings", str(self.root / "pelicanconf.py"),
             "--output", str(self.root / "output")],
            capture_output=True, text=True, env=env, cwd=self.root, timeout=120,
        )

    def soup(self, rel: str) -> BeautifulSoup:
        return BeautifulSoup((self.root / "output" / rel).read_text(encoding="utf-8"), "html.parser")


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
    out = tmp_path_factory.mktemp("real") / "output"
    result = subprocess.run([sys.executable, str(REPO / "tools/site.py"), "build", "--output", str(out)],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    assert problem_lines(result.stderr) == [], result.stderr
    assert "quote.skipped" not in result.stderr, "the source texts must be present for these tests"
    return out
