"""The search index written by an indexing process (plugins/sitesearch/worker.py) is the one the plugin writes.

The worker is started, fed and asked for the index as the plugin does it during a
build; its files are compared byte for byte with those the plugin writes in its own
process, in one file and in shards. A worker that dies leaves the plugin to index
every page itself, and the index is still complete.
"""

from __future__ import annotations

import json
import logging
import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import REPO, Site, problem_lines

from sitesearch import plugin, shards
from sitesearch.extract import Options
from sitesearch.index import Collector
from sitesearch.worker import Handle

NAME = "search-index.js"
#: Shards of a few kilobytes: the real site (42 KB gzipped) is cut into several.
LIMIT = 8 * 1024


def options() -> Options:
    conf = runpy.run_path(str(REPO / "pelicanconf.py"))
    return Options(conf["SITENAME"], conf["SITESUBTITLE"])


def index_files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("search-index*.js"))}


def copy_without_index(real_site: Path, to: Path) -> Path:
    shutil.copytree(real_site, to)
    for path in to.glob("search-index*.js"):
        path.unlink()
    return to


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


@pytest.mark.parametrize("limit", [0, LIMIT])
def test_the_worker_writes_what_the_plugin_writes(real_site: Path, tmp_path: Path, limit: int) -> None:
    here = copy_without_index(real_site, tmp_path / "here")
    written = shards.write(Collector(here, options()).pages(), here, NAME, limit)
    there = copy_without_index(real_site, tmp_path / "there")
    worker = Handle(there, options())
    for path in html_pages(there):
        assert worker.send(str(path))
    indexed = worker.finish()
    assert indexed is not None and worker.process.returncode == 0 and indexed.peak_kb > 0
    assert index_files(there) == {}  # the process indexes; the build writes the index, from its spool
    assert len(indexed.found) == len(html_pages(there)) > 30
    assert all(page is None or page.units == () for _, page in indexed.found.values())  # units: in the spool
    collector = Collector(there, options(), indexed.prepared.add)
    collector.found = indexed.found
    told = shards.write(collector.pages(), there, NAME, limit, indexed.prepared)
    worker.stop()
    assert index_files(there) == index_files(here)
    assert (len(index_files(here)) > 3) == bool(limit)
    assert len(told.shards) == len(written.shards) and told.units == written.units


def fake_pelican(out: Path, worker_after: int) -> Any:
    conf = runpy.run_path(str(REPO / "pelicanconf.py"))
    settings = {k: conf[k] for k in ("SITENAME", "SITESUBTITLE")}
    return SimpleNamespace(output_path=str(out), settings={**settings, "SITESEARCH_WORKER": worker_after})


def test_a_worker_that_dies_leaves_the_plugin_to_index_every_page(
    real_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = copy_without_index(real_site, tmp_path / "expected")
    shards.write(Collector(expected, options()).pages(), expected, NAME, plugin.DEFAULTS["SITESEARCH_SHARD_BYTES"])
    out = copy_without_index(real_site, tmp_path / "out")
    monkeypatch.setattr(plugin, "cores", lambda: 2)
    pelican = fake_pelican(out, 5)
    plugin.get_generators(pelican)
    pages = html_pages(out)
    for path in pages[:10]:  # the fifth starts the worker with the first five
        plugin.content_written(str(path))
    worker = plugin.Current.worker
    assert worker is not None and worker.process.poll() is None
    worker.process.kill()
    worker.process.wait()
    for path in pages[10:]:
        plugin.content_written(str(path))
    assert plugin.Current.worker is None  # the first page it could not take stopped it
    plugin.finalized(pelican)
    assert index_files(out) == index_files(expected)


def test_a_small_site_is_indexed_in_the_build_and_one_worker_per_build(
    real_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = copy_without_index(real_site, tmp_path / "out")
    monkeypatch.setattr(plugin, "cores", lambda: 2)
    pages = html_pages(out)
    plugin.get_generators(fake_pelican(out, len(pages) + 1))
    for path in pages:
        plugin.content_written(str(path))
    assert plugin.Current.worker is None and len(plugin.Current.waiting) == len(pages)
    # an earlier build that failed before finishing leaves a worker: the next build ends it
    plugin.get_generators(fake_pelican(out, 1))
    plugin.content_written(str(pages[0]))
    left = plugin.Current.worker
    assert left is not None
    plugin.get_generators(fake_pelican(out, 1))
    assert left.process.poll() is not None and plugin.Current.worker is None
    plugin.Current.collector = None
    # one core: never a worker
    monkeypatch.setattr(plugin, "cores", lambda: 1)
    plugin.get_generators(fake_pelican(out, 1))
    plugin.content_written(str(pages[0]))
    assert plugin.Current.worker is None and plugin.Current.threshold == 0
    plugin.Current.collector = None


#: Modules the indexing process has no use for, each megabytes of a process alive while Pelican writes
#: the pages: hashlib starts OpenSSL (3.6 MB), tempfile loads random.
NOT_IN_THE_WORKER = ("hashlib", "_hashlib", "tempfile", "random", "shutil")
#: The indexing process as the build starts it (``python -m sitesearch``), telling at its exit which of those
#: modules it loaded.
WORKER_RUN = """
import atexit, json, runpy, sys
atexit.register(lambda: sys.stderr.write(json.dumps(sorted(set(sys.modules) & set(NAMES))) + chr(10)))
sys.argv = ["sitesearch", *sys.argv[1:]]
runpy.run_module("sitesearch", run_name="__main__", alter_sys=True)
"""


def test_the_indexing_process_loads_only_what_indexing_needs(real_site: Path, tmp_path: Path) -> None:
    pages = [str(path) for path in html_pages(real_site)]
    spool, records = (tmp_path / "spool").open("w+b"), (tmp_path / "records").open("w+b")
    with spool, records:
        arguments = [str(real_site), "Site", "", [], spool.fileno(), records.fileno()]
        done = subprocess.run(
            [sys.executable, "-c", WORKER_RUN.replace("NAMES", repr(NOT_IN_THE_WORKER)), json.dumps(arguments)],
            input=json.dumps(["pages", pages]) + "\n" + json.dumps(["finish"]) + "\n",
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO / "plugins")},
            pass_fds=(spool.fileno(), records.fileno()),
        )
    assert done.returncode == 0, done.stderr
    answered = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answered) == len(pages) + 1 and answered[-1][0] == "end"
    assert sum(line[-1] is not None for line in answered[:-1]) > 10  # pages indexed, their units spooled
    assert json.loads(done.stderr.splitlines()[-1]) == []


