"""The engine's class archive: which one an environment uses, the engine's Java options, and a real engine mapping
the archive `./dev setup` wrote."""

from __future__ import annotations

from pathlib import Path

from osipi_app.local import classarchive
from osipi_app.local.runner import run_engine
from osipi_app.local.worker import DRIVER_JAVA_OPTIONS, server_conf


def test_an_engine_writes_the_archive_when_told_and_uses_an_existing_one_otherwise(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(classarchive, "ARCHIVE_DIR", tmp_path)
    assert classarchive.java_options(tmp_path / "new.jsa") == [f"-XX:ArchiveClassesAtExit={tmp_path / 'new.jsa'}"]
    assert classarchive.java_options() == []  # none written yet: the engine starts without one
    archive = classarchive.archive_path()
    assert archive is not None and archive.parent == tmp_path
    archive.write_bytes(b"archive")
    assert classarchive.java_options() == [f"-XX:SharedArchiveFile={archive}"]


def test_another_jdk_looks_for_an_archive_of_its_own(tmp_path, monkeypatch) -> None:
    ours = classarchive.archive_path()
    other = tmp_path / "jdk"
    other.mkdir()
    (other / "release").write_text('JAVA_VERSION="21.0.5"\n')
    monkeypatch.setenv("JAVA_HOME", str(other))
    theirs = classarchive.archive_path()
    assert ours is not None and theirs is not None and theirs != ours


def test_a_users_java_options_extend_the_engines_instead_of_replacing_them(tmp_path) -> None:
    conf = server_conf(tmp_path, 15002, {DRIVER_JAVA_OPTIONS: "-Xss4m", "spark.driver.memory": "2g"}, ["-XX:X=1"])
    assert conf[DRIVER_JAVA_OPTIONS] == f"-Dderby.system.home={tmp_path / '_metastore'} -XX:X=1 -Xss4m"
    assert conf["spark.driver.memory"] == "2g"


def test_the_engine_maps_the_archive_setup_wrote(tmp_path: Path) -> None:
    archive = classarchive.archive_path()
    assert archive is not None and archive.is_file(), f"no class archive at {archive}: run ./dev setup"
    job = {"pipelines": [], "view": None, "conf": {DRIVER_JAVA_OPTIONS: "-Xlog:cds=info"}}
    run_engine(job, tmp_path, None, timeout=300)
    log = (tmp_path / "logs" / "engine.log").read_text()
    assert f"Opened archive {archive}." in log, log[-3000:]
    assert "mismatch" not in log, "the JVM refused the archive: " + log[-3000:]
