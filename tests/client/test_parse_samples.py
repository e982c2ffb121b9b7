"""Object samples in pi_samples/ parse into the typed models."""

from __future__ import annotations

from datetime import UTC, datetime

from osipi_lakeflow.client import parse
from tests.client.test_decode_samples import load


def test_point_sample():
    point = parse.point(load("point.json"))
    assert (point.name, point.point_type, point.descriptor, point.units) == (
        "PointName",
        "Float32",
        "12 Hour Sine Wave",
        "",
    )


def test_kukur_points_fixture():
    points = [parse.point(i) for i in load("points_kukur_fixture.json")["Items"]]
    assert [(p.name, p.point_type, p.units) for p in points] == [
        ("CDT158", "Float32", "DEG. C"),
        ("CDT159", "String", ""),
    ]


def test_data_servers_with_seven_digit_server_time():
    server = parse.data_server(load("dataservers_real.json")["Items"][0])
    assert server.name == "mypiserver"
    assert server.server_time == datetime(2022, 2, 18, 15, 10, 8, 875762, tzinfo=UTC)


def test_element_sample_and_its_place_in_the_tree():
    element = parse.element(load("element.json"))
    assert element.name and element.path.startswith("\\\\")
    assert element.depth == element.path.count("\\") - 4


def test_attribute_without_point_link_has_no_point():
    attribute = parse.attribute("OWNER", load("attribute.json"))
    assert attribute.data_reference == "Table Lookup" and attribute.point_webid is None
    assert (attribute.units, attribute.type, attribute.owner_webid) == ("L", "Int32", "OWNER")


def test_pi_point_attribute_maps_through_links_point():
    item = {
        **load("attribute.json"),
        "DataReferencePlugIn": "PI Point",
        "ConfigString": "\\\\PISRV01\\SINUSOID;ReadOnly=False",
        "Links": {"Point": "https://pi/piwebapi/points/F1DPabc"},
    }
    attribute = parse.attribute("OWNER", item)
    assert (attribute.point_webid, attribute.point_name) == ("F1DPabc", "SINUSOID")


def test_template_config_string_leaves_the_point_name_to_the_server():
    item = {
        **load("attribute.json"),
        "ConfigString": "\\\\%Server%\\%Element%.%Attribute%",
        "Links": {"Point": "https://pi/piwebapi/points/F1DPabc"},
    }
    assert parse.attribute("OWNER", item).point_name is None


def test_event_frame_sample_and_open_frames():
    frame = parse.event_frame(load("eventframe.json"))
    assert frame.start == datetime(2014, 7, 18, 14, 45, 29, tzinfo=UTC) and frame.end is not None
    assert frame.is_acknowledged and frame.ref_element_webids
    still_open = parse.event_frame({**load("eventframe.json"), "EndTime": "9999-12-31T23:59:59Z"})
    assert still_open.end is None


def test_unacknowledged_frame_has_no_acknowledged_date():
    sample = {**load("eventframe.json"), "IsAcknowledged": False, "AcknowledgedDate": "1970-01-01T00:00:00Z"}
    assert parse.event_frame(sample).acknowledged_date is None
    assert parse.event_frame(load("eventframe.json")).acknowledged_date == datetime(2014, 7, 30, 11, 4, 23, tzinfo=UTC)


def test_event_frame_flags_written_as_text_read_as_the_text_says():
    flags = ("IsAcknowledged", "CanBeAcknowledged", "IsAnnotated", "AreValuesCaptured")
    as_false = parse.event_frame({**load("eventframe.json"), **dict.fromkeys(flags, "false")})
    as_true = parse.event_frame({**load("eventframe.json"), **dict.fromkeys(flags, "True")})
    read = ("is_acknowledged", "can_be_acknowledged", "is_annotated", "values_captured")
    assert [getattr(as_false, f) for f in read] == [False] * 4 and as_false.acknowledged_date is None
    assert [getattr(as_true, f) for f in read] == [True] * 4
    assert not parse.event_frame(
        {k: v for k, v in load("eventframe.json").items() if k != "AreValuesCaptured"}
    ).values_captured


def test_points_multiple_items_carry_point_objects():
    items = load("points_multiple_207.json")["Items"]
    points = [parse.point(i["Object"]) for i in items if i.get("Object")]
    assert [p.webid for p in points] == ["I1DPa70Wf0zBA06CLkV9ovNQgQCAAAAA"]


def test_annotation_sample_timestamps_truncate_like_values():
    from osipi_lakeflow.pitime import parse_timestamp

    stamps = [parse_timestamp(a["CreationDate"]) for a in load("eventframe_annotations.json")["Items"]]
    assert stamps[0] == datetime(2016, 6, 21, 14, 45, 50, 298832, tzinfo=UTC)
