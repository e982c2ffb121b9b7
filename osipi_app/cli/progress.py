"""Live progress of a local run: what each pipeline has read, how long it has run, and about how long is left.

Fed the engine's progress lines (`osipi_app.local.runner.follow_progress`); prints a line when a pipeline starts
or finishes and, while the engine works, a summary at least every `every` seconds, so a long first run is never
silent (a terminal and a CI log alike: plain lines, no cursor tricks).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from statistics import mean

from rich.console import Console


@dataclass
class PipelineProgress:
    """What one pipeline has done so far in this run."""

    key: str
    started: float
    rows: int = 0
    batches: int = 0
    seconds: float | None = None  # set when it finished
    ok: bool = False
    live: bool = False  # running live after its triggered catch-up (`osipi run --live`)
    live_rows: int = 0
    live_batches: int = 0

    def elapsed(self, now: float) -> float:
        """Seconds it has run (its whole run once finished)."""
        return self.seconds if self.seconds is not None else now - self.started


class RunProgress:
    """Turns progress lines into printed lines; call it with each line (`runner.Progress`)."""

    def __init__(self, console: Console, every: float = 8.0) -> None:
        self.console = console
        self.every = every
        self.total = 0  # pipelines and parallelism of the run: told by the engine's `ready` line
        self.parallel = 1
        self.began = time.monotonic()
        self.last_print = self.began
        self.pipelines: dict[str, PipelineProgress] = {}
        self.engine_ready = False

    def __call__(self, line: dict) -> None:
        """Take one progress line; print what changed, or the summary when nothing was printed for a while."""
        now = time.monotonic()
        key, event = line.get("key", ""), line.get("event")
        if key == "engine":
            if event == "ready" and not self.engine_ready:
                self.engine_ready = True
                self.total, self.parallel = int(line.get("pipelines", 0)), max(1, int(line.get("parallel", 1)))
                self._print(now, f"engine up in {now - self.began:.0f} s; {self.total} pipelines, "
                            f"{self.parallel} at a time")  # fmt: skip
        elif event == "started":
            self.pipelines[key] = PipelineProgress(key, now)
            self._print(now, f"started {key}")
        elif key in self.pipelines:
            self._update(self.pipelines[key], line, now)
        if now - self.last_print >= self.every:
            self._print(now, self.summary(now))

    def _update(self, pipeline: PipelineProgress, line: dict, now: float) -> None:
        event = line.get("event")
        if event == "batch" and pipeline.live:
            pipeline.live_batches += 1
            pipeline.live_rows += int(line.get("rows") or 0)
        elif event == "batch":
            pipeline.batches += 1
            pipeline.rows += int(line.get("rows") or 0)
        elif event == "live":
            pipeline.live = True
            every = " or ".join(line.get("every") or ["trigger interval"])
            self._print(now, f"live {pipeline.key}: a micro-batch every {every}; Ctrl-C stops it cleanly")
        elif event == "finished" and pipeline.live:
            self._print(now, f"stopped {pipeline.key}: {pipeline.live_rows:,} rows read live in "
                        f"{pipeline.live_batches} micro-batches")  # fmt: skip
        elif event == "finished":
            pipeline.seconds = float(line.get("seconds") or now - pipeline.started)
            pipeline.ok = bool(line.get("ok"))
            mark = "done" if pipeline.ok else "FAILED"
            self._print(now, f"{mark} {pipeline.key}: {pipeline.rows:,} rows read in {pipeline.batches} "
                        f"micro-batches, {pipeline.seconds:.0f} s")  # fmt: skip

    def left(self, now: float) -> float | None:
        """Seconds the run still needs, from the mean time of the pipelines finished so far (None: no estimate)."""
        finished = [p.seconds for p in self.pipelines.values() if p.seconds is not None]
        if not finished:
            return None
        running = [p.elapsed(now) for p in self.pipelines.values() if p.seconds is None]
        waiting = self.total - len(self.pipelines)
        typical = mean(finished)
        work = sum(max(typical - spent, 0.0) for spent in running) + waiting * typical
        return work / self.parallel

    def summary(self, now: float) -> str:
        """One line: pipelines done, what runs now, the estimate."""
        done = sum(p.seconds is not None for p in self.pipelines.values())
        if not self.engine_ready:
            return "starting the local Spark engine"
        live = [p for p in self.pipelines.values() if p.live]
        if live:
            rows, batches = sum(p.live_rows for p in live), sum(p.live_batches for p in live)
            return f"{len(live)} pipelines live: {rows:,} rows in {batches} micro-batches since they went live"
        running = [p for p in self.pipelines.values() if p.seconds is None]
        parts = [f"{done}/{self.total} pipelines done"]
        parts += [f"{p.key}: {p.rows:,} rows, {p.batches} batches, {p.elapsed(now):.0f} s" for p in running]
        left = self.left(now)
        parts.append("estimating what is left" if left is None else f"about {left:.0f} s left")
        return "; ".join(parts)

    def _print(self, now: float, text: str) -> None:
        self.console.print(f"  [dim]{now - self.began:5.0f} s[/dim]  {text}", highlight=False)
        self.last_print = now
