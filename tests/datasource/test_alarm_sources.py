"""The alarm-data readers without Spark: notification rules on old and new servers, annotation read spans."""

import logging
from datetime import timedelta

import pytest

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_lakeflow import contract
from osipi_lakeflow.datasource.annotations import spans
from osipi_lakeflow.datasource.notifications import RULE_SCHEMA, read_rules
from osipi_lakeflow.datasource.options import AFOptions

DATABASE = "\\\\PIAF01\\Plant"


def options(url: str) -> AFOptions:
    return AFOptions.parse({"piUrl": url, "authMethod": "anonymous", "afDatabase": DATABASE}, contract.ALARMS)


def test_rules_have_durations_as_seconds():
    with running_mock(MockSettings(tags=30, seed=7)) as mock:
        table = read_rules(options(mock.url))
    assert table.schema == RULE_SCHEMA and table.num_rows == len(mock.archive.notification_rules())
    first = mock.archive.notification_rules()[0]
    row = next(r for r in table.to_pylist() if r["webid"] == first["webid"])
    assert row["resend_interval_seconds"] == first["resend_interval"].total_seconds()
    assert row["subscribers"][0]["retry_interval_seconds"] == first["subscribers"][0]["retry_interval"].total_seconds()


def test_a_server_before_2018_gives_no_rules_and_one_warning_naming_the_release(caplog):
    with running_mock(MockSettings(tags=30, seed=7, release="2017 R2")) as mock:
        with caplog.at_level(logging.WARNING, logger="osipi_lakeflow.datasource"):
            table = read_rules(options(mock.url))
    assert table.num_rows == 0 and table.schema == RULE_SCHEMA
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "PI Web API 2018" in warnings[0] and contract.NOTIFICATION_RULES in warnings[0]


@pytest.mark.parametrize(
    ("instants", "expected"),
    [
        ([], []),
        ([5], [(5, 5)]),
        ([9, 1, 1, 3], [(1, 9)]),
        ([0, 3_600_000_000, 3_600_000_001 * 2], [(0, 3_600_000_000), (7_200_000_002, 7_200_000_002)]),
    ],
)
def test_annotated_instants_group_into_spans_no_wider_apart_than_the_gap(instants, expected):
    assert spans(instants, timedelta(hours=1)) == expected
