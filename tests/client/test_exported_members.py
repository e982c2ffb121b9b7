"""The package's public surface is what `__all__` says, no more and no less, and importing it stays light."""

import subprocess
import sys

import osipi_lakeflow


def test_all_lists_exactly_the_public_names_and_each_resolves():
    public = {name for name in dir(osipi_lakeflow) if not name.startswith("_") and name != "annotations"}
    public -= {name for name in public if type(getattr(osipi_lakeflow, name)).__name__ == "module"}
    assert sorted(osipi_lakeflow.__all__) == sorted(public)
    assert all(getattr(osipi_lakeflow, name) is not None for name in osipi_lakeflow.__all__)


def _imported(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "; import sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_importing_the_package_does_not_import_spark():
    assert "pyspark" not in _imported("import osipi_lakeflow")


def test_the_contract_is_pure_no_spark_no_jinja_no_http_no_arrow():
    loaded = _imported("import osipi_lakeflow.contract")
    assert not loaded & {"pyspark", "jinja2", "requests", "urllib3", "pyarrow", "yaml", "fastapi"}
