"""The parts of a live run that need no engine: where a flow's checkpoint is, what a recorder refuses, the result."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.pipelines.flow import Flow
from pyspark.pipelines.source_code_location import SourceCodeLocation

from osipi_app.local.live import FlowRecorder, flow_checkpoint, trigger_interval
from osipi_app.local.worker import after_live
from osipi_lakeflow.errors import PIConfigError


def _flow(conf: dict[str, str] | None = None) -> Flow:
    return Flow("pi_timeseries_p0001", "pi_timeseries_p0001", conf or {}, SourceCodeLocation("t.py", 1), lambda: None)


def test_the_checkpoint_is_the_newest_one_the_triggered_update_wrote(tmp_path: Path) -> None:
    flows = tmp_path / "_checkpoints" / "spark_catalog" / "osipi" / "pi_timeseries_p0001" / "pi_timeseries_p0001"
    for n in ("0", "2", "10", "tmp"):
        (flows / n).mkdir(parents=True)
    assert flow_checkpoint(tmp_path.as_uri(), "osipi", _flow()) == (flows / "10").as_uri()


def test_a_flow_that_never_ran_triggered_has_no_checkpoint_to_continue_from(tmp_path: Path) -> None:
    with pytest.raises(PIConfigError, match="run the pipeline triggered first"):
        flow_checkpoint(tmp_path.as_uri(), "osipi", _flow())


def test_the_trigger_interval_is_the_flows_own_setting() -> None:
    assert trigger_interval(_flow({"pipelines.trigger.interval": "2 seconds"})) == "2 seconds"
    assert trigger_interval(_flow()) == "5 seconds"


def test_a_recorder_refuses_sql_it_cannot_run_live(tmp_path: Path) -> None:
    with pytest.raises(PIConfigError, match="only Python flows run live"):
        FlowRecorder().register_sql("CREATE STREAMING TABLE t AS SELECT 1", tmp_path / "t.sql")


def test_a_live_result_spans_the_catch_up_and_the_live_run() -> None:
    checks = {"good_quality": {"action": "warned", "passed": 10, "failed": 1}}
    triggered = {"key": "k", "ok": True, "seconds": 12.0, "error": None,
                 "tables": {"t": {"before": 5, "after": 20}}, "expectations": {"t": checks}}  # fmt: skip
    live = {"key": "k", "ok": False, "seconds": 30.5, "error": "RuntimeError: live flow t stopped",
            "tables": {"t": {"after": 90}}, "expectations": {"t": checks, "u": checks}}  # fmt: skip
    merged = after_live(triggered, live)
    assert merged["tables"] == {"t": {"before": 5, "after": 90}}
    assert merged["expectations"]["t"]["good_quality"] == {"action": "warned", "passed": 20, "failed": 2}
    assert merged["expectations"]["u"]["good_quality"]["passed"] == 10
    assert (merged["ok"], merged["seconds"], merged["error"]) == (False, 42.5, "RuntimeError: live flow t stopped")
    assert triggered["expectations"]["t"]["good_quality"]["passed"] == 10  # the inputs are left as they were
