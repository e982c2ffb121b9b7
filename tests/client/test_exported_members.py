"""The package's public surface is what `__all__` says, no more and no less."""

import osipi_lakeflow


def test_all_lists_exactly_the_public_names():
    public = sorted(name for name in vars(osipi_lakeflow) if not name.startswith("_") and name not in {"annotations"})
    modules = {"cli", "client", "errors", "models", "schema"}
    assert sorted(osipi_lakeflow.__all__) == sorted(set(public) - modules)


def test_importing_the_package_does_not_import_spark():
    import subprocess
    import sys

    code = "import sys, osipi_lakeflow; print('pyspark' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
