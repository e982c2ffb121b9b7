"""`osipi demo` refuses bad input before anything starts: its numbers, and a work folder it would wipe."""

from __future__ import annotations

import pytest

from osipi_app.cli.demo import clear_workdir


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--tags", "0", "must be at least 1"),
        ("--tags-per-pipeline", "-5", "must be at least 1"),
        ("--hours", "0", "must be a number above 0"),
        ("--hours", "nan", "must be a number above 0"),
        ("--advance-minutes", "ten", "must be a number"),
    ],
)
def test_a_bad_number_is_refused_naming_the_flag(osipi, tmp_path, flag, value, says):
    done = osipi("demo", flag, value, "--workdir", str(tmp_path / "work"))
    assert done.returncode == 2
    assert flag in done.stderr and says in done.stderr
    assert not (tmp_path / "work").exists()


def test_a_folder_holding_anything_else_is_refused_and_left_as_it_was(osipi, tmp_path):
    mine = tmp_path / "project"
    (mine / "bundle").mkdir(parents=True)
    (mine / "notes.txt").write_text("keep me")
    done = osipi("demo", "--tags", "20", "--workdir", str(mine))
    assert done.returncode == 2
    assert "notes.txt" in done.stdout and "which no demo wrote" in done.stdout
    assert (mine / "notes.txt").read_text() == "keep me" and (mine / "bundle").is_dir()


def test_an_earlier_demo_folder_is_cleared_and_a_missing_one_is_fine(tmp_path):
    earlier = tmp_path / "demo"
    (earlier / "warehouse" / "osipi.db").mkdir(parents=True)
    (earlier / "bundle" / "osipi.plan.json").parent.mkdir(parents=True)
    (earlier / "bundle" / "osipi.plan.json").write_text("{}")
    clear_workdir(earlier)
    assert not earlier.exists()
    clear_workdir(tmp_path / "never-made")


def test_a_file_named_as_the_folder_is_refused(tmp_path):
    from osipi_lakeflow.errors import PIConfigError

    (tmp_path / "demo").write_text("x")
    with pytest.raises(PIConfigError, match="is a file"):
        clear_workdir(tmp_path / "demo")
