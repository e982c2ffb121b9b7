"""HTTP transport: pooled session, rate cap, retries under a time budget, and errors that name the fix.

Retries are done here rather than by urllib3's `Retry` on the adapter because PI Web API can fail inside a
`200` (a `WebException` in the body) or cut a streamed body short, and both must be retried like a 503 under
one total time budget; `Retry` only sees status codes and cannot bound total time. `Retry-After` is parsed with
urllib3's own parser.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.util.retry import Retry

from osipi_lakeflow.client.config import ClientConfig
from osipi_lakeflow.client.ratelimit import RateLimiter
from osipi_lakeflow.errors import (
    PIAuthError,
    PIConfigError,
    PIConnectionError,
    PINotFoundError,
    PIResponseError,
    PIWebAPIError,
)

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_MAX_ALLOWED = re.compile(r"maxCount.*?greater than the maximum allowed\D*(\d+)?", re.IGNORECASE | re.DOTALL)
_TITLE = re.compile(rb"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_NONFINITE_TOKEN = re.compile(rb"[:,\[]\s*-?(?:NaN|Infinity)\b")
_RETRY_AFTER = Retry(respect_retry_after_header=True)


class MaxCountExceededError(PIResponseError):
    """400 because `maxCount` exceeds the server's `MaxReturnedItemsPerCall`; `limit` is the server's, if stated."""

    def __init__(self, message: str, *, limit: int | None, url: str) -> None:
        super().__init__(message, status=400, url=url)
        self.limit = limit


@dataclass(frozen=True, slots=True)
class Reply:
    """A parsed JSON reply and what it took to get it."""

    data: Any
    status: int
    retries: int


def error_text(data: object) -> str:
    """The server's own error words from `{"Errors": [...]}` or `{"WebException": {...}}` (never our secrets)."""
    if isinstance(data, dict):
        if isinstance(data.get("WebException"), dict):
            data = data["WebException"]
        errors = data.get("Errors") or data.get("Message") or data.get("Exception")
        if isinstance(errors, list):
            return "; ".join(str(e) for e in errors)[:500]
        if errors:
            return str(errors)[:500]
    if isinstance(data, str):
        return data[:500]
    return ""


def status_error(status: int, url: str, text: str, *, www_authenticate: str = "") -> PIResponseError:
    """The error for a failed status, with the fix spelled out; also used for per-tag sub-responses."""
    detail = f": {text}" if text else ""
    if status in (401, 403):
        methods = f" The server accepts: {www_authenticate}." if www_authenticate else ""
        what = "refused the credentials" if status == 401 else "denied access with these credentials"
        return PIAuthError(
            f"{status} from {url}: PI Web API {what}{detail}.{methods} Fix: check the user name and password or "
            "token (PI_USERNAME/PI_PASSWORD, PI_BEARER_TOKEN, PI_OIDC_*), that the auth method is enabled in the "
            "server's AuthenticationMethods, and that the identity is mapped in PI and AF.",
            status=status,
            url=url,
        )
    if status == 404:
        return PINotFoundError(
            f"404 from {url}: not found{detail}. Fix: check the WebId, path or name (list them with "
            "points()/elements()) and that the base URL ends in /piwebapi.",
            status=status,
            url=url,
        )
    match = _MAX_ALLOWED.search(text) if status == 400 else None
    if match:
        limit = int(match.group(1)) if match.group(1) else None
        return MaxCountExceededError(f"400 from {url}{detail}", limit=limit, url=url)
    return PIResponseError(f"{status} from {url}{detail}", status=status, url=url)


