"""The wheel's version: a release number plus a hash of the packaged source code.

Serverless pipelines cache the Python environment they build from `environment.dependencies`; a wheel rebuilt from
changed code under the same version could be skipped for the cached one. With the source hash as PEP 440 local
version (`0.2.0+3f9a1c2b7d4e`) every change of the code is a new version, and an unchanged tree builds the same one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

RELEASE = "0.2.0"
PACKAGED = ("src/osipi_lakeflow", "osipi_app", "generator", "mock_server")


def source_hash(root: Path) -> str:
    """SHA-256 over the path and bytes of every packaged source file, in path order (first 12 hex digits)."""
    digest = hashlib.sha256()
    files = sorted(
        p
        for folder in PACKAGED
        for p in (root / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".j2", ".json", ".md")
    )
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def product_version() -> str:
    """`RELEASE+<source hash>`: the version hatchling stamps on the wheel."""
    return f"{RELEASE}+{source_hash(Path(__file__).resolve().parent)}"