def test_a_build_with_the_worker_writes_the_same_index(site: Site, builder: Any) -> None:
    for n, key in enumerate(("rs", "cz", "anon")):
        site.page(f"p{n}", f"Paragraph {n} about buffer zones.[@{key}]\n\nAnother paragraph, number {n}.")
    settings = site.configure()
    plain = settings.read_text(encoding="utf-8")
    built = {}
    for after in (0, 1):
        settings.write_text(plain + f"SITESEARCH_WORKER = {after}\nSITESEARCH_SHARD_BYTES = 1\n", encoding="utf-8")
        result = builder.build(site.root)
        assert result["code"] == 0 and problem_lines(result["stderr"]) == [], result["stderr"]
        built[after] = index_files(site.root / "output")
    assert built[0] == built[1] and len(built[0]) >= 4
    settings.write_text(plain + "SITESEARCH_WORKER = 'yes'\n", encoding="utf-8")
    result = builder.build(site.root)
    assert result["code"] == 1 and "SITESEARCH_WORKER must be a number of pages" in result["stderr"]


def test_pages_the_worker_was_not_sent_are_indexed_by_the_build(real_site: Path, tmp_path: Path) -> None:
    """The build takes what the process found and indexes the rest itself, into the same spool."""
    expected = copy_without_index(real_site, tmp_path / "expected")
    shards.write(Collector(expected, options()).pages(), expected, NAME, LIMIT)
    out = copy_without_index(real_site, tmp_path / "out")
    pages = html_pages(out)
    worker = Handle(out, options())
    for path in pages[::2]:  # every other page: the rest was never announced
        assert worker.send(str(path))
    indexed = worker.finish()
    assert indexed is not None and len(indexed.found) == len(pages[::2])
    collector = Collector(out, options(), indexed.prepared.add)
    collector.found = indexed.found
    shards.write(collector.pages(), out, NAME, LIMIT, indexed.prepared)
    worker.stop()
    assert len(collector.found) == len(pages) and index_files(out) == index_files(expected)


@pytest.mark.parametrize(
    "answer",
    [
        "[]\n",  # no kind
        "{}\n",  # not a list
        '["page", "a.html", 1, 2, 3, ["a.html", "A", "A", 0, 999999, 0, 1]]\n["end", 1]\n',  # units past the spool
        '["page", "a.html", 1, 2]\n',  # too short
        "[" * 100_000 + "\n",  # nested past the parser's depth
        "not json\n",
        '["end", 1]\n["page", "a.html", 1, 2, 3, ["a.html", "A", "A", -5, 1, 0, 1]]\n',  # a negative offset
    ],
)
def test_an_answer_of_another_shape_is_a_failed_process_not_a_traceback(
    real_site: Path, tmp_path: Path, answer: str, caplog: pytest.LogCaptureFixture
) -> None:
    out = copy_without_index(real_site, tmp_path / "out")
    worker = Handle(out, options())
    worker.stop()  # the real process, replaced by one that answers *answer* to anything
    worker.spool = tmp_path.joinpath("spool").open("w+b")
    worker.process = subprocess.Popen(
        [sys.executable, "-c", f"import sys; sys.stdin.read(); sys.stdout.write({answer!r})"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.process.stdin is not None
    worker.stdin = worker.process.stdin
    with caplog.at_level(logging.WARNING, logger="sitesearch.worker"):
        assert worker.finish() is None
    worker.stop()
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1 and messages[0].startswith("sitesearch: the indexing process answered "), messages