def build_session(config: ClientConfig, auth: AuthBase | None) -> requests.Session:
    """A pooled session sized to the concurrency; retries are ours, so the adapter makes none.

    Raises:
        PIConfigError: the configured CA bundle is not a file here.
    """
    if config.ca_bundle is not None and not Path(config.ca_bundle).is_file():
        raise PIConfigError(
            f"CA bundle {config.ca_bundle!r} does not exist here; point the ca_bundle setting (PI_CA_BUNDLE locally) "
            "at a PEM file the pipeline can read, such as a Unity Catalog volume path /Volumes/<catalog>/<schema>/..."
        )
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=config.concurrency + 2, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.auth = auth
    session.verify = config.requests_verify
    session.headers.update(
        {"Accept": "application/json", "X-Requested-With": "XmlHttpRequest", "User-Agent": "osipi-lakeflow"}
    )
    return session


class Transport:
    """Sends requests to one PI Web API with the rate cap, retries and error mapping of one `ClientConfig`."""

    def __init__(self, base_url: str, auth: AuthBase | None, config: ClientConfig) -> None:
        self.base_url = base_url.rstrip("/")
        self.config = config
        self.session = build_session(config, auth)
        self._limiter = RateLimiter(config.rate_limit_per_s)

    def url(self, path: str) -> str:
        """An absolute URL for a path below the base URL (absolute URLs pass through)."""
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def get(self, path: str, params: Any = None) -> Reply:
        """GET and parse JSON, with retries."""
        return self.send("GET", path, params=params)

    def post(self, path: str, body: object) -> Reply:
        """POST a JSON body and parse the JSON reply, with retries (our POSTs, like /batch, only read)."""
        return self.send("POST", path, body=orjson.dumps(body))

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()

    def send(self, method: str, path: str, *, params: Any = None, body: bytes | None = None) -> Reply:
        """Send one request; retry transient failures with jittered exponential backoff within the budget."""
        url = self.url(path)
        deadline = time.monotonic() + self.config.retry_budget_s
        headers = {"Content-Type": "application/json"} if body is not None else None
        attempt = 0
        while True:
            self._limiter.acquire()
            retry_after: float | None = None
            try:
                response = self.session.request(
                    method, url, params=params, data=body, headers=headers, timeout=self.config.timeout, stream=True
                )
                with response:
                    content = response.raw.read(decode_content=True)  # one read, not 10 KB chunks
                data, failure, retry_after = _judge(response, content, url)
                if failure is None:
                    return Reply(data, response.status_code, attempt)
            except requests.exceptions.SSLError as exc:
                raise PIConnectionError(
                    f"TLS handshake with {url} failed ({_reason(exc)}). Fix: if the server uses a private CA, set "
                    "ca_bundle / PI_CA_BUNDLE to its PEM bundle; verification stays on by default."
                ) from None
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                failure = self._unreachable(exc, url)
            except (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError):
                failure = _truncated(url)
            except urllib3.exceptions.ReadTimeoutError as exc:
                failure = self._unreachable(requests.exceptions.ReadTimeout(exc), url)
            except requests.exceptions.InvalidURL as exc:
                raise PIConnectionError(f"invalid URL {url!r} ({exc}); use https://host/piwebapi") from None
            attempt += 1
            delay = self._delay(attempt, retry_after)
            if attempt > self.config.retries or time.monotonic() + delay > deadline:
                raise _give_up(failure, attempt)
            log.warning("%s %s failed (%s); retry %d in %.2fs", method, url, failure, attempt, delay)
            time.sleep(delay)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with jitter (half to all of it); `Retry-After` sets a floor; `backoff_max` caps both."""
        base = min(self.config.backoff_max, self.config.backoff * 2 ** (attempt - 1))
        delay = random.uniform(base / 2, base)  # noqa: S311 - jitter, not cryptography
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(delay, self.config.backoff_max)

    @staticmethod
    def _unreachable(exc: Exception, url: str) -> PIConnectionError:
        kind = "timed out" if isinstance(exc, requests.exceptions.Timeout) else "could not be reached"
        return PIConnectionError(
            f"{url} {kind} ({_reason(exc)}). Fix: check the base URL (https://host/piwebapi), that PI Web API is "
            "running, and any proxy/firewall between here and it; raise ClientConfig.timeout for slow servers."
        )


def _judge(response: requests.Response, content: bytes, url: str) -> tuple[Any, PIWebAPIError | None, float | None]:
    """Classify a response: (data, None, None) when good, else (None, retryable failure, Retry-After seconds).

    Raises:
        PIAuthError, PINotFoundError, PIResponseError: for failures that retrying cannot fix.
    """
    status = response.status_code
    if status in RETRY_STATUSES:
        header = response.headers.get("Retry-After")
        retry_after = _RETRY_AFTER.parse_retry_after(header) if header else None
        return None, status_error(status, url, error_text(_loads_or_none(content))), retry_after
    if status >= 400:
        raise status_error(
            status,
            url,
            error_text(_loads_or_none(content)),
            www_authenticate=response.headers.get("WWW-Authenticate", ""),
        )
    try:
        data = _parse_json(response, content, url)
    except _TruncatedBodyError:
        return None, _truncated(url), None
    exception = data.get("WebException") if isinstance(data, dict) else None
    if exception:
        code = exception.get("StatusCode") if isinstance(exception, dict) else None
        failure = PIResponseError(
            f"{status} from {url} carried a WebException: {error_text(data)}", status=code, url=url
        )
        return None, failure, None
    return data, None, None


class _TruncatedBodyError(Exception):
    """A JSON body that ends early: the connection was cut mid-stream (retryable)."""


def _parse_json(response: requests.Response, content: bytes, url: str) -> Any:
    """Parse a JSON body; an HTML page (a proxy or login page) is a clear error, a cut-off body is retryable.

    PI Web API's serializer can write non-finite doubles as bare `NaN`, `Infinity` and `-Infinity` tokens, which
    strict JSON (orjson) refuses; Python's own parser reads them as floats, so a body with them is parsed there.
    """
    if not content.strip():
        return {}
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        pass
    if _NONFINITE_TOKEN.search(content):
        try:
            return json.loads(content)
        except ValueError:
            pass
    head = content.lstrip()[:1]
    if head == b"<" or "html" in response.headers.get("Content-Type", "").lower():
        match = _TITLE.search(content[:4096])
        title = f" titled {match.group(1).decode(errors='replace').strip()[:80]!r}" if match else ""
        raise PIConnectionError(
            f"{url} returned an HTML page{title} instead of PI Web API JSON. Fix: a proxy, load balancer or login "
            "page answered; check the base URL ends in /piwebapi, the proxy settings (HTTPS_PROXY/NO_PROXY) and "
            "that the server allows this authentication method."
        )
    if head in (b"{", b"["):
        raise _TruncatedBodyError
    raise PIConnectionError(f"{url} returned a body that is not JSON ({content[:40]!r}...); is this PI Web API?")


def _loads_or_none(content: bytes) -> Any:
    try:
        return orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        return None


def _truncated(url: str) -> PIConnectionError:
    return PIConnectionError(
        f"the response from {url} was cut off before its end (truncated body). Fix: check proxy or load-balancer "
        "timeouts and size limits; lower ClientConfig.tags_per_request or max_count to make responses smaller."
    )


def _reason(exc: Exception) -> str:
    """A short cause from a requests exception, without the (long, repetitive) urllib3 chain."""
    text = str(exc.args[0] if exc.args else exc)
    match = re.search(r"\((?:Caused by )?\w+\((?:<[^>]*>: )?(.*?)\)+$", text)
    return (match.group(1) if match else text)[:200]


def _give_up(failure: PIWebAPIError, attempts: int) -> PIWebAPIError:
    """The last (retryable) failure, saying how many attempts were made."""
    message = f"{failure} (gave up after {attempts} attempts)"
    if isinstance(failure, PIResponseError):
        return PIResponseError(message, status=failure.status, url=failure.url)
    return PIConnectionError(message)
