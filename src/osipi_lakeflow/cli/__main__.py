"""`python -m osipi_lakeflow.cli`: the same as the `osipi` command."""

import sys

from osipi_lakeflow.cli import main

sys.exit(main())
