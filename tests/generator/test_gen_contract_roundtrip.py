"""Every setting, end to end: `osipi generate` flag -> plan -> rendered bundle -> the pipeline's own code -> reader.

A non-default value of each setting must arrive, parsed, in the options the rendered pipeline builds (through
`PipelineConf` and the data source's option parser, the code the pipeline runs), survive a second generation with
no flags byte for byte, and an invalid one must be refused by `osipi generate` and `osipi validate` alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main
from generator.plan import read_plan
from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_app.local.bundle import bundle_variables, load_pipelines
from osipi_lakeflow import contract, parsers
from osipi_lakeflow.datasource.options import AFOptions, ReaderOptions
from osipi_lakeflow.pipeline.bronze import TRIGGER_INTERVAL_CONF, live_flow_conf
from osipi_lakeflow.pipeline.conf import PipelineConf
from tests.generator.conftest import DB_PATH, make_bundle, snapshot

DEAD_URL = "http://127.0.0.1:9/piwebapi"
FLAGGED = [s for s in contract.SETTINGS if s.name not in ("af_database", "pi_url")]


def _example(setting: contract.Setting) -> str:
    return setting.example


def _invalid(setting: contract.Setting) -> str:
    if setting.parse is parsers.af_names:
        return "Alarm*"  # a wildcard is no AF name
    return "" if setting.parse is parsers.free_text else "!!bad!!"


def test_every_example_is_valid_and_differs_from_the_default() -> None:
    for setting in contract.SETTINGS:
        setting.check(setting.example)
        assert setting.example != setting.default, setting.name


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    """A bundle generated against the mock with every setting at its (non-default) example value."""
    bundle = make_bundle(tmp_path_factory.mktemp("roundtrip") / "bundle")
    with running_mock(MockSettings(tags=40, seed=7, clock="2026-11-30T12:00:00Z")) as mock:
        flags = [arg for s in FLAGGED for arg in (s.flag, _example(s))]
        argv = ["generate", "--pi-url", mock.url, "--af-database", DB_PATH, "--bundle", str(bundle),
                "--tags-per-pipeline", "15", "--quiet", *flags]  # fmt: skip
        assert main(argv, environ={}) == 0
        first = snapshot(bundle)
        assert main(["generate", "--bundle", str(bundle), "--quiet"], environ={}) == 0
        second = snapshot(bundle)
    return bundle, first, second


def test_a_second_generate_without_flags_changes_no_byte(generated) -> None:
    _, first, second = generated
    assert first == second


def test_the_plan_keeps_every_choice(generated) -> None:
    bundle, _, _ = generated
    plan = read_plan(bundle)
    for setting in FLAGGED:
        kept = plan.settings[setting.name]
        if setting.name == "event_frame_start":  # fixed to an absolute time against the server clock
            assert kept == "2026-09-01T12:00:00.000000Z"
        else:
            assert kept == setting.example, setting.name
    assert {t.since for p in plan.partitions for t in p.tags} == {"2026-10-31T12:00:00.000000Z"}  # *-30d


def _conf(bundle: Path, key: str) -> dict[str, str]:
    """A pipeline's configuration with bundle variables resolved, as the local runtime and the CLI resolve them."""
    variables = bundle_variables(bundle, {})
    return dict(load_pipelines(bundle, variables)[key].configuration)


def _credentials(method: str) -> dict[str, str]:
    return {c.option: f"value-of-{c.option}" for c in contract.AUTH_METHODS[method].credentials}


