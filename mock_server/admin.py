"""Admin routes outside /piwebapi (no auth): clock, faults, archive behaviours, counters, OIDC token endpoint."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mock_server.changes import SHAPING_FIELDS
from mock_server.dispatch import route_keys
from mock_server.pitime import PITimeError, format_ticks, parse_iso
from mock_server.settings import MockSettings
from mock_server.state import AppState

FAULT_FIELDS = (
    "fault_503",
    "fault_429",
    "fault_reset",
    "fault_slow",
    "slow_seconds",
    "fault_webexception",
    "fault_item_error",
    "rate_limit",
    "late_fraction",
)
BEHAVIOUR_FIELDS = (
    *SHAPING_FIELDS,
    "nan_format",
    "int64_frame_fraction",
    "frame_delete_fraction",
    "frame_delete_delay",
    "denied_points",
    "conflict_points",
    "vanished_points",
    "vanish_at",
    "missing_routes",
)
"""What `GET`/`PUT /admin/behaviours` read and change: what real archives, points and proxies do."""


def apply_settings(state: AppState, settings: MockSettings) -> None:
    """Check and install settings in a running app; ValueError naming the field (an unknown point or route)."""
    missing = route_keys(settings.missing_routes)
    state.archive.configure(settings)
    state.settings = settings
    state.missing_routes = missing


def _change(state: AppState, change: dict[str, Any], known: tuple[str, ...]) -> None:
    """Apply `change` to a copy of the settings, validated; 400 naming the first bad field."""
    unknown = set(change) - set(known)
    if unknown:
        raise HTTPException(400, f"unknown setting(s) {sorted(unknown)}; known: {', '.join(known)}")
    updated = state.settings.model_copy()
    for name, value in change.items():
        try:
            setattr(updated, name, value)  # validated: settings use validate_assignment
        except ValidationError as exc:
            raise HTTPException(400, f"{name}: {exc.errors()[0]['msg']}") from None
    try:
        apply_settings(state, updated)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


class ClockChange(BaseModel):
    """Exactly one of: `set` (freeze at an ISO time), `advance_seconds` (freeze that much later), `mode: wall`."""

    model_config = ConfigDict(extra="forbid")
    set: str | None = None
    advance_seconds: float | None = None
    mode: str | None = Field(None, pattern="^(wall|frozen)$")


def _clock(state: AppState) -> dict[str, Any]:
    return {"now": format_ticks(state.clock.now()), "mode": state.clock.mode}


def build_router(state: AppState) -> APIRouter:
    """Admin and identity routes bound to one app's state."""
    router = APIRouter()

    @router.get("/admin/clock")
    def get_clock() -> dict[str, Any]:
        return _clock(state)

    @router.post("/admin/clock")
    def change_clock(change: ClockChange) -> dict[str, Any]:
        given = [v is not None for v in (change.set, change.advance_seconds, change.mode)]
        if sum(given) != 1:
            raise HTTPException(
                400, "give exactly one of set (ISO time), advance_seconds (number) or mode (wall|frozen)"
            )
        if change.set is not None:
            try:
                state.clock.set(parse_iso(change.set))
            except PITimeError as exc:
                raise HTTPException(400, str(exc)) from None
        elif change.advance_seconds is not None:
            state.clock.advance(change.advance_seconds)
        elif change.mode == "wall":
            state.clock.follow_wall()
        else:
            state.clock.set(state.clock.now())
        return _clock(state)

    @router.get("/admin/faults")
    def get_faults() -> dict[str, Any]:
        return {name: getattr(state.settings, name) for name in FAULT_FIELDS}

    @router.put("/admin/faults")
    def put_faults(change: dict[str, float]) -> dict[str, Any]:
        _change(state, change, FAULT_FIELDS)
        return get_faults()

    @router.get("/admin/behaviours")
    def get_behaviours() -> dict[str, Any]:
        return {name: getattr(state.settings, name) for name in BEHAVIOUR_FIELDS}

    @router.put("/admin/behaviours")
    def put_behaviours(change: dict[str, Any]) -> dict[str, Any]:
        _change(state, change, BEHAVIOUR_FIELDS)
        return get_behaviours()

    @router.get("/admin/stats")
    def stats() -> dict[str, Any]:
        by_route: dict[str, dict[str, int]] = {}
        for (route, status), count in sorted(state.stats.items()):
            by_route.setdefault(route, {})[str(status)] = count
        return {"requests": by_route, "total": sum(state.stats.values())}

    @router.post("/admin/stats/reset")
    def reset_stats() -> dict[str, Any]:
        state.stats.clear()
        return {"total": 0}

    @router.post("/identity/connect/token")
    async def token(request: Request) -> JSONResponse:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))  # urlencoded, as OAuth 2 sends it
        settings = state.settings
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, 400)
        ok = secrets.compare_digest(form.get("client_id", "").encode(), settings.oidc_client_id.encode()) & (
            secrets.compare_digest(
                form.get("client_secret", "").encode(), settings.oidc_client_secret.get_secret_value().encode()
            )
        )
        if not ok:
            return JSONResponse({"error": "invalid_client"}, 401)
        return JSONResponse(
            {
                "access_token": state.issue_token(),
                "token_type": "Bearer",
                "expires_in": settings.token_ttl_seconds,
                "scope": form.get("scope") or "system",
            }
        )

    return router
