"""The package's public surface is what `__all__` says, no more and no less."""

import subprocess
import sys
from types import ModuleType

import osipi_lakeflow


def test_all_lists_exactly_the_public_names():
    """Submodules are attributes once imported anywhere, so they are not part of the comparison."""
    public = {
        name
        for name, value in vars(osipi_lakeflow).items()
        if not name.startswith("_") and name != "annotations" and not isinstance(value, ModuleType)
    }
    assert sorted(osipi_lakeflow.__all__) == sorted(public)


def test_importing_the_package_does_not_import_spark():
    code = "import sys, osipi_lakeflow; print('pyspark' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
