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

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["bibcite", "sitesearch"]
BIBCITE_ROOT = str(ROOT)
BIBCITE_BIBLIOGRAPHY = ["citations"]
BIBCITE_SOURCE_TEXTS = "../shared/sources"
# Our honesty rules: every source has a kind, and its title, author, outlet, date and address, or says they are unknown.
BIBCITE_STRICT = True
# Pages choose neither their template nor their address (Template, Save_as... are refused in headers).
BIBCITE_TEMPLATES = {"index": "home", "coverage": "coverage", "method": "method", "search": "search"}
# A page's address is its file name; nothing is read from file names or paths besides.
FILENAME_METADATA = ""
PATH_METADATA = ""
# Only Markdown is read (the plugin also disables every other reader).
READERS = {"html": None, "htm": None, "rst": None}
