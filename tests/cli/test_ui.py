"""`osipi ui` in headless Chromium over the demo's warehouse: every page loads and shows what the tables hold.

The expected numbers are computed here from the committed Parquet files with pyarrow, independently of
`osipi_app.ui`. Chromium and chromedriver are Debian's (`./dev setup` installs them); the server binds 127.0.0.1
and is stopped by the test; every wait is bounded.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from osipi_app.local import list_tables
from osipi_app.local.tables import open_table

pytestmark = pytest.mark.spark

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
UTC = pa.timestamp("us", tz="UTC")


def _wait_listening(port: int, process: subprocess.Popen, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    for _ in range(int(seconds / 0.1)):
        if process.poll() is not None or time.monotonic() > deadline:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"osipi ui did not listen on {port} within {seconds} s (exit {process.poll()})")


@pytest.fixture(scope="module")
def pages(demo) -> Iterator[tuple[str, Path]]:
    """(base URL of a running `osipi ui` over the demo warehouse, the warehouse)."""
    from mock_server.testing import free_port

    _, workdir = demo
    warehouse = workdir / "warehouse"
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "osipi_app.cli", "ui", "--warehouse", str(warehouse), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_listening(port, process)
        yield f"http://127.0.0.1:{port}", warehouse
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), "run ./dev setup: it installs Debian's chromium and driver"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,2400", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _open(browser, url: str, shots: Path, name: str):
    from selenium.webdriver.common.by import By

    browser.get(url)
    assert browser.find_element(By.TAG_NAME, "h1").text
    shots.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(shots / f"{name}.png"))
    return lambda css: browser.find_element(By.CSS_SELECTOR, css).text


def _table(warehouse: Path, name: str, columns: list[str]) -> pa.Table:
    table = open_table(warehouse, name).to_table(columns=columns)
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(UTC))
    return table


def _partitions(warehouse: Path, columns: list[str]) -> dict[str, pa.Table]:
    names = [t.name for t in list_tables(warehouse) if t.name.startswith("pi_timeseries_p")]
    return {n.removeprefix("pi_timeseries_"): _table(warehouse, n, columns) for n in names}


def _events(table: pa.Table) -> pa.Table:
    return table.filter(pc.equal(table.column("row_kind"), "event"))


def test_ingestion_page_shows_what_the_partitions_hold(pages, browser, tmp_path: Path):
    url, warehouse = pages
    text = _open(browser, url + "/", tmp_path, "ingestion")
    parts = _partitions(warehouse, ["tag_webid", "timestamp", "ingested_at", "row_kind"])
    assert len(parts) == 2
    server = max(pc.max(t.column("ingested_at")).as_py() for t in parts.values())
    assert text("#server-time") == server.strftime("%Y-%m-%d %H:%M:%S")
    for pid, table in parts.items():
        newest = pc.max(_events(table).column("timestamp")).as_py()
        assert text(f'#partitions tr[data-key="{pid}"] td.newest') == newest.strftime("%Y-%m-%d %H:%M:%S")
    since = server - timedelta(hours=48)
    landed = sum(
        pc.sum(pc.greater_equal(_events(t).column("ingested_at"), pa.scalar(since, UTC))).as_py() or 0
        for t in parts.values()
    )
    assert text("#values-landed") == f"{landed:,}"
    tags = set().union(*(set(_events(t).column("tag_webid").to_pylist()) for t in parts.values()))
    assert text("#tag-count") == str(len(tags))
    record = json.loads((warehouse / "last_run.json").read_text())
    for result in record["results"]:
        for dataset, checks in result["expectations"].items():
            for name, counts in checks.items():
                row = f'#expectations tr[data-key="{dataset}/{name}"]'
                assert text(f"{row} td.passed") == f"{counts['passed']:,}"
                assert text(f"{row} td.failed") == f"{counts['failed']:,}"
    assert "Failing or vanished tags" in browser.page_source


def test_af_page_shows_every_element_and_its_landed_tags(pages, browser, tmp_path: Path):
    url, warehouse = pages
    text = _open(browser, url + "/af", tmp_path, "af")
    elements = _table(warehouse, "pi_af_elements", ["element_id"])
    assert text("#element-count") == str(elements.num_rows)
    attributes = _table(warehouse, "pi_af_attributes", ["element_id", "point_webid"]).to_pylist()
    parts = _partitions(warehouse, ["tag_webid", "row_kind"])
    landed = set().union(*(set(_events(t).column("tag_webid").to_pylist()) for t in parts.values()))
    per_element: dict[str, list[str]] = {}
    for a in attributes:
        if a["point_webid"]:
            per_element.setdefault(a["element_id"], []).append(a["point_webid"])
    assert per_element
    for element, points in per_element.items():
        assert text(f'#af-tree tr[data-key="{element}"] td.tags') == str(len(points))
        assert text(f'#af-tree tr[data-key="{element}"] td.landed') == str(sum(p in landed for p in points))


def test_event_frame_and_alarm_pages_count_what_pi_holds(pages, browser, tmp_path: Path):
    url, warehouse = pages
    frames = _table(warehouse, "pi_event_frames", ["template", "deleted_in_pi"])
    held = [f for f in frames.to_pylist() if not f["deleted_in_pi"]]
    text = _open(browser, url + "/event-frames", tmp_path, "event_frames")
    assert text("#frame-count") == str(len(held))
    for template in {f["template"] for f in held}:
        count = sum(f["template"] == template for f in held)
        assert text(f'#templates tr[data-key="{template or "(none)"}"] td.frames') == str(count)
    text = _open(browser, url + "/alarms", tmp_path, "alarms")
    assert text("#alarm-count") == str(_table(warehouse, "pi_active_alarms", ["alarm_webid"]).num_rows)
