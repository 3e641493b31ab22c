# The two set-up commands are `make html` and `make test`; both create .venv on first use.
PY_BOOT ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: html serve devserver test lint bench clean publish pandoc fingerprint lighthouse

$(STAMP): requirements.txt requirements-test.txt pyproject.toml plugins/bibcite/pyproject.toml
	test -x $(PY) || $(PY_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-test.txt
	touch $(STAMP)

html: $(STAMP)
	$(PY) -m tools.build build

serve: $(STAMP)
	$(PY) -m tools.build serve --port $(PORT)

devserver: $(STAMP)
	$(PY) -m tools.build devserver --port $(PORT)

# Lint (ruff, format, types: settings in pyproject.toml), then the tests, in a process per core (pytest-xdist;
# at most TEST_JOBS_MAX): each module's tests run in one process, so that a site a module builds is built once.
TEST_JOBS_MAX ?= 4
test: lint
	$(PY) -m pytest -q --numprocesses=auto --maxprocesses=$(TEST_JOBS_MAX) --dist=loadscope

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# A benchmark, not a test: the citation engine's cost on top of plain Pelican (results in bench/).
# `make bench BENCH_ARGS=--large` adds 5,000 pages / 2,000 sources (takes many minutes).
bench: $(STAMP)
	$(PY) -m tools.bench $(BENCH_ARGS)

# Lighthouse 12 (tools/lighthouse/, npm ci on first use) on six pages of output/, phone and desktop: the scores
# and what loses points; JSON reports in bench/lighthouse/. Needs Node 18.20+ and /usr/bin/chromium. Not a test.
lighthouse: html
	$(PY) -m tools.lighthouse $(LIGHTHOUSE_ARGS)

clean:
	rm -rf output .output-new-* .output-old-* dist __pycache__ .pytest_cache

# The hosted site: absolute URLs from SITEURL, hashed assets, .gz and .br beside each file.
publish: $(STAMP)
	@test -n "$(SITEURL)" || { echo "make publish: set SITEURL, e.g. SITEURL=https://example.org make publish" >&2; exit 2; }
	SITEURL=$(SITEURL) $(PY) -m tools.build build --settings publishconf.py

# The fingerprint of a source's text (fingerprints/), so that the quote checks run where the texts are not:
# `make fingerprint` for every source, `make fingerprint KEY=key FILE=path/to/text.txt` for one.
fingerprint: $(STAMP)
	$(PY) -m tools.fingerprint $(if $(KEY),--key $(KEY)) $(if $(FILE),--file $(FILE))

# Every page rendered by Pandoc and citeproc from our .bib files into dist/pandoc/; fails on any warning.
pandoc: $(STAMP)
	$(PY) -m tools.pandoc

# The offline archive: dist/<name>-<date>-<commit>.zip, works from file://, reproducible.
archive: $(STAMP)
	$(PY) -m tools.archive

# Check content and citations without building; FORMAT=github prints Actions annotations.
FORMAT ?= text
check: $(STAMP)
	$(PY) -m tools.check --format $(FORMAT)

# Scaffold a source entry or a clause page from a few answers; an existing key or clause is refused.
new-source: $(STAMP)
	$(PY) -m tools.new source

new-clause: $(STAMP)
	$(PY) -m tools.new clause
