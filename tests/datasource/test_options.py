"""Pipeline configuration, credentials and data source options: one contract, one parser per setting."""

from datetime import timedelta

import pytest

from osipi_lakeflow import contract
from osipi_lakeflow.datasource.options import AFOptions, ReaderOptions
from osipi_lakeflow.errors import PIConfigError
from osipi_lakeflow.pipeline.conf import PipelineConf
from osipi_lakeflow.pipeline.credentials import pipeline_credentials

CONF = {
    "osipi.pi_url": "https://pi.example.com/piwebapi",
    "osipi.partition_id": "p0001",
    "osipi.tags": "A, B,,A",
    "osipi.tag_starts": "2026-11-01T00:00:00Z=A,B",
    "osipi.auth_method": "basic",
    "osipi.auth_scope": "osipi",
}
CREDENTIALS = {"username": "svc", "password": "pw-value"}


def ts_conf(**changes: str) -> PipelineConf:
    return PipelineConf.from_conf(CONF | changes, contract.TIMESERIES)


def test_pipeline_conf_parses_tags_in_order_without_duplicates():
    assert ts_conf().tags == ("A", "B")
    assert ts_conf().tables == ("pi_timeseries_p0001",)


@pytest.mark.parametrize("key", ["osipi.tags", "osipi.partition_id", "osipi.tag_starts"])
def test_a_missing_partition_key_names_the_key_and_the_fix(key):
    bad = {k: v for k, v in CONF.items() if k != key}
    with pytest.raises(PIConfigError, match=rf"'{key}'.*osipi generate"):
        PipelineConf.from_conf(bad, contract.TIMESERIES)


def test_a_missing_url_names_the_setting_and_an_example():
    bad = {k: v for k, v in CONF.items() if k != "osipi.pi_url"}
    with pytest.raises(PIConfigError, match=r"setting pi_url \(--pi-url, osipi.pi_url.*is required; for example https"):
        PipelineConf.from_conf(bad, contract.TIMESERIES)


def test_af_pipeline_needs_the_af_database():
    with pytest.raises(PIConfigError, match="osipi.af_database"):
        PipelineConf.from_conf({"osipi.pi_url": "https://x/piwebapi"}, contract.AF_HIERARCHY)


@pytest.mark.parametrize("value", ["1x", "*-1h", "banana"])
def test_a_late_window_the_generator_would_refuse_the_pipeline_refuses_too(value):
    with pytest.raises(PIConfigError, match=r"setting late_window .*for example 2h"):
        ts_conf(**{"osipi.late_window": value})


def test_reader_options_round_trip_case_insensitively_with_credentials():
    opts = ts_conf(**{"osipi.late_window": "2h", "osipi.tags_per_task": "7"}).reader_options(CREDENTIALS)
    parsed = ReaderOptions.parse({k.lower(): v for k, v in opts.items()})
    assert parsed.tags == ("A", "B") and parsed.partition_id == "p0001"
    assert parsed.late_window == timedelta(hours=2) and parsed.tags_per_task == 7
    assert parsed.tag_starts == {"A": "2026-11-01T00:00:00Z", "B": "2026-11-01T00:00:00Z"}
    assert parsed.connection.credentials == CREDENTIALS


def test_no_repr_shows_a_credential():
    opts = ReaderOptions.parse(ts_conf().reader_options(CREDENTIALS))
    assert "pw-value" not in repr(opts) and "pw-value" not in repr(opts.connection)


def test_client_settings_reach_the_client_config():
    conf = ts_conf(**{"osipi.http_timeout": "10,120", "osipi.concurrency": "8", "osipi.verify_tls": "false"})
    client = ReaderOptions.parse(conf.reader_options(CREDENTIALS)).connection.client
    assert (client.timeout, client.concurrency, client.verify) == ((10.0, 120.0), 8, False)


def test_af_options_take_the_database_and_the_event_frame_start():
    conf = PipelineConf.from_conf(
        {"osipi.pi_url": "https://x/piwebapi", "osipi.af_database": "\\\\AF\\DB", "osipi.auth_method": "anonymous",
         "osipi.event_frame_start": "2026-10-01T00:00:00Z"},
        contract.EVENT_FRAMES,
    )  # fmt: skip
    opts = AFOptions.parse(conf.reader_options({}), contract.EVENT_FRAMES)
    assert (opts.database, opts.event_frame_start) == ("\\\\AF\\DB", "2026-10-01T00:00:00Z")


def test_unknown_auth_method_lists_the_accepted_ones():
    with pytest.raises(PIConfigError, match="basic, bearer, oidc"):
        ts_conf(**{"osipi.auth_method": "magic"})


def test_local_credentials_come_from_env_variables():
    conf = ts_conf(**{"osipi.auth_method": "bearer"})
    assert pipeline_credentials(conf, {"PI_BEARER_TOKEN": "s3cr3t"}) == {"token": "s3cr3t"}


def test_missing_local_credential_names_the_variable_not_a_value():
    conf = ts_conf(**{"osipi.auth_method": "oidc"})
    with pytest.raises(PIConfigError, match="PI_OIDC_CLIENT_SECRET") as info:
        pipeline_credentials(conf, {"PI_OIDC_CLIENT_ID": "id-value"})
    assert "id-value" not in str(info.value)


class FakeSecrets:
    def __init__(self, values):
        self.values, self.asked = values, []

    def get(self, scope, key):
        self.asked.append((scope, key))
        return self.values[key]


def test_databricks_credentials_come_from_the_auth_scope_by_the_contract_key_names():
    secrets = FakeSecrets({"pi-username": "u", "pi-password": "p"})
    found = pipeline_credentials(ts_conf(), {"DATABRICKS_RUNTIME_VERSION": "17.3"}, secrets)
    assert secrets.asked == [("osipi", "pi-username"), ("osipi", "pi-password")]
    assert found == {"username": "u", "password": "p"}


def test_a_missing_secret_names_scope_and_key_and_how_to_create_it():
    with pytest.raises(PIConfigError, match="scope 'osipi' has no readable key 'pi-password'.*put-secret osipi"):
        pipeline_credentials(ts_conf(), {"DATABRICKS_RUNTIME_VERSION": "17.3"}, FakeSecrets({"pi-username": "u"}))


def test_databricks_never_falls_back_to_environment_variables():
    with pytest.raises(PIConfigError):
        pipeline_credentials(
            ts_conf(), {"DATABRICKS_RUNTIME_VERSION": "17.3", "PI_USERNAME": "u", "PI_PASSWORD": "p"},
            FakeSecrets({}),
        )  # fmt: skip


def test_late_window_off_reaches_the_reader_as_zero():
    opts = ReaderOptions.parse(ts_conf(**{"osipi.late_window": "off"}).reader_options(CREDENTIALS))
    assert opts.late_window == timedelta(0)
