"""A small TCP load balancer for the loopback deployment: `python -m harness.loopback.balancer`.

It stands where nginx or a cloud load balancer stands in production: one public address in front of
the web processes. Each new connection goes to the next web process in turn; a process that refuses
the connection (killed, restarting) is skipped, so webhooks and sign-ins keep flowing while one is
down. It balances connections, not requests: a websocket is one connection, so a Socket.IO client
that uses only the websocket transport stays on one process for its whole life (the stickiness
Socket.IO needs). Browsers start with long-polling, which needs real sticky sessions (a cookie or
the client's address) in a production balancer; see the README.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import signal

#: How long to wait for a web process to accept before trying the next one.
CONNECT_TIMEOUT_S = 2.0
CHUNK = 64 * 1024


class Balancer:
    def __init__(self, upstreams: list[tuple[str, int]]) -> None:
        if not upstreams:
            raise ValueError("a balancer needs at least one upstream")
        self.upstreams = upstreams
        self._turn = itertools.cycle(range(len(upstreams)))

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream = await self._connect()
        if upstream is None:
            writer.close()
            return
        up_reader, up_writer = upstream
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        first = next(self._turn)
        for offset in range(len(self.upstreams)):
            host, port = self.upstreams[(first + offset) % len(self.upstreams)]
            try:
                return await asyncio.wait_for(asyncio.open_connection(host, port), CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError):
                continue
        return None


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(CHUNK):
            sink.write(data)
            await sink.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(ConnectionError, OSError, RuntimeError):
            sink.close()


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected host:port, got {text!r}")
    return host, int(port)


async def serve(host: str, port: int, upstreams: list[tuple[str, int]]) -> None:
    balancer = Balancer(upstreams)
    server = await asyncio.start_server(balancer.handle, host, port, backlog=4096)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m harness.loopback.balancer", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("upstreams", nargs="+", type=_address, help="web processes as host:port")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port, args.upstreams))


if __name__ == "__main__":
    main()
