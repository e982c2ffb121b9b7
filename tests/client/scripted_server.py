"""A tiny real HTTP server that answers from a script: for what the mock cannot play (a proxy's HTML page,
a body cut short, a token endpoint). It records every request so tests can check headers and counts."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    declared_length: int | None = None  # a Content-Length larger than the body makes a truncated response


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Script:
    """Answers in order (the last one repeats), or from a function of the request."""

    def __init__(self, *answers: Answer, handler: Callable[[Seen], Answer] | None = None) -> None:
        self.answers = list(answers)
        self.handler = handler
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    def next(self, seen: Seen) -> Answer:
        with self.lock:
            self.seen.append(seen)
            if self.handler:
                return self.handler(seen)
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@contextmanager
def scripted(script: Script) -> Iterator[str]:
    """Serve `script` on 127.0.0.1 on a free port; yields the base URL `http://127.0.0.1:port/piwebapi`."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(self.command, self.path, dict(self.headers), self.rfile.read(length) if length else b"")
            answer = script.next(seen)
            self.send_response(answer.status)
            for key, value in answer.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(answer.declared_length or len(answer.body)))
            if answer.declared_length:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(answer.body)
            if answer.declared_length:
                self.close_connection = True

        do_GET = do_POST = _serve  # noqa: N815

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/piwebapi"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
