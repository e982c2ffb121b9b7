"""`python -m osipi_app.cli`: the same as the `osipi` command."""

import sys

from osipi_app.cli import main

sys.exit(main())
