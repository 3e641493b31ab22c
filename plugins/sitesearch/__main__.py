"""``python -m sitesearch ARGUMENTS``: the indexing process of a build (see :mod:`sitesearch.worker`)."""

import sys

from .worker import main

sys.exit(main(sys.argv[1:]))
