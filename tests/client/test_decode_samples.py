"""Every value-bearing sample in pi_samples/ decodes to the right typed columns."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from osipi_lakeflow.client.decode import StreamValues, decode_streams, decode_values
from osipi_lakeflow.schema import RECORDED_SCHEMA

SAMPLES = Path(__file__).parents[1] / "fixtures" / "pi_samples"  # verbatim copies, see SOURCES.md there


def load(name: str) -> object:
    return orjson.loads((SAMPLES / name).read_bytes())


def stream_items(doc: dict) -> list[StreamValues]:
    """Stream-set shaped documents: `Items` of streams with `Items` (or a single `Value`)."""
    out = []
    for item in doc["Items"]:
        values = item["Items"] if "Items" in item else [item["Value"]]
        out.append(StreamValues(item["WebId"], item.get("Name"), item.get("UnitsAbbreviation"), values))
    return out


def test_kukur_fixture_keeps_duplicates_apart_and_types_shutdown():
    doc = load("streams_recorded_kukur_fixture_duplicates_shutdown.json")
    rows = decode_values(doc["Items"], "W1", "CDT158").to_pylist()
    assert len(rows) == 18
    dup = [r for r in rows if r["timestamp"] == datetime(2020, 1, 1, 9, 42, 25, tzinfo=UTC)]
    assert [(r["value_double"], r["event_ordinal"]) for r in dup] == [(3.38636, 0), (23.6581783, 0), (23.6581783, 1)]
    shutdown = rows[7]
    assert shutdown["value_double"] is None
    assert (shutdown["state_name"], shutdown["state_code"], shutdown["is_system_state"]) == ("Shutdown", 254, True)
    assert shutdown["good"] is False
    assert all(r["annotated"] is False and r["questionable"] is False for r in rows)  # missing flags default


def test_digital_system_state_sample():
    rows = decode_values([load("digital_value.json")], "W").to_pylist()
    assert rows[0]["state_name"] == "Pt Created"
    assert rows[0]["state_code"] == 253
    assert rows[0]["is_system_state"] is True
    assert rows[0]["good"] is False
    assert rows[0]["units"] is None  # "" means no units


def test_streamset_value_pisquare_sample_mixes_number_and_state():
    docs = load("streamset_value_systemstate_pisquare.json")
    streams = [s for doc in docs for s in stream_items(doc)]
    rows = decode_streams(streams).batch.to_pylist()
    assert [(r["tag_webid"], r["tag"]) for r in rows] == [("Plant1WebID", "WindSpeed"), ("Plant2WebID", "WindSpeed")]
    assert rows[0]["value_double"] == 0.0 and rows[0]["units"] == "m/s" and rows[0]["is_system_state"] is False
    assert rows[1]["state_name"] == "Pt Created" and rows[1]["annotated"] is False


@pytest.mark.parametrize("name", ["selectedfields_topic_full_response.json", "channel_message_topic_example.json"])
def test_string_flags_become_booleans(name):
    rows = decode_streams(stream_items(load(name))).batch.to_pylist()
    assert rows and all(r["good"] is True and r["questionable"] is False and r["substituted"] is False for r in rows)
    assert all(isinstance(r["value_double"], float) for r in rows)


@pytest.mark.parametrize(
    "name", ["streamsets_end_adhoc.json", "streamsets_value_adhoc.json", "stream_channel_message.json"]
)
def test_stream_set_samples(name):
    page = decode_streams(stream_items(load(name)))
    rows = page.batch.to_pylist()
    assert rows[0]["value_double"] == 12.3 and rows[0]["units"] == "m" and rows[0]["annotated"] is False
    assert rows[0]["timestamp"] == datetime(2014, 7, 22, 14, tzinfo=UTC)
    assert page.batch.schema == RECORDED_SCHEMA


def test_identical_events_in_channel_message_get_ordinals_0_and_1():
    rows = decode_streams(stream_items(load("stream_channel_message.json"))).batch.to_pylist()
    assert [r["event_ordinal"] for r in rows] == [0, 1]


def test_stream_end_sample():
    row = decode_values([load("stream_end.json")], "W").to_pylist()[0]
    assert (row["value_double"], row["units"], row["good"]) == (12.3, "m", True)


@pytest.mark.parametrize("name", ["stream_updates_retrieve.json", "streamsets_updates_retrieve.json"])
def test_stream_update_events(name):
    doc = load(name)
    items = doc["Items"] if "Items" in doc else [doc]
    streams = [StreamValues(i["Source"], i["SourceName"], None, i["Events"]) for i in items]
    rows = decode_streams(streams).batch.to_pylist()
    assert rows[0]["tag"] == "Water" and rows[0]["value_double"] == 12.3 and rows[0]["units"] == "m"


def test_seventh_fractional_digit_is_truncated_not_rounded():
    values = [
        {"Timestamp": "2016-06-21T14:45:50.2988329Z", "Value": 1},
        {"Timestamp": "2016-06-21T14:45:50.9999999Z", "Value": 2},
    ]
    rows = decode_values(values, "W").to_pylist()
    assert rows[0]["timestamp"] == datetime(2016, 6, 21, 14, 45, 50, 298832, tzinfo=UTC)
    assert rows[1]["timestamp"] == datetime(2016, 6, 21, 14, 45, 50, 999999, tzinfo=UTC)


def test_error_object_value_is_a_flagged_system_state():
    values = [{"Timestamp": "2020-01-01T00:00:00Z", "Value": {"Errors": ["Point not found", "x"]}, "Good": False}]
    row = decode_values(values, "W").to_pylist()[0]
    assert row["is_system_state"] is True and row["state_name"] == "Point not found; x" and row["value_double"] is None


def test_strings_digital_bools_and_arrays():
    values = [
        {"Timestamp": "2020-01-01T00:00:00Z", "Value": "text"},
        {"Timestamp": "2020-01-01T00:00:01Z", "Value": {"Name": "Open", "Value": 1, "IsSystem": False}},
        {"Timestamp": "2020-01-01T00:00:02Z", "Value": True},
        {"Timestamp": "2020-01-01T00:00:03Z", "Value": [1, 2]},
        {"Timestamp": "2020-01-01T00:00:04Z", "Value": 7},
    ]
    rows = decode_values(values, "W").to_pylist()
    assert rows[0]["value_string"] == "text" and rows[0]["value_double"] is None
    assert (rows[1]["state_name"], rows[1]["state_code"], rows[1]["is_system_state"]) == ("Open", 1, False)
    assert rows[2]["value_double"] == 1.0
    assert rows[3]["value_string"] == "[1,2]"
    assert rows[4]["value_double"] == 7.0


def test_value_units_override_stream_units():
    values = [
        {"Timestamp": "2020-01-01T00:00:00Z", "Value": 1, "UnitsAbbreviation": "degC"},
        {"Timestamp": "2020-01-01T00:00:01Z", "Value": 2},
    ]
    rows = decode_values(values, "W", units="K").to_pylist()
    assert [r["units"] for r in rows] == ["degC", "K"]


def test_ordinals_count_same_value_only_within_an_instant():
    values = [{"Timestamp": "2020-01-01T00:00:00Z", "Value": v} for v in (1, 2, 1, 1)]
    values.append({"Timestamp": "2020-01-01T00:00:01Z", "Value": 1})
    assert decode_values(values, "W").column("event_ordinal").to_pylist() == [0, 0, 1, 2, 0]


def test_ordinals_restart_per_stream():
    one = [{"Timestamp": "2020-01-01T00:00:00Z", "Value": 1}]
    page = decode_streams([StreamValues("A", None, None, one), StreamValues("B", None, None, one)])
    assert page.batch.column("event_ordinal").to_pylist() == [0, 0]
    assert page.offsets.tolist() == [0, 1, 2]


def test_empty_input_gives_an_empty_batch_in_schema():
    page = decode_streams([StreamValues("A", None, None, [])])
    assert page.batch.num_rows == 0 and page.batch.schema == RECORDED_SCHEMA


def test_far_future_timestamps_fall_back_to_exact_parsing():
    rows = decode_values([{"Timestamp": "9999-12-31T23:59:59.1234567Z", "Value": 1}], "W").to_pylist()
    assert rows[0]["timestamp"] == datetime(9999, 12, 31, 23, 59, 59, 123456, tzinfo=UTC)


def test_missing_timestamp_is_a_clear_error():
    from osipi_lakeflow.errors import PIResponseError

    with pytest.raises(PIResponseError, match="no Timestamp"):
        decode_values([{"Value": 1}], "W")
