import collections
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

from osipi_app.local import open_table

BUNDLE = Path(__file__).parent / "bundle"
T0 = datetime(2026, 11, 1, tzinfo=UTC)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(ts) -> int:
    """Microseconds since the epoch of an aware or naive-UTC datetime (pandas Timestamps included)."""
    if hasattr(ts, "to_pydatetime"):
        ts = ts.to_pydatetime()
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return (ts - EPOCH) // timedelta(microseconds=1)


def _number(value: float) -> object:
    if math.isnan(value):
        return "nan"
    return value if math.isinf(value) else round(float(value), 6)


def truth_key(webid: str, event: dict) -> tuple:
    value = event["value"]
    if isinstance(value, dict) and "Errors" in value:
        value = "; ".join(str(e) for e in value["Errors"])
    elif isinstance(value, dict):
        value = value.get("Name") or value.get("name") or str(value)
    elif isinstance(value, float | int) and not isinstance(value, bool):
        value = _number(value)
    return (webid, micros(event["timestamp"]), value, event["good"])


def bronze_key(row: dict) -> tuple:
    if row["value_double"] is not None:
        value = _number(row["value_double"])
    elif row["value_string"] is not None:
        value = row["value_string"]
    else:
        value = row["state_name"]
    return (row["tag_webid"], micros(row["timestamp"]), value, row["good"])


def current_rows(rows: list[dict]) -> list[dict]:
    """The archive's state as bronze rows say it: each event unless a later read covered its instant.

    An independent implementation of the rule `osipi_lakeflow.pipeline.views` applies in SQL.
    """
    covers: dict[str, list[tuple[int, int, int]]] = collections.defaultdict(list)
    for r in rows:
        if r.get("row_kind") == "coverage":
            covers[r["tag_webid"]].append((r["read_seq"], micros(r["timestamp"]), micros(r["covered_until"])))
    kept = []
    for r in rows:
        if (r.get("row_kind") or "event") != "event":
            continue
        ts, seq = micros(r["timestamp"]), r.get("read_seq") or 0
        if not any(s > seq and lo <= ts < hi for s, lo, hi in covers.get(r["tag_webid"], ())):
            kept.append(r)
    return kept


def ground_truth(archive, webids, start: datetime, end: datetime, as_of: datetime) -> collections.Counter:
    """Events in [start, end) visible at `as_of`, as a multiset of comparable keys."""
    found = collections.Counter()
    for w in webids:
        for e in archive.recorded(w, start, end, as_of=as_of):
            if e["timestamp"] < end:
                found[truth_key(w, e)] += 1
    return found


def landed(warehouse: Path, table: str) -> list[dict]:
    """The rows Spark committed to a local table."""
    return open_table(warehouse, table).to_table().to_pylist()


def partition_tables(warehouse: Path) -> list[str]:
    return sorted(p.name for p in (warehouse / "warehouse" / "osipi.db").glob("pi_timeseries_p*"))


def bronze(warehouse: Path, table: str | None = "pi_timeseries_p0001") -> collections.Counter:
    """The current state (what `pi_timeseries` shows) of one partition table, or of all of them (None)."""
    tables = [table] if table else partition_tables(warehouse)
    rows = [r for t in tables for r in landed(warehouse, t)]
    return collections.Counter(bronze_key(r) for r in current_rows(rows))
