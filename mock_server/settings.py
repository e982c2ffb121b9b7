"""Settings of the mock PI Web API: one object, read from keyword arguments or `MOCK_PI_*` environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mock_server.pitime import parse_iso
from mock_server.releases import Release


class MockSettings(BaseSettings):
    """Everything that shapes the mock: plant size and seed, the clock, security, limits and faults.

    Every field can be set as `MOCK_PI_<FIELD>` in the environment (for example `MOCK_PI_TAGS=100000`).
    Secrets are `SecretStr`, so they never show in a repr or a log line.
    """

    model_config = SettingsConfigDict(
        env_prefix="MOCK_PI_", extra="forbid", validate_assignment=True, use_attribute_docstrings=True
    )

    seed: int = 7
    """Seed of the plant model: same seed and size give the same plant, WebIds and values."""
    tags: int = Field(1000, ge=2, le=1_000_000)
    """Number of PI points; about one in twenty is not referenced from AF."""
    clock: str = "wall"
    """`wall` follows the wall clock; an ISO-8601 instant freezes the server clock there."""
    release: Release = "2018 SP1"
    """PI Web API release the server behaves as: routes added later (notification rules came with 2018) answer
    404 "No HTTP resource was found", as a server without that controller does."""

    auth: Literal["none", "basic", "bearer"] = "none"
    username: str = "piuser"
    password: SecretStr = SecretStr("pipassword")
    oidc_client_id: str = "osipi-client"
    oidc_client_secret: SecretStr = SecretStr("osipi-secret")
    token_ttl_seconds: int = Field(3600, ge=1)
    """Lifetime (`expires_in`) of tokens from the token endpoint, measured on the server clock."""
    static_tokens: list[SecretStr] = []
    """Bearer tokens accepted without expiry (in addition to issued ones)."""
    require_csrf: bool = True
    """Refuse POST/PUT/PATCH/DELETE without `X-Requested-With`, like PI Web API's EnableCSRFDefense."""

    max_returned_items: int = Field(150_000, ge=1)
    """PI Web API's MaxReturnedItemsPerCall: a larger maxCount (or total) is answered with 400."""
    limit_scope: Literal["per_stream", "total"] = "total"
    """Stream sets: check maxCount alone (`per_stream`) or streams x maxCount (`total`) against the limit."""
    rate_limit: float = Field(0.0, ge=0)
    """Requests per second per client address; 0 turns rate limiting off."""

    fault_503: float = Field(0.0, ge=0, le=1)
    fault_429: float = Field(0.0, ge=0, le=1)
    fault_reset: float = Field(0.0, ge=0, le=1)
    fault_slow: float = Field(0.0, ge=0, le=1)
    slow_seconds: float = Field(2.0, ge=0, le=120)
    fault_webexception: float = Field(0.0, ge=0, le=1)
    fault_item_error: float = Field(0.0, ge=0, le=1)
    fault_seed: int | None = None
    """Seed of the fault dice; None draws them from the OS (faults then differ between runs)."""

    late_fraction: float = Field(0.02, ge=0, le=1)
    """Share of events that arrive late: visible only `late_delay` seconds after their timestamp."""
    late_delay: tuple[float, float] = (60.0, 900.0)
    """Range (seconds) of the delay of late events."""
    uniform_events_per_hour: float | None = Field(None, gt=0, le=360_000)
    """Every point at this rate instead of the plant's mix (3600 = 1 Hz): for benchmarks that need known volumes."""
    burst_size: int = Field(1500, ge=2, le=200_000)
    """Events at the top of every hour on the designated burst point (DIAG.BurstEvents.PV)."""
    marker_ttl_seconds: float = Field(600.0, gt=0)
    """A stream-updates marker unused this long (server clock) answers 404."""
    cache_events: int = Field(2_000_000, ge=0)
    """Events of generated hours kept for reuse (about 27 bytes each). A PI server answers its recent data from
    memory; a mock polled every second over thousands of 1 Hz tags needs their current hours kept to do the same."""

    # -- what real archives do (all off by default; see `mock_server.changes`) ------------------------------
    edit_fraction: float = Field(0.0, ge=0, le=1)
    """Share of events whose value is replaced (same timestamp, Substituted) `edit_delay` after they arrive."""
    edit_delay: tuple[float, float] = (60.0, 259_200.0)
    """Range (seconds, drawn log-uniformly) from an event's arrival to its edit: minutes to days."""
    delete_fraction: float = Field(0.0, ge=0, le=1)
    """Share of events deleted from the archive `delete_delay` after they arrive."""
    delete_delay: tuple[float, float] = (60.0, 259_200.0)
    """Range (seconds, drawn log-uniformly) from an event's arrival to its deletion."""
    snapshot_discard_fraction: float = Field(0.0, ge=0, le=1)
    """Share of events that are snapshot-only: served while newest, discarded by compression when the next arrives."""
    error_value_fraction: float = Field(0.0, ge=0, le=1)
    """Share of events whose value is a PI error object `{"Errors": [...]}` (Good false); the same share of
    instants holding several events gets two different error objects."""
    null_value_fraction: float = Field(0.0, ge=0, le=1)
    """Share of events whose value is null (Good false)."""
    nonfinite_fraction: float = Field(0.0, ge=0, le=1)
    """Share of Float32/Float64 events whose value is NaN, Infinity or -Infinity."""
    nan_format: Literal["string", "symbol"] = "string"
    """How NaN and infinities are written: `string` ("NaN", Json.NET's default) or `symbol` (bare NaN tokens)."""
    int64_frame_fraction: float = Field(0.0, ge=0, le=1)
    """Share of event frames with an Int64 attribute `SequenceNumber` whose value is above 2**53."""
    frame_delete_fraction: float = Field(0.0, ge=0, le=1)
    """Share of event frames deleted from AF `frame_delete_delay` after they start: gone from searches, 404 by id."""
    frame_delete_delay: tuple[float, float] = (600.0, 172_800.0)
    """Range (seconds after the frame's start) at which a deleted event frame leaves AF."""
    denied_points: list[str] = []
    """Points (names, paths or WebIds) whose data calls answer 500 `[-10400] No Read Access - Secure Object`."""
    conflict_points: list[str] = []
    """Points (names, paths or WebIds) whose data calls answer 409."""
    vanished_points: list[str] = []
    """Points (names, paths or WebIds) deleted at `vanish_at`: from then on every call for them answers 404."""
    vanish_at: str | None = None
    """ISO-8601 server time at which `vanished_points` are deleted; None: they are gone from the start."""
    missing_routes: list[str] = []
    """Route templates (`/streamsets/recorded`, optionally `GET /streamsets/recorded`) that a misconfigured
    proxy in front of the server answers 404 (direct calls only: batch sub-requests still reach them)."""

    @field_validator("clock")
    @classmethod
    def _check_clock(cls, value: str) -> str:
        if value != "wall":
            parse_iso(value)  # raises a ValueError naming the expected format
        return value

    @field_validator("vanish_at")
    @classmethod
    def _check_vanish_at(cls, value: str | None) -> str | None:
        if value is not None:
            parse_iso(value)
        return value

    @field_validator("edit_delay", "delete_delay", "frame_delete_delay")
    @classmethod
    def _check_change_delay(cls, value: tuple[float, float]) -> tuple[float, float]:
        lo, hi = value
        if not 0 < lo <= hi:
            raise ValueError(f"must be (low, high) seconds with 0 < low <= high, got {list(value)}")
        return value

    @model_validator(mode="after")
    def _check_late_delay(self) -> MockSettings:
        lo, hi = self.late_delay
        if not 0 <= lo <= hi:
            raise ValueError(f"late_delay must be (low, high) seconds with 0 <= low <= high, got {self.late_delay}")
        return self