@pytest.mark.parametrize("setting", [s for s in contract.SETTINGS if s.kinds], ids=lambda s: s.name)
def test_each_pipeline_setting_arrives_parsed_in_the_readers_options(generated, setting: contract.Setting) -> None:
    bundle, _, _ = generated
    expected = setting.check(setting.example)
    for kind in sorted(setting.kinds):
        spec = contract.PIPELINE_KINDS[kind]
        key = spec.resource_key("p0001" if spec.partitioned else None)
        conf = PipelineConf.from_conf(_conf(bundle, key), kind)
        if setting.name == "pi_url" or setting.name == "af_database":
            continue  # required settings: given by --pi-url / --af-database, checked in the next test
        if setting.name == "event_frame_start":
            expected = parsers.pi_time("2026-09-01T12:00:00.000000Z")
        assert conf.values[setting.name] == expected
        if not setting.reader:
            continue
        options = conf.reader_options(_credentials(conf.values["auth_method"]))
        if spec.partitioned:
            parsed = ReaderOptions.parse(options)
            values = {"late_window": parsed.late_window, "max_window": parsed.max_window,
                      "max_values": parsed.max_values, "tags_per_task": parsed.tags_per_task}  # fmt: skip
        else:
            parsed = AFOptions.parse(options, kind)
            values = {"event_frame_start": parsed.event_frame_start, "af_database": parsed.database}
        connection = parsed.connection
        client = connection.client
        values |= {
            "pi_url": connection.url, "auth_method": connection.auth_method, "oidc_scope": connection.oidc_scope,
            "oidc_endpoint": connection.oidc_endpoint, "ca_bundle": client.ca_bundle or "",
            "verify_tls": client.verify, "http_timeout": client.timeout, "concurrency": client.concurrency,
            "rate_limit": client.rate_limit_per_s, "max_count": client.max_count, "read_method": client.method,
        }  # fmt: skip
        assert values[setting.name] == expected, (kind, setting.name)


def test_the_required_settings_reach_every_pipeline(generated) -> None:
    bundle, _, _ = generated
    ef = PipelineConf.from_conf(_conf(bundle, "osipi_event_frames"), contract.EVENT_FRAMES)
    parsed = AFOptions.parse(ef.reader_options(_credentials("oidc")), contract.EVENT_FRAMES)
    assert parsed.database == DB_PATH and parsed.connection.url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("setting", FLAGGED, ids=lambda s: s.name)
def test_an_invalid_value_is_refused_by_generate_naming_the_setting_and_nothing_is_written(
    tmp_path: Path, setting: contract.Setting, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle(tmp_path / "bundle")
    before = snapshot(bundle)
    argv = ["generate", "--pi-url", DEAD_URL, "--af-database", DB_PATH, "--bundle", str(bundle),
            setting.flag, _invalid(setting)]  # fmt: skip
    assert main(argv, environ={}) == 1
    err = capsys.readouterr().err
    assert f"setting {setting.name} ({setting.flag}" in err and f"for example {setting.example}" in err
    assert snapshot(bundle) == before


@pytest.mark.parametrize("setting", [s for s in contract.SETTINGS if s.kinds], ids=lambda s: s.name)
def test_an_invalid_value_is_refused_by_validate_with_the_pipelines_parser(
    generated, tmp_path: Path, setting: contract.Setting, capsys: pytest.CaptureFixture[str]
) -> None:
    source, files, _ = generated
    bundle = make_bundle(tmp_path / "bundle")
    for name, data in files.items():
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle / name).write_bytes(data)
    bad = _invalid(setting)
    for path in [bundle / "databricks.yml", *sorted((bundle / "resources").glob("*.pipeline.yml"))]:
        lines = path.read_text().splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.strip().startswith(f"{setting.conf_key}:") and "${var." not in line:
                lines[i] = f'        {setting.conf_key}: "{bad}"\n'
            if setting.variable and line.rstrip() == f"  {setting.name}:":
                lines[i + 2] = f'    default: "{bad}"\n'
        path.write_text("".join(lines))
    assert main(["validate", "--bundle", str(bundle)], environ={}) == 1
    err = capsys.readouterr().err
    assert f"setting {setting.name} (" in err and f"for example {setting.example}" in err


def test_no_configuration_key_is_hidden_by_spark_redaction() -> None:
    keys = [s.conf_key for s in contract.SETTINGS if s.kinds] + [k.conf_key for k in contract.PARTITION_KEYS]
    assert [k for k in keys if contract.SPARK_REDACTED.search(k)] == []


def test_the_live_interval_reaches_the_bronze_flow_as_its_trigger_interval(generated) -> None:
    bundle, _, _ = generated
    conf = PipelineConf.from_conf(_conf(bundle, "osipi_timeseries_p0001"), contract.TIMESERIES)
    assert live_flow_conf(conf) == {TRIGGER_INTERVAL_CONF: "5 seconds"}  # the setting's example, 5s
