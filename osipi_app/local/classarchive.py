"""The local engine's class archive: the JVM classes a pipeline run loads, mapped at start instead of loaded.

A local engine start loads and verifies thousands of classes from the ~300 jars of pyspark, and a run's first
catalog access, first job and first Python data source load thousands more: seconds of every engine start on two
cores. A dynamic CDS archive (JDK 13 and later: written by `-XX:ArchiveClassesAtExit`, used with
`-XX:SharedArchiveFile`) holds them already parsed and verified. It is written once per environment by a small
pipeline run (`python -m osipi_app.cli.classarchive`, part of `./dev setup`) and used by every engine this
environment starts with the same JDK and pyspark; the JVM checks it against itself and its class path and starts
without it on any mismatch.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import pyspark

ARCHIVE_DIR = Path(sys.prefix) / "share" / "osipi-lakeflow"
"""Where this environment keeps its archive (beside the pyspark whose jars it holds)."""


def java_home() -> Path | None:
    """The JDK pyspark starts: `JAVA_HOME`, else the one of `java` on the PATH; None when there is none."""
    if os.environ.get("JAVA_HOME"):
        return Path(os.environ["JAVA_HOME"])
    java = shutil.which("java")
    return Path(java).resolve().parents[1] if java else None


def archive_path() -> Path | None:
    """This environment's archive for its JDK and pyspark (which may not exist yet); None without a JDK.

    The name carries pyspark's version and a digest of the JDK's `release` file, so another JDK or pyspark
    looks for an archive of its own instead of being refused by the one written for the other.
    """
    home = java_home()
    if home is None:
        return None
    release = home / "release"
    jdk = release.read_bytes() if release.is_file() else str(home).encode()
    digest = hashlib.sha256(jdk + pyspark.__version__.encode()).hexdigest()[:12]
    return ARCHIVE_DIR / f"engine-pyspark-{pyspark.__version__}-{digest}.jsa"


def java_options(write_to: Path | None = None) -> list[str]:
    """The JVM options of an engine: write the archive to `write_to` at exit, else use this environment's."""
    if write_to is not None:
        return [f"-XX:ArchiveClassesAtExit={write_to}"]
    path = archive_path()
    return [f"-XX:SharedArchiveFile={path}"] if path is not None and path.is_file() else []
