"""Settings for the hosted site: absolute URLs, feed, sitemap. Used by `make publish`.

The address the site is served from is not known to the repository, so it is
given at publish time: SITEURL=https://example.org make publish. Nothing is guessed.
"""

import os
import runpy
from pathlib import Path

# The published site is the local site (pelicanconf.py, wherever Pelican runs from) plus these.
_LOCAL = runpy.run_path(str(Path(__file__).resolve().parent / "pelicanconf.py"))
globals().update({name: value for name, value in _LOCAL.items() if name.isupper()})

SITEURL = os.environ.get("SITEURL", "").rstrip("/")
if not SITEURL.startswith(("http://", "https://")):
    raise SystemExit("publishconf.py: set SITEURL to the site's absolute address, e.g. SITEURL=https://example.org")
RELATIVE_URLS = False
OUTPUT_PATH = "output"

# Content-hashed CSS/JS names, then gzip and brotli copies of every text file
# beside the original (pelican-precompress, run on its own "compress" signal
# after our "optimize" step has renamed the assets).
PLUGINS = [*_LOCAL["PLUGINS"], "assethash", "pelican.plugins.precompress"]
PRECOMPRESS_GZIP = True
PRECOMPRESS_BROTLI = True
PRECOMPRESS_ZOPFLI = False
PRECOMPRESS_ZSTANDARD = False
PRECOMPRESS_OVERWRITE = True
PRECOMPRESS_MIN_SIZE = 20
PRECOMPRESS_TEXT_EXTENSIONS = {".html", ".css", ".js", ".xml", ".atom", ".json", ".txt", ".svg"}
