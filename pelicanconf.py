"""Pelican settings for the annotated explainer (local builds and the offline archive)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent

AUTHOR = "The explainer's editors"
SITENAME = "The 28-point plan, annotated"
SITESUBTITLE = "The US\u2013Russia peace plan for Ukraine of November 2025, clause by clause, with sources"
SITEURL = ""
RELATIVE_URLS = True
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
# One language: no translations to pair up (Pelican pairs them by comparing every page with every other,
# 0.2 s of a rebuild at 5,000 pages); the same output.
PAGE_TRANSLATION_ID = None
ARTICLE_TRANSLATION_ID = None
# Every page states its own date; nothing falls back to a file's mtime.
DEFAULT_DATE = (2025, 11, 25)
PATH = "content"
THEME = "theme"
OUTPUT_PATH = "output"

# Our pages are a document, not a blog: no articles, no taxonomies, no feeds here.
ARTICLE_PATHS: list[str] = []
PAGE_PATHS = ["pages", "clauses"]
STATIC_PATHS: list[str] = []
PAGE_URL = "{slug}.html"
PAGE_SAVE_AS = "{slug}.html"
INDEX_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
DIRECT_TEMPLATES: list[str] = []
DISPLAY_PAGES_ON_MENU = False
DISPLAY_CATEGORIES_ON_MENU = False
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
SLUGIFY_SOURCE = "basename"
# Pelican's content cache stays off: a cached page skips the reader, so its problems would not be
# reported again and its notes, numbered against this build's bibliography, could be stale. The
# citation plugin refuses to build with it on (tests/test_plugin_standalone.py).
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

# Everything a template prints is escaped unless marked safe: page titles and
# BibTeX fields are contributors' text. Sanitised content and the plugin's
# HTML (built from escaped parts) are the only things marked safe.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "extensions": [], "autoescape": True}

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "markdown.extensions.toc": {"permalink": False},
    },
    "output_format": "html5",
}

# The citation plugin (plugins/bibcite, installed as pelican.plugins.bibcite), the explainer that
# annotates the plan with it (plugins/explainer) and the offline search (plugins/sitesearch).
PLUGINS = ["pelican.plugins.bibcite", "explainer", "sitesearch"]
BIBCITE_ROOT = str(ROOT)
BIBCITE_BIBLIOGRAPHY = ["citations"]
# Pages come from strangers' pull requests: only Markdown is read, links are never followed, the
# header is an allowlist, raw HTML and footnotes are refused, every page is sanitised.
BIBCITE_UNTRUSTED_CONTENT = True
# Our honesty rules: every source has a kind, and its title, author, outlet, date and address, or says they are unknown.
BIBCITE_REQUIRED_FIELDS = ["title", "author", "outlet", "date", "url", "kind"]
BIBCITE_KINDS = {
    "news": "News report: an outlet reporting events",
    "analysis": "Analysis: reporting that interprets events",
    "opinion": "Opinion: an author's argument, not a report of fact",
    "commentary": "Commentary: a blog or column discussing others' reporting",
    "primary": "Primary document: the text being annotated",
    "unverified": "Unverified: origin or reliability in doubt",
}
BIBCITE_NEWSPAPER_KINDS = ["news", "analysis", "opinion", "commentary"]
# "::: {.clause}" holds a clause's verbatim text; "::: {.differ}" a box where reports disagree.
BIBCITE_DIVS = {"clause": "blockquote.clause-text", "differ": "section.differ"}
# Each marker repeats its source in the margin on wide screens (theme/static/site.css).
BIBCITE_MARGIN_NOTES = True
# Pages choose neither their template nor their address (Template, Save_as... are refused in headers).
BIBCITE_TEMPLATES = {"index": "home", "coverage": "coverage", "method": "method", "search": "search"}

# The document the site annotates: its entry, its sections, and where its text and the articles' are.
EXPLAINER_PRIMARY_KEY = "plan2025"
EXPLAINER_SECTIONS = [
    ("Sovereignty and security guarantees", 1, 11),
    ("Economics and recovery", 12, 20),
    ("Territory", 21, 23),
    ("Humanitarian issues and confidence-building measures", 24, 28),
]
EXPLAINER_ITEM = "Point"
EXPLAINER_DOCUMENT = "The plan"
EXPLAINER_SOURCE_TEXTS = "../shared/sources"
# Where the texts are absent (a fork, a clone without ../shared), the checks use the committed fingerprints.
EXPLAINER_FINGERPRINTS = "fingerprints"
# The article that reproduces the plan introduces it as the "peace plan" just before its first heading.
EXPLAINER_PRIMARY_START = "peace plan Sovereignty and security guarantees 1. "
# A page's address is its file name; nothing is read from file names or paths besides.
FILENAME_METADATA = ""
PATH_METADATA = ""
# Only Markdown is read (the plugin also disables every other reader).
READERS = {"html": None, "htm": None, "rst": None}
