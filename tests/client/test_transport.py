"""The transport over real HTTP: retries, budgets, error mapping and headers (scripted loopback server)."""

from __future__ import annotations

import time

import orjson
import pytest

from osipi_lakeflow.client.config import ClientConfig
from osipi_lakeflow.client.session import MaxCountExceededError, Transport
from osipi_lakeflow.errors import PIAuthError, PIConnectionError, PINotFoundError, PIResponseError
from tests.client.scripted_server import Answer, Script, scripted

FAST = ClientConfig(retries=3, backoff=0.01, backoff_max=0.05, timeout=(2.0, 5.0))
OK = Answer(body=b'{"Items": []}')


def json_answer(status: int, doc: object, **headers: str) -> Answer:
    return Answer(status, orjson.dumps(doc), {"Content-Type": "application/json", **headers})


def test_503_then_success_is_retried_and_counted():
    script = Script(json_answer(503, {"Errors": ["busy"]}, **{"Retry-After": "0"}), OK)
    with scripted(script) as url:
        reply = Transport(url, None, FAST).get("dataservers")
    assert reply.data == {"Items": []} and reply.retries == 1 and len(script.seen) == 2


def test_webexception_inside_200_is_retried():
    script = Script(json_answer(200, {"WebException": {"Errors": ["stream broke"], "StatusCode": 500}}), OK)
    with scripted(script) as url:
        reply = Transport(url, None, FAST).get("x")
    assert reply.retries == 1


def test_persistent_webexception_gives_up_with_its_text():
    script = Script(json_answer(200, {"WebException": {"Errors": ["stream broke"], "StatusCode": 500}}))
    with scripted(script) as url, pytest.raises(PIResponseError, match="stream broke.*gave up after 4 attempts"):
        Transport(url, None, FAST).get("x")
    assert len(script.seen) == 4


def test_retry_budget_bounds_total_time():
    script = Script(json_answer(429, {"Errors": ["Rate limit was reached"]}, **{"Retry-After": "5"}))
    config = FAST.replace(retries=50, backoff_max=0.2, retry_budget_s=0.5)
    with scripted(script) as url, pytest.raises(PIResponseError, match="429"):
        Transport(url, None, config).get("x")
    assert 2 <= len(script.seen) <= 5


def test_401_fails_at_once_with_a_fix_and_the_accepted_methods():
    script = Script(json_answer(401, {"Errors": ["denied"]}, **{"WWW-Authenticate": "Negotiate, Basic"}))
    with scripted(script) as url, pytest.raises(PIAuthError) as caught:
        Transport(url, None, FAST).get("x")
    assert len(script.seen) == 1
    assert "Negotiate, Basic" in str(caught.value) and "Fix:" in str(caught.value) and caught.value.status == 401


def test_404_is_not_found_naming_the_url():
    with scripted(Script(json_answer(404, {"Errors": ["Unknown or invalid WebID format: 'X'."]}))) as url:
        with pytest.raises(PINotFoundError, match="Unknown or invalid WebID"):
            Transport(url, None, FAST).get("streams/X/recorded")


def test_400_over_max_count_names_the_server_limit():
    doc = {"Errors": ["Parameter 'maxCount' is greater than the maximum allowed (1000)."]}
    with scripted(Script(json_answer(400, doc))) as url, pytest.raises(MaxCountExceededError) as caught:
        Transport(url, None, FAST).get("x")
    assert caught.value.limit == 1000


def test_proxy_html_page_is_named_as_such():
    html = Answer(
        200,
        b"<html><head><title>Corporate Proxy Login</title></head><body>sign in</body></html>",
        {"Content-Type": "text/html"},
    )
    with scripted(Script(html)) as url, pytest.raises(PIConnectionError) as caught:
        Transport(url, None, FAST).get("x")
    message = str(caught.value)
    assert "HTML" in message and "Corporate Proxy Login" in message and "/piwebapi" in message


def test_truncated_body_is_retried_then_reported():
    cut = Answer(200, b'{"Items": [{"Timestamp": "2026-', declared_length=4000)
    script = Script(cut)
    with scripted(script) as url, pytest.raises(PIConnectionError, match="cut off"):
        Transport(url, None, FAST).get("x")
    assert len(script.seen) == 4


def test_body_cut_inside_valid_length_is_also_truncated():
    script = Script(Answer(200, b'{"Items": [1, 2'), OK)
    with scripted(script) as url:
        assert Transport(url, None, FAST).get("x").retries == 1


def test_unreachable_url_names_cause_and_fix():
    transport = Transport("http://127.0.0.1:9/piwebapi", None, FAST.replace(retries=0))
    with pytest.raises(PIConnectionError, match="could not be reached.*Fix: check the base URL"):
        transport.get("dataservers")


def test_tls_failure_names_the_ca_bundle_fix():
    with scripted(Script(OK)) as url:
        transport = Transport(url.replace("http://", "https://"), None, FAST)
        with pytest.raises(PIConnectionError, match="TLS.*ca_bundle"):
            transport.get("x")


def test_post_carries_x_requested_with_and_json():
    script = Script(json_answer(207, {"1": {"Status": 200, "Content": {}}}))
    with scripted(script) as url:
        Transport(url, None, FAST).post("batch", {"1": {"Method": "GET", "Resource": "x"}})
    seen = script.seen[0]
    assert seen.headers["X-Requested-With"] and seen.headers["Content-Type"] == "application/json"
    assert orjson.loads(seen.body) == {"1": {"Method": "GET", "Resource": "x"}}


def test_verification_is_on_by_default():
    transport = Transport("https://pi.example.com/piwebapi", None, ClientConfig())
    assert transport.session.verify is True


def test_retry_after_is_honoured():
    script = Script(json_answer(503, {"Errors": ["busy"]}, **{"Retry-After": "1"}), OK)
    with scripted(script) as url:
        started = time.monotonic()
        Transport(url, None, FAST.replace(backoff_max=5.0)).get("x")
    assert time.monotonic() - started >= 1.0
