import collections
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


def truth_key(webid: str, event: dict) -> tuple:
    value = event["value"]
    if isinstance(value, dict):
        value = value.get("Name") or value.get("name") or str(value)
    elif isinstance(value, float | int) and not isinstance(value, bool):
        value = round(float(value), 6)
    return (webid, micros(event["timestamp"]), value, event["good"])


def bronze_key(row: dict) -> tuple:
    if row["value_double"] is not None:
        value = round(row["value_double"], 6)
    elif row["value_string"] is not None:
        value = row["value_string"]
    else:
        value = row["state_name"]
    return (row["tag_webid"], micros(row["timestamp"]), value, row["good"])


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


def bronze(warehouse: Path, table: str = "pi_timeseries_p0001") -> collections.Counter:
    return collections.Counter(bronze_key(r) for r in landed(warehouse, table))
