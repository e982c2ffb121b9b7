"""Pure pieces of the mock, without HTTP: timestamp text, WebIds, selectedFields trees and JSONPath."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_server import fields, jsonpath, webids
from mock_server.pitime import format_ticks, format_ticks_array, parse_iso

TICKS = st.integers(min_value=0, max_value=253_402_300_799 * 10_000_000)  # 1970 .. 9999


@given(st.lists(TICKS, min_size=1, max_size=50))
def test_vectorised_timestamps_equal_the_scalar_ones(ticks) -> None:
    assert [t.decode() for t in format_ticks_array(np.array(ticks, dtype=np.int64))] == [format_ticks(t) for t in ticks]


@given(TICKS)
def test_timestamp_text_round_trips_to_the_same_tick(ticks) -> None:
    text = format_ticks(ticks)
    assert parse_iso(text) == ticks
    assert text.endswith("Z") and ("." not in text or len(text.rsplit(".", 1)[1]) <= 8)


def test_timestamps_print_like_pi() -> None:
    assert format_ticks(parse_iso("2016-06-21T14:45:50.2988321Z")) == "2016-06-21T14:45:50.2988321Z"
    assert format_ticks(parse_iso("2014-07-22T14:00:00Z")) == "2014-07-22T14:00:00Z"
    assert format_ticks(parse_iso("2014-07-22T14:00:00.5Z")) == "2014-07-22T14:00:00.5Z"


@pytest.mark.parametrize("id_type", ["Full", "IDOnly", "PathOnly"])
def test_point_webids_decode_to_their_point(mock, id_type) -> None:
    archive = mock.archive
    for p in (0, 17, archive.plant.tags - 1):
        web_id = archive.point_webid(p, id_type)
        assert web_id[0] == id_type[0] and web_id[1:4] == "1DP"
        assert archive.point_index(web_id) == p


def test_malformed_webids_decode_to_nothing(mock) -> None:
    for text in ("", "F1", "X1DPabc", "F1DP" + "A" * 10, "P1DP!!!"):
        assert mock.archive.point_index(text) is None
    assert webids.decode("F1ZZ" + "A" * 40) is None


def test_guid_of_another_plant_is_refused() -> None:
    ours, theirs = webids.Ids(1), webids.Ids(2)
    assert theirs.parse_guid(webids.guid_text(ours.guid("element", 5))) is None
    assert ours.parse_guid(webids.guid_text(ours.guid("element", 5))) == ("element", 5)


def test_selected_fields_tree_keeps_whole_subtrees() -> None:
    tree = fields.parse("Items.Links;Items.Links.Self;Links")
    assert tree == {"items": {"links": {}}, "links": {}}
    value = {"Links": {"A": 1}, "Items": [{"Links": {"Self": "s", "Up": "u"}, "Name": "n"}], "Other": 2}
    assert fields.project(value, tree) == {"Links": {"A": 1}, "Items": [{"Links": {"Self": "s", "Up": "u"}}]}


def test_blank_selected_fields_keep_everything() -> None:
    assert fields.parse("") is None and fields.parse(" ; ") == {}
    assert fields.project({"A": 1}, None) == {"A": 1}


def test_jsonpath_selects_names_indexes_and_wildcards() -> None:
    doc = {"1": {"Content": {"Items": [{"WebId": "a"}, {"WebId": "b"}], "Links": {"Points": "p"}}}}
    assert jsonpath.select(doc, "$.1.Content.Links.Points") == ["p"]
    assert jsonpath.select(doc, "$.1.Content.Items[1].WebId") == ["b"]
    assert jsonpath.select(doc, "$.1.Content.Items[*].WebId") == ["a", "b"]
    assert jsonpath.select(doc, "$['1'].content.items[0].webid") == ["a"]


@pytest.mark.parametrize("path", ["1.Content", "$.1.Content.Nope", "$.1[", "$.2"])
def test_jsonpath_errors_name_the_path(path) -> None:
    doc = {"1": {"Content": {}}}
    with pytest.raises(jsonpath.JSONPathError, match="JSONPath"):
        jsonpath.select(doc, path)
