"""The monitoring dashboard deployed with the bundle: its datasets (SQL) and pages, built from the contract and plan.

Every table a query names comes from `osipi_lakeflow.contract` (partition tables, the `pi_timeseries` view, the AF
and event-frame tables, each pipeline's event-log table), and the thresholds from `osipi_lakeflow.monitoring`, so
this module owns no name of its own. Queries name tables without catalog or schema: the dashboard resource sets
`dataset_catalog` / `dataset_schema` to the bundle's variables (Databricks Asset Bundles resources, dashboard:
https://docs.databricks.com/dev-tools/bundles/resources.html). Expectation counts come from the pipelines' event
logs: `flow_progress` events carry `details:flow_progress.data_quality.expectations`, an array of
(name, dataset, passed_records, failed_records) (event log schema:
https://docs.databricks.com/aws/dlt/monitor-event-log-schema). The file is an AI/BI dashboard (`.lvdash.json`, the
`serialized_dashboard` of the Lakeview API: https://docs.databricks.com/api/lakeview/v1/dashboard/object.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from generator.plan import Plan
from osipi_lakeflow import contract, monitoring
from osipi_lakeflow.schema import BRONZE_SCHEMA_DDL, COVERAGE, EVENT, GAP

DASHBOARD_KEY = contract.RESOURCE_PREFIX + "monitoring"
"""The dashboard's resource key; also the name of its resource and `.lvdash.json` files."""
TITLE = "OSI PI ingestion"
"""The dashboard's display name (the target is appended)."""
DASHBOARD_FILE = f"dashboards/{DASHBOARD_KEY}.lvdash.json"
"""Bundle-relative path of the dashboard file."""

EVENT_LOG_COLUMNS = frozenset(
    {"id", "sequence", "origin", "timestamp", "message", "level", "maturity_level", "error", "details", "event_type"}
)
"""The event log's documented columns (https://docs.databricks.com/aws/dlt/monitor-event-log-schema)."""

_BRONZE_TYPES = dict(column.split()[:2] for column in BRONZE_SCHEMA_DDL.split(", "))
_EXPECTATIONS_TYPE = "array<struct<name: string, dataset: string, passed_records: bigint, failed_records: bigint>>"
_NOW = "current_timestamp()"


@dataclass(frozen=True)
class Dataset:
    """One dashboard dataset: a name, a title and the SQL that fills it."""

    name: str
    title: str
    sql: str


def _minutes_between(later: str, earlier: str) -> str:
    return f"round((unix_timestamp({later}) - unix_timestamp({earlier})) / 60.0, 1)"


def _bronze_union(plan: Plan, *columns: str) -> str:
    """Every partition table with its partition id; before any partition, an empty relation of the same shape."""
    if not plan.partitions:
        nulls = ", ".join(f"CAST(NULL AS {_BRONZE_TYPES[c]}) AS {c}" for c in columns)
        return f"SELECT CAST(NULL AS STRING) AS partition_id, {nulls} LIMIT 0"
    return "\n  UNION ALL\n  ".join(
        f"SELECT '{p.id}' AS partition_id, {', '.join(columns)} FROM {contract.partition_table(p.id)}"
        for p in plan.partitions
    )


def partition_freshness(plan: Plan) -> Dataset:
    """Newest value and read per partition, the most behind first."""
    union = _bronze_union(plan, "timestamp", "ingested_at", "row_kind")
    return Dataset(
        "partition_freshness",
        "Freshness per partition (most behind first)",
        f"""SELECT partition_id, max(CASE WHEN row_kind = '{EVENT}' THEN timestamp END) AS newest_value,
  max(ingested_at) AS last_read,
  {_minutes_between(_NOW, f"max(CASE WHEN row_kind = '{EVENT}' THEN timestamp END)")} AS lag_minutes
FROM (
  {union}
)
GROUP BY partition_id
ORDER BY lag_minutes DESC""",
    )


def tag_freshness() -> Dataset:
    """Newest value per tag in the queried view, the most behind first."""
    return Dataset(
        "tag_freshness",
        "Freshness per tag (most behind first)",
        f"""SELECT tag, tag_webid, max(timestamp) AS newest_value,
  {_minutes_between(_NOW, "max(timestamp)")} AS lag_minutes
FROM {contract.TIMESERIES_VIEW}
GROUP BY tag, tag_webid
ORDER BY lag_minutes DESC""",
    )


