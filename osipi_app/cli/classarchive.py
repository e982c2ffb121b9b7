"""`python -m osipi_app.cli.classarchive`: write this environment's engine class archive, once (`./dev setup`).

The archive holds the JVM classes a pipeline run loads (`osipi_app.local.classarchive`), so it is written by one:
every pipeline of a small demo bundle run against the mock, the engine writing the archive as its JVM exits
(about a minute in all). Nothing is done when the archive exists or no JDK is found. The archive is written
beside its final name and renamed when complete, so an interrupted build leaves none half-written.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from osipi_app.cli.demo import clock_start, generate_bundle, prepare_bundle_folder
from osipi_app.cli.mockproc import mock_process
from osipi_app.local import run_pipelines
from osipi_app.local.classarchive import archive_path

TAGS, TAGS_PER_PIPELINE, HISTORY = 40, 20, "*-10m"
"""The run that writes the archive: every kind of pipeline, two time-series partitions, a few minutes of data."""


def write_archive(target: Path, timeout: float = 900.0) -> None:
    """Run the small bundle with the engine writing its class archive, then move the archive to `target`.

    Raises:
        RuntimeError: a pipeline failed or the JVM wrote no archive (the message says which).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.partial")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="osipi-classarchive-") as work:
        bundle, warehouse = Path(work) / "bundle", Path(work) / "warehouse"
        prepare_bundle_folder(bundle)
        with mock_process(tags=TAGS, seed=7, clock=clock_start()) as mock:
            with contextlib.redirect_stdout(io.StringIO()):  # the generator's report is not this command's
                if generate_bundle(mock.url, bundle, TAGS_PER_PIPELINE, HISTORY, Console(quiet=True), sample=False):
                    raise RuntimeError("the generator failed on the mock PI Web API")
            results = run_pipelines(
                bundle, warehouse, variables={"pi_url": mock.url}, timeout=timeout, write_class_archive=partial
            )
    failed = [f"{r.key}: {r.error}" for r in results if not r.ok]
    if failed or not partial.is_file():
        partial.unlink(missing_ok=True)
        raise RuntimeError("; ".join(failed) or "the engine's JVM wrote no class archive (see its engine.log)")
    partial.replace(target)


def main() -> int:
    """Write the archive unless it exists; 1 when writing it failed."""
    target = archive_path()
    if target is None:
        print("no JDK found (JAVA_HOME or java on the PATH): the local engine needs Java 17", file=sys.stderr)
        return 1
    if target.is_file():
        return 0
    print(f"writing the local engine's class archive (once per environment, about a minute): {target}")
    began = time.monotonic()
    try:
        write_archive(target)
    except RuntimeError as error:
        print(f"the class archive was not written: {error}", file=sys.stderr)
        return 1
    size = target.stat().st_size / 2**20
    print(f"class archive written in {time.monotonic() - began:.0f} s ({size:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
