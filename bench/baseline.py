"""The floor: a bare ``websockets`` server that broadcasts to every client.

Clients connect to ``/``; the benchmark's control socket connects to
``/control`` and sends the exact text to broadcast (a real stage push of the
app, captured in the same run). The server writes it to every client with
``websockets.broadcast``: no framework, no rendering, no database.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from websockets.asyncio.server import broadcast, serve

CLIENTS: set = set()


async def handler(connection) -> None:
    if connection.request.path == "/control":
        async for text in connection:
            broadcast(CLIENTS, text)
            await connection.send("sent")
        return
    CLIENTS.add(connection)
    try:
        await connection.send("{}")  # stands for the app's snapshot
        await connection.wait_closed()
    finally:
        CLIENTS.discard(connection)


async def main(port: int) -> None:
    async with serve(
        handler,
        "127.0.0.1",
        port,
        max_size=2**22,
        compression=None,
        ping_interval=None,
        backlog=2048,
    ):
        print("ready", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(main(parser.parse_args().port))
    sys.exit(0)