def values_per_hour(plan: Plan) -> Dataset:
    """PI values landed in bronze per hour of landing (the micro-batch's server time)."""
    union = _bronze_union(plan, "ingested_at", "row_kind")
    return Dataset(
        "values_per_hour",
        f"Values landed per hour (last {monitoring.HOURS_SHOWN} h)",
        f"""SELECT date_trunc('HOUR', ingested_at) AS hour, count(*) AS values_landed
FROM (
  {union}
)
WHERE row_kind = '{EVENT}' AND ingested_at >= {_NOW} - INTERVAL {monitoring.HOURS_SHOWN} HOURS
GROUP BY date_trunc('HOUR', ingested_at)
ORDER BY hour""",
    )


def _event_log_tables(plan: Plan) -> list[str]:
    keys = [contract.PIPELINE_KINDS[contract.TIMESERIES].resource_key(p.id) for p in plan.partitions]
    keys += [kind.resource_key() for kind in contract.PIPELINE_KINDS.values() if not kind.partitioned]
    return [contract.event_log_table(key) for key in keys]


def expectations(plan: Plan) -> Dataset:
    """Passed and failed records per dataset and expectation over the last day, from every event log."""
    union = "\n  UNION ALL\n  ".join(
        f"SELECT details:flow_progress.data_quality.expectations AS checks FROM {table} "
        f"WHERE event_type = 'flow_progress' AND timestamp >= {_NOW} - INTERVAL 24 HOURS"
        for table in _event_log_tables(plan)
    )
    return Dataset(
        "expectations",
        "Expectations, last 24 h (most failed first)",
        f"""SELECT e.dataset AS dataset, e.name AS expectation, sum(e.passed_records) AS passed,
  sum(e.failed_records) AS failed
FROM (
  SELECT explode(from_json(checks, '{_EXPECTATIONS_TYPE}')) AS e
  FROM (
  {union}
  )
)
GROUP BY e.dataset, e.name
ORDER BY failed DESC, dataset, expectation""",
    )


