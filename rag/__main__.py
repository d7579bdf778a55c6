"""`python -m rag` runs the CLI."""

import sys

from rag.cli.main import main

sys.exit(main())
