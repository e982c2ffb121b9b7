from datetime import timedelta

import pytest

from osipi_lakeflow.config import PipelineConf
from osipi_lakeflow.datasource.credentials import credential_env
from osipi_lakeflow.datasource.options import AuthRef, ReaderOptions, parse_duration
from osipi_lakeflow.errors import PIConfigError

CONF = {
    "osipi.pi_url": "https://pi.example.com/piwebapi",
    "osipi.partition_id": "p0001",
    "osipi.tags": "A, B,,A",
    "osipi.auth.method": "basic",
    "osipi.auth.secret_scope": "osipi",
}


def test_pipeline_conf_parses_tags_in_order_without_duplicates():
    conf = PipelineConf.from_conf(CONF)
    assert conf.tags == ("A", "B")


@pytest.mark.parametrize("key", ["osipi.tags", "osipi.pi_url", "osipi.partition_id"])
def test_missing_key_names_the_key_and_the_fix(key):
    bad = {k: v for k, v in CONF.items() if k != key}
    with pytest.raises(PIConfigError, match=rf"'{key}'.*configuration"):
        PipelineConf.from_conf(bad)


def test_af_pipeline_needs_the_af_database():
    with pytest.raises(PIConfigError, match="osipi.af_database"):
        PipelineConf.from_conf({"osipi.pi_url": "https://x/piwebapi"}, "af_hierarchy")


def test_reader_options_round_trip_case_insensitively():
    opts = PipelineConf.from_conf(CONF).reader_options()
    parsed = ReaderOptions.parse({k.lower(): v for k, v in opts.items()})
    assert parsed.tags == ("A", "B")
    assert parsed.partition_id == "p0001"
    assert parsed.late_window == timedelta(hours=1)


def test_reader_options_carry_key_names_never_values():
    opts = PipelineConf.from_conf(CONF).reader_options()
    assert opts["usernameKey"] == "pi-username"
    assert not any("password" in k.lower() and v not in ("pi-password",) for k, v in opts.items())


def test_bad_duration_names_the_option():
    with pytest.raises(PIConfigError, match="'lateWindow'.*1h"):
        parse_duration("soon", "lateWindow")


def test_unknown_auth_method_lists_the_accepted_ones():
    with pytest.raises(PIConfigError, match="basic, bearer, oidc"):
        AuthRef(method="magic").validate()


def test_local_credentials_come_from_env_variables():
    env = credential_env(AuthRef(method="bearer"), {"PI_BEARER_TOKEN": "s3cr3t"})
    assert env == {"PI_AUTH": "bearer", "PI_BEARER_TOKEN": "s3cr3t"}


def test_missing_local_credential_names_the_variable_not_a_value():
    with pytest.raises(PIConfigError, match="PI_OIDC_CLIENT_SECRET") as info:
        credential_env(AuthRef(method="oidc"), {"PI_OIDC_CLIENT_ID": "id-value"})
    assert "id-value" not in str(info.value)


def test_databricks_credentials_come_from_the_secret_scope_by_key_name():
    calls = []

    def get(scope, key):
        calls.append((scope, key))
        return "value"

    ref = AuthRef(method="basic", secret_scope="osipi")
    env = credential_env(ref, {"DATABRICKS_RUNTIME_VERSION": "17.3"}, secret_get=get)
    assert calls == [("osipi", "pi-username"), ("osipi", "pi-password")]
    assert env["PI_USERNAME"] == "value"


def test_late_window_off_disables_the_dedupe():
    conf = PipelineConf.from_conf(CONF | {"osipi.late_window": "off"})
    assert conf.dedupe_delay() is None
    assert PipelineConf.from_conf(CONF).dedupe_delay() == "7200 seconds"