def failing_tags(plan: Plan) -> Dataset:
    """Tags whose latest read failed (with its error) or that stopped advancing behind their partition."""
    union = _bronze_union(plan, "tag", "tag_webid", "row_kind", "read_seq", "covered_until", "read_error")
    stale = int(monitoring.STALE_AFTER.total_seconds() // 60)
    return Dataset(
        "failing_tags",
        "Failing or vanished tags",
        f"""WITH per_tag AS (
  SELECT partition_id, tag_webid, max(tag) AS tag,
    max(CASE WHEN row_kind = '{COVERAGE}' THEN read_seq END) AS covered_seq,
    max(CASE WHEN row_kind = '{COVERAGE}' THEN covered_until END) AS covered_until,
    max(CASE WHEN row_kind = '{GAP}' THEN read_seq END) AS gap_seq,
    max_by(read_error, CASE WHEN row_kind = '{GAP}' THEN read_seq END) AS last_error
  FROM (
  {union}
  )
  GROUP BY partition_id, tag_webid
),
judged AS (
  SELECT *, {_minutes_between("max(covered_until) OVER (PARTITION BY partition_id)", "covered_until")}
    AS behind_minutes
  FROM per_tag
)
SELECT partition_id, tag, tag_webid,
  CASE WHEN gap_seq > coalesce(covered_seq, -1) THEN '{monitoring.FAILING}' ELSE '{monitoring.STALE}' END AS status,
  last_error, covered_until, behind_minutes
FROM judged
WHERE gap_seq > coalesce(covered_seq, -1) OR covered_until IS NULL OR behind_minutes >= {stale}
ORDER BY status, behind_minutes DESC, tag""",
    )


def active_alarms() -> Dataset:
    """The alarms open at the alarms pipeline's last refresh (`pi_active_alarms`), the longest open first."""
    return Dataset(
        "active_alarms",
        "Active alarms",
        f"""SELECT alarm_name AS name, template, severity, start_time, acknowledged, element_path AS path,
  round(active_seconds / 60.0, 1) AS open_minutes
FROM {contract.ACTIVE_ALARMS}
ORDER BY start_time""",
    )


def frames_per_template() -> Dataset:
    """Event frames per template: how many, how many open."""
    return Dataset(
        "frames_per_template",
        "Event frames per template",
        f"""SELECT coalesce(template, '(none)') AS template, count(*) AS frames,
  count_if(end_time IS NULL OR end_time > {_NOW}) AS open_frames
FROM {contract.EVENT_FRAMES_TABLE}
WHERE NOT deleted_in_pi
GROUP BY coalesce(template, '(none)')
ORDER BY frames DESC""",
    )


def af_coverage() -> Dataset:
    """The AF tree in path order, each element with its PI-point attributes and how many of them have landed."""
    return Dataset(
        "af_coverage",
        "AF elements and their tag coverage",
        f"""WITH landed AS (SELECT DISTINCT tag_webid FROM {contract.TIMESERIES_VIEW}),
points AS (
  SELECT a.element_id, count(a.point_webid) AS tags, count(l.tag_webid) AS tags_landed
  FROM {contract.AF_ATTRIBUTES} a LEFT JOIN landed l ON a.point_webid = l.tag_webid
  GROUP BY a.element_id
)
SELECT e.path, e.depth, e.name, e.template, coalesce(p.tags, 0) AS tags, coalesce(p.tags_landed, 0) AS tags_landed,
  CASE WHEN p.tags > 0 THEN round(100.0 * p.tags_landed / p.tags, 1) END AS coverage_pct
FROM {contract.AF_ELEMENTS} e LEFT JOIN points p ON e.element_id = p.element_id
ORDER BY e.path""",
    )


def datasets(plan: Plan) -> list[Dataset]:
    """Every dataset of the dashboard, in page order."""
    return [
        partition_freshness(plan), tag_freshness(), values_per_hour(plan), expectations(plan), failing_tags(plan),
        active_alarms(), frames_per_template(), af_coverage(),
    ]  # fmt: skip


def _table(dataset: Dataset, columns: list[str]) -> dict:
    return {
        "queries": [_query(dataset, columns)],
        "spec": {
            "version": 1,
            "widgetType": "table",
            "encodings": {"columns": [{"fieldName": c, "displayName": c} for c in columns]},
            "frame": {"showTitle": True, "title": dataset.title},
        },
    }


def _bar(dataset: Dataset, x: str, y: str, temporal: bool = False) -> dict:
    return {
        "queries": [_query(dataset, [x, y])],
        "spec": {
            "version": 3,
            "widgetType": "bar",
            "encodings": {
                "x": {"fieldName": x, "scale": {"type": "temporal" if temporal else "categorical"}, "displayName": x},
                "y": {"fieldName": y, "scale": {"type": "quantitative"}, "displayName": y},
            },
            "frame": {"showTitle": True, "title": dataset.title},
        },
    }


def _query(dataset: Dataset, columns: list[str]) -> dict:
    fields = [{"name": c, "expression": f"`{c}`"} for c in columns]
    return {"name": "main_query", "query": {"datasetName": dataset.name, "fields": fields, "disaggregated": True}}


def dashboard(plan: Plan) -> dict:
    """The dashboard document: datasets, then three pages of widgets laid out on the 6-column grid."""
    ds = {d.name: d for d in datasets(plan)}
    pages = {
        "ingestion": ("Ingestion", [
            _bar(ds["partition_freshness"], "partition_id", "lag_minutes"),
            _bar(ds["values_per_hour"], "hour", "values_landed", temporal=True),
            _table(ds["partition_freshness"], ["partition_id", "lag_minutes", "newest_value", "last_read"]),
            _table(ds["tag_freshness"], ["tag", "lag_minutes", "newest_value", "tag_webid"]),
        ]),
        "quality": ("Quality", [
            _table(ds["expectations"], ["dataset", "expectation", "passed", "failed"]),
            _table(ds["failing_tags"], ["status", "tag", "partition_id", "last_error", "behind_minutes"]),
        ]),
        "assets": ("Assets and alarms", [
            _table(ds["active_alarms"], ["name", "template", "severity", "start_time", "open_minutes", "acknowledged"]),
            _bar(ds["frames_per_template"], "template", "frames"),
            _table(ds["af_coverage"], ["path", "template", "tags", "tags_landed", "coverage_pct"]),
        ]),
    }  # fmt: skip
    layout_pages = []
    for page, (title, widgets) in pages.items():
        layout = []
        for i, widget in enumerate(widgets):
            position = {"x": 3 * (i % 2), "y": 8 * (i // 2), "width": 3, "height": 8}
            layout.append({"widget": {"name": f"{page}_{i + 1}", **widget}, "position": position})
        layout_pages.append({"name": page, "displayName": title, "layout": layout})
    return {
        "datasets": [
            {"name": d.name, "displayName": d.title, "queryLines": d.sql.splitlines(keepends=True)} for d in ds.values()
        ],
        "pages": layout_pages,
    }


def dashboard_json(plan: Plan) -> str:
    """The `.lvdash.json` text: stable key order and indentation, so renderings diff cleanly."""
    return json.dumps(dashboard(plan), indent=2, ensure_ascii=False) + "\n"
