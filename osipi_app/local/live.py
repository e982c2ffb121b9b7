"""Time-series pipelines kept running on the local engine, as the `osipi_live` job keeps them running on Databricks.

Open-source SDP runs triggered updates only (`Trigger.AvailableNow`). Once a pipeline's triggered update has caught
up, its flows are recorded again from the same pipeline source (`FlowRecorder`) and each runs as a long-running
streaming query: a micro-batch every `pipelines.trigger.interval` of the flow (the pipeline's `live_interval`),
appended to the same table through the same checkpoint the triggered update used. Triggered and live runs so take
turns on one position per tag with no gap and no repeat, and a live query stopped at any point resumes from its
checkpoint as a killed triggered run does.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from pyspark.pipelines.flow import AutoCdcFlow, Flow
from pyspark.pipelines.graph_element_registry import GraphElementRegistry
from pyspark.pipelines.output import Output

from osipi_lakeflow.errors import PIConfigError
from osipi_lakeflow.pipeline.bronze import TRIGGER_INTERVAL_CONF

DEFAULT_TRIGGER_INTERVAL = "5 seconds"
"""A recorded flow's micro-batch interval when it names none."""
STOP_GRACE_SECONDS = 5.0
"""How long a stop waits for a pause between micro-batches before interrupting the one in progress: an interrupted
micro-batch committed nothing, and the next run reads it again from the checkpoint (a query that falls behind its
interval has no pause)."""


class FlowRecorder(GraphElementRegistry):
    """Keeps the flows a pipeline source defines, defining nothing on the server (its graph already exists)."""

    def __init__(self) -> None:
        self.flows: list[Flow] = []

    def register_output(self, output: Output) -> None:
        """Nothing to keep: the triggered update created the dataset, and each flow names it as its target."""

    def register_flow(self, flow: Flow) -> None:
        """Remember a flow; its function is called when the live query starts."""
        self.flows.append(flow)

    def register_auto_cdc_flow(self, flow: AutoCdcFlow) -> None:
        """Refused: a live run keeps append flows running only."""
        raise PIConfigError(f"flow {flow.name or flow.target} is an AUTO CDC flow; only append flows run live")

    def register_sql(self, sql_text: str, file_path: Path) -> None:
        """Refused: a live run records Python flows only."""
        raise PIConfigError(f"{file_path} defines SQL datasets; only Python flows run live")


def flow_checkpoint(storage: str, database: str, flow: Flow) -> str:
    """The checkpoint the triggered update of `flow` wrote, as a URI.

    Open-source SDP keeps it at `<storage>/_checkpoints/spark_catalog/<schema>/<table>/<flow>/<n>` and starts a new
    `n` on a full refresh: the highest is the current one.

    Raises:
        PIConfigError: the flow never ran triggered here, so there is no position to continue from.
    """
    root = Path(unquote(urlparse(storage).path)) / "_checkpoints" / "spark_catalog" / database / flow.target / flow.name
    runs = sorted((int(p.name), p) for p in root.glob("*") if p.is_dir() and p.name.isdigit())
    if not runs:
        raise PIConfigError(f"flow {flow.name} has no checkpoint under {root}: run the pipeline triggered first")
    return runs[-1][1].as_uri()


def trigger_interval(flow: Flow) -> str:
    """The flow's micro-batch interval, as Spark reads it (`1 second`, `5 seconds`)."""
    return flow.spark_conf.get(TRIGGER_INTERVAL_CONF, DEFAULT_TRIGGER_INTERVAL)


def start_live_query(flow: Flow, database: str, checkpoint: str):
    """Start `flow` as a streaming query appending to its table every trigger interval; returns the query."""
    interval = trigger_interval(flow)
    target = flow.target if "." in flow.target else f"{database}.{flow.target}"
    writer = (
        flow.func()
        .writeStream.queryName(flow.name)
        .outputMode("append")
        .option("checkpointLocation", checkpoint)
        .trigger(processingTime=interval)
    )
    return writer.toTable(target)


def stop_between_batches(query, grace: float = STOP_GRACE_SECONDS) -> None:
    """Stop `query` once its micro-batch in progress has committed (or `grace` seconds passed)."""
    deadline = time.monotonic() + grace
    while query.isActive and query.status["isTriggerActive"] and time.monotonic() < deadline:
        time.sleep(0.05)
    query.stop()
