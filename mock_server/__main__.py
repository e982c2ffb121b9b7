"""`python -m mock_server --host 127.0.0.1 --port 8765 --tags 1000 --seed 7 [--clock ISO|wall] [--auth basic]`.

Every `MockSettings` field is a flag (`--fault-503 0.1`, `--late-delay "[30, 300]"`) except secrets, which come
only from `MOCK_PI_*` environment variables so they never show in a process list. Prints one line with the base
URL once the server listens.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import socket
import sys

import uvicorn
from pydantic import ValidationError

from mock_server.app import create_app
from mock_server.settings import MockSettings

_SECRET_FIELDS = {n for n, f in MockSettings.model_fields.items() if "SecretStr" in str(f.annotation)}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mock_server", description="Mock PI Web API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    for name, field in MockSettings.model_fields.items():
        if name not in _SECRET_FIELDS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, help=field.description)
    return parser.parse_args(argv)


def _value(text: str) -> object:
    """Flag text as given, or parsed JSON for lists and tuples (`[30, 300]`)."""
    return json.loads(text) if text.lstrip().startswith("[") else text


def main(argv: list[str] | None = None) -> int:
    """Start the server; exit code 2 for bad settings or a port already in use."""
    args = _arguments(argv)
    given = {n: _value(v) for n, v in vars(args).items() if n in MockSettings.model_fields and v is not None}
    try:
        settings = MockSettings(**given)
    except (ValidationError, json.JSONDecodeError) as exc:
        first = exc.errors()[0] if isinstance(exc, ValidationError) else {"loc": ("flag",), "msg": str(exc)}
        print(
            f"mock_server: invalid setting {first['loc'][0] if first['loc'] else ''}: {first['msg']}", file=sys.stderr
        )
        return 2
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP proto: asyncio then sets TCP_NODELAY
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        sock.close()
        reason = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be bound ({exc.strerror})"
        print(f"mock_server: port {args.port} on {args.host} {reason}; choose another with --port", file=sys.stderr)
        return 2
    try:
        app = create_app(settings)
    except ValueError as exc:  # a listed point or route that does not exist
        sock.close()
        print(f"mock_server: invalid setting {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    original_startup = server.startup

    async def startup(sockets: list[socket.socket] | None = None) -> None:
        await original_startup(sockets=sockets)
        if server.started:
            print(
                f"mock PI Web API ready at http://{args.host}:{args.port}/piwebapi "
                f"(tags={settings.tags}, seed={settings.seed}, clock={settings.clock}, auth={settings.auth})",
                flush=True,
            )

    server.startup = startup
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
