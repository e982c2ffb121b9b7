"""The local monitoring pages: one route per page, each rendering what `ingestion` and `assets` compute.

Pages: `/` ingestion (freshness per partition and per tag, values per hour, last run's expectations, failing
tags), `/af` the AF tree with tag coverage, `/event-frames`, `/alarms` (open alarm frames). Every request reads
the warehouse again, so a page reloaded after `osipi run` shows the new state.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from osipi_app.cli.localrun import expectation_counts, read_last_run
from osipi_app.ui import assets, display, ingestion
from osipi_app.ui.charts import bar_chart

TAGS_SHOWN = 200
"""Per-tag and per-frame tables show the worst (or newest) this many rows; the counts above them cover all."""

PAGES = {"/": "Ingestion", "/af": "AF hierarchy", "/event-frames": "Event frames", "/alarms": "Alarms"}
"""Path -> title of every page, in navigation order."""

_ENV = Environment(
    loader=PackageLoader("osipi_app.ui", "templates"), autoescape=select_autoescape(), undefined=StrictUndefined
)
_ENV.filters.update(when=display.when, span=display.span)


def _page(template: str, path: str, warehouse: Path, **context: object) -> HTMLResponse:
    html = _ENV.get_template(template).render(pages=PAGES, current=path, warehouse=warehouse, **context)
    return HTMLResponse(html)


def create_app(warehouse: Path) -> FastAPI:
    """The pages over the local warehouse at `warehouse`."""
    app = FastAPI(title="osipi monitoring", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/", response_class=HTMLResponse)
    def ingestion_page() -> HTMLResponse:
        parts = ingestion.partition_freshness(warehouse)
        tags = ingestion.tag_freshness(warehouse)
        hours = ingestion.values_per_hour(warehouse)
        return _page(
            "ingestion.html", "/", warehouse, server_time=ingestion.server_time(warehouse), partitions=parts,
            lag_chart=bar_chart([(p.key, display.minutes(p.lag)) for p in parts], " min", "lag per partition"),
            tags=tags[:TAGS_SHOWN], tag_count=len(tags),
            hours_chart=bar_chart([(h.strftime("%m-%d %H:00"), n) for h, n in hours], "", "values per hour"),
            values_landed=sum(n for _, n in hours), expectations=expectation_counts(read_last_run(warehouse)),
            failing=ingestion.failing_tags(warehouse),
        )  # fmt: skip

    @app.get("/af", response_class=HTMLResponse)
    def af_page() -> HTMLResponse:
        return _page("af.html", "/af", warehouse, elements=assets.af_coverage(warehouse))

    @app.get("/event-frames", response_class=HTMLResponse)
    def frames_page() -> HTMLResponse:
        frames = assets.event_frames(warehouse)
        per_template = assets.frames_per_template(frames)
        chart = bar_chart([(t, n) for t, n, _ in per_template], "", "event frames per template")
        return _page(
            "frames.html", "/event-frames", warehouse, frames=frames[:TAGS_SHOWN], frame_count=len(frames),
            per_template=per_template, chart=chart,
        )  # fmt: skip

    @app.get("/alarms", response_class=HTMLResponse)
    def alarms_page() -> HTMLResponse:
        return _page("alarms.html", "/alarms", warehouse, alarms=assets.active_alarms(warehouse))

    return app


def serve(warehouse: Path, host: str, port: int) -> int:
    """Serve the pages until interrupted (Ctrl-C)."""
    import uvicorn

    print(f"osipi ui: http://{host}:{port}/ over {warehouse}", flush=True)
    uvicorn.run(create_app(warehouse), host=host, port=port, log_level="warning")
    return 0
