"""`python -m lstmviz` runs the command line."""

import sys

from lstmviz.cli import main

sys.exit(main())
