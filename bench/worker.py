"""A crowd of phones in one client process, driven by bench/run.py.

Reads one JSON command a line on stdin and answers one JSON line on stdout.
Every phone is a real HTTP client (join form with CSRF, cookie, its page) and a
real websocket client. A reader task per socket stamps each message with
``time.monotonic()`` (one clock for every process of the machine) the moment
it arrives, and looks at it no more than it must: does it carry a stage
region, for which step, and is it an acknowledgement.

Commands: join, storm, expect_restart, reconnected, baseline, arm, wait,
answer, slides, settle, stats, close.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import sys
import time
from collections import defaultdict

from bench import clients

STEP_RE = re.compile(r'data-step=\\"(\d*)\\"')
FRESH_RE = re.compile(r'data-live-fresh="([^"]*)"')
ACK_ID_RE = re.compile(r'"id": "([^"]*)"')
# In a pushed stage (HTML inside JSON, so its quotes are escaped): the slide's
# image, and the next slide's, which static/js/slides.js fetches ahead.
SLIDE_RE = re.compile(r'class=\\"slide-image\\" src=\\"([^"\\]+)\\"')
PREFETCH_RE = re.compile(r'data-prefetch=\\"([^"\\]+)\\"')


class Window:
    """Waiting for the next stage push on every phone."""

    def __init__(self, size: int) -> None:
        self.first: list[float | None] = [None] * size
        self.step: list[str | None] = [None] * size
        self.remaining = size
        self.done = asyncio.Event()
        if size == 0:
            self.done.set()


class Crowd:
    def __init__(self) -> None:
        self.sockets: list = []
        self.ids: list[int] = []
        self.window: Window | None = None
        # per phone: step id -> number of stage pushes received for it
        self.seen: list[dict[str, int]] = []
        self.acks: dict[str, float] = {}
        self.ack_waiters: dict[str, asyncio.Future] = {}
        self.readers: list[asyncio.Task] = []
        self.sample: str | None = None
        self.closed_early = 0
        self.closing = False
        self.restarting = False
        self.phones: list = []
        self.code = ""
        # Slides (--slides): per phone, image URL -> the fetch of its bytes
        # (a browser's cache), and when each phone had the new slide loaded.
        self.slides_on = False
        self.prefetch = True
        self.images: list[dict[str, asyncio.Task]] = []
        self.visible: list[float | None] = []
        self.visible_left = 0
        self.visible_done = asyncio.Event()
        self.fetch_errors = 0

    def on_message(self, index: int, text: str, now: float) -> None:
        if text.startswith('{"t": "ack"'):
            match = ACK_ID_RE.search(text)
            if match:
                key = match.group(1)
                self.acks.setdefault(key, now)
                waiter = self.ack_waiters.pop(key, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result((now, text))
            return
        if '"id": "stage"' not in text or '"snapshot": true' in text:
            return
        match = STEP_RE.search(text)
        step = match.group(1) if match else ""
        self.seen[index][step] = self.seen[index].get(step, 0) + 1
        if self.slides_on:
            self._on_slide(index, text, now)
        window = self.window
        if window is not None and window.first[index] is None:
            window.first[index] = now
            window.step[index] = step
            window.remaining -= 1
            if index == 0:
                self.sample = text
            if window.remaining == 0:
                window.done.set()

    def _on_slide(self, index: int, text: str, now: float) -> None:
        """The slide is loaded when its bytes are: at once if the phone
        fetched them ahead, else after a fetch now, as a browser would."""
        shown = SLIDE_RE.search(text)
        if shown is not None:
            fetch = self._fetch(index, shown.group(1))
            fetch.add_done_callback(lambda done: self._loaded(index, now, done))
        ahead = PREFETCH_RE.search(text)
        if ahead is not None and self.prefetch:
            # As static/js/slides.js: after a moment of the phone's own.
            self._fetch(index, ahead.group(1), delay=0.3 + random.random() * 2.0)

    def _fetch(self, index: int, url: str, delay: float = 0.0) -> asyncio.Task:
        cache = self.images[index]
        if url not in cache:
            cache[url] = asyncio.create_task(self._get(index, url, delay))
        return cache[url]

    async def _get(self, index: int, url: str, delay: float = 0.0) -> float | None:
        await asyncio.sleep(delay)
        try:
            response = await self.phones[index].get(url)
        except Exception:  # noqa: BLE001 (counted, and the slide is never loaded)
            response = None
        if response is None or response.status != 200 or not response.body:
            self.fetch_errors += 1
            return None
        return time.monotonic()

    def _loaded(self, index: int, pushed: float, fetch: asyncio.Task) -> None:
        fetched = fetch.result()
        if fetched is None or self.visible[index] is not None or self.visible_left <= 0:
            return
        self.visible[index] = max(pushed, fetched)
        self.visible_left -= 1
        if self.visible_left == 0:
            self.visible_done.set()

    def slides(self, on: bool, prefetch: bool) -> dict:
        self.slides_on, self.prefetch = on, prefetch
        # A fresh cache: a run without prefetch must not find earlier fetches.
        self.images = [{} for _ in self.sockets]
        return {"slides": on}

    async def settle(self, timeout: float) -> dict:
        """Wait for every fetch in flight (a room listening to the speaker)."""
        pending = [task for cache in self.images for task in cache.values() if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=timeout)
        return {"settled": len(pending)}

    async def read(self, index: int, socket) -> None:
        try:
            async for message in socket:
                self.on_message(index, message, time.monotonic())
        except Exception:  # noqa: BLE001 (a dropped socket is counted, not fatal)
            pass
        if self.restarting and not self.closing:
            self.sockets[index] = None
            self.readers.append(asyncio.create_task(self._come_back(index)))
        elif not self.closing:
            self.closed_early += 1

    async def _open(self, index: int, open_socket) -> float:
        started = time.monotonic()
        socket = await open_socket()
        first = await asyncio.wait_for(socket.recv(), 60)  # the snapshot (or nothing, baseline)
        elapsed = time.monotonic() - started
        self.sockets[index] = socket
        if first:
            self.on_message(index, first, time.monotonic())
        self.readers.append(asyncio.create_task(self.read(index, socket)))
        return elapsed

    async def join(self, base_urls: list[str], code: str, ids: list[int], concurrency: int):
        self.ids = ids
        self.sockets = [None] * len(ids)
        self.phones = [None] * len(ids)
        self.seen = [defaultdict(int) for _ in ids]
        join_ms: list[float] = []
        connect_ms: list[float] = []
        failures: list[str] = []
        gate = asyncio.Semaphore(concurrency)

        async def one(index: int, global_id: int) -> None:
            base = base_urls[global_id % len(base_urls)]
            async with gate:
                try:
                    started = time.monotonic()
                    phone = await clients.join(base, code, f"bench-{global_id:05d}")
                    self.phones[index] = phone
                    join_ms.append((time.monotonic() - started) * 1000)
                    elapsed = await self._open(
                        index, lambda: phone.websocket(f"/ws/participant/{code}/")
                    )
                    connect_ms.append(elapsed * 1000)
                except Exception as error:  # noqa: BLE001
                    failures.append(f"{type(error).__name__}: {error}"[:200])

        await asyncio.gather(*(one(i, g) for i, g in enumerate(ids)))
        return {"join_ms": join_ms, "connect_ms": connect_ms, "failures": failures}

    async def storm(
        self, base_urls: list[str], code: str, ids: list[int], start_at: float, spread: float
    ):
        """Every phone starts its join at its own moment within ``spread`` s of
        ``start_at`` (a monotonic time shared by all client processes), with no
        gate: the room scanning the QR code at once. A phone that fails its
        websocket retries it as static/js/live.js does."""
        self.ids = ids
        self.code = code
        self.sockets = [None] * len(ids)
        self.phones = [None] * len(ids)
        self.seen = [defaultdict(int) for _ in ids]
        rng = random.Random(ids[0] if ids else 0)
        lobby_ms: list[float] = []
        http_errors: list[str] = []
        handshake_failures: list[str] = []
        retried: set[int] = set()

        async def one(index: int, global_id: int, delay: float) -> None:
            await asyncio.sleep(max(0.0, start_at + delay - time.monotonic()))
            first = time.monotonic()
            base = base_urls[global_id % len(base_urls)]
            phone = await _join_as_a_phone(base, code, f"bench-{global_id:05d}", http_errors)
            if phone is None:
                return
            self.phones[index] = phone
            socket, snapshot, attempts = await _connect_like_live_js(
                phone,
                f"/ws/participant/{code}/",
                handshake_failures,
                rng,
                deadline=first + 120,
                fresh=phone.fresh,
            )
            if socket is None:
                return
            if attempts:
                retried.add(index)
            lobby_ms.append((snapshot[0] - first) * 1000)
            self.sockets[index] = socket
            self.on_message(index, snapshot[1], snapshot[0])
            self.readers.append(asyncio.create_task(self.read(index, socket)))

        delays = [rng.uniform(0, spread) for _ in ids]
        await asyncio.gather(
            *(one(i, g, d) for i, (g, d) in enumerate(zip(ids, delays, strict=True)))
        )
        return {
            "lobby_ms": lobby_ms,
            "http_errors": http_errors,
            "handshake_failures": handshake_failures,
            "retried": len(retried),
        }

    def expect_restart(self) -> dict:
        """From now on a closed socket reconnects as live.js does, and the
        moment its fresh snapshot arrives is kept."""
        self.restarting = True
        self.back: list[tuple[float, str] | None] = [None] * len(self.sockets)
        self.back_done = asyncio.Event()
        self.reconnect_failures: list[str] = []
        self.waiting_back = sum(1 for s in self.sockets if s is not None)
        return {"expecting": self.waiting_back}

    async def reconnected(self, timeout: float) -> dict:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.back_done.wait(), timeout)
        self.restarting = False
        return {
            "back": [b for b in self.back if b is not None],
            "missing": self.waiting_back,
            "handshake_failures": self.reconnect_failures,
        }

    async def _come_back(self, index: int) -> None:
        # Seeded by the phone's own number, not its place in this process's
        # share: phones of different client processes must not back off alike.
        rng = random.Random(self.ids[index])
        phone = self.phones[index]
        socket, snapshot, _attempts = await _connect_like_live_js(
            phone,
            f"/ws/participant/{self.code}/",
            self.reconnect_failures,
            rng,
            deadline=time.monotonic() + 120,
            after_a_drop=True,
        )
        if socket is None:
            return
        self.sockets[index] = socket
        match = STEP_RE.search(snapshot[1])
        self.back[index] = (snapshot[0], match.group(1) if match else "", snapshot[2])
        self.waiting_back -= 1
        if self.waiting_back == 0:
            self.back_done.set()
        self.readers.append(asyncio.create_task(self.read(index, socket)))

    async def baseline(self, url: str, concurrency: int):
        """Drop the app's sockets; connect the same number to the bare server."""
        await self.close_all()
        self.sockets = [None] * len(self.ids)
        self.seen = [defaultdict(int) for _ in self.ids]
        self.closed_early = 0
        gate = asyncio.Semaphore(concurrency)
        import websockets

        async def one(index: int) -> None:
            async with gate:

                async def open_socket():
                    return await websockets.connect(
                        url, max_size=2**22, compression=None, ping_interval=None
                    )

                await self._open(index, open_socket)

        await asyncio.gather(*(one(i) for i in range(len(self.ids))))
        return {"connected": sum(1 for s in self.sockets if s is not None)}

    def arm(self) -> dict:
        self.window = Window(len(self.sockets))
        # A phone that never connected is not waited for, nor counted as lost.
        for index, socket in enumerate(self.sockets):
            if socket is None:
                self.window.first[index] = -1.0
                self.window.remaining -= 1
        if self.window.remaining <= 0:
            self.window.done.set()
        self.sample = None
        self.visible = [None] * len(self.sockets)
        self.visible_left = sum(1 for socket in self.sockets if socket is not None)
        self.visible_done = asyncio.Event()
        return {"armed": True}

    async def wait(self, timeout: float, want_sample: bool) -> dict:
        window = self.window
        assert window is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(window.done.wait(), timeout)
        self.window = None
        connected = [i for i, socket in enumerate(self.sockets) if socket is not None]
        reply = {
            "times": [window.first[i] for i in connected],
            "steps": [window.step[i] for i in connected],
        }
        if want_sample:
            reply["sample"] = self.sample
        if self.slides_on:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.visible_done.wait(), timeout)
            reply["visible"] = [self.visible[i] for i in connected]
        return reply

    async def answer(self, messages: list[tuple[int, str, dict]], spread: float, timeout: float):
        """Each phone sends its answer at its own moment within ``spread`` s."""
        results: list[dict] = []

        async def one(index: int, delay: float, message: dict) -> None:
            await asyncio.sleep(delay)
            key = message["id"]
            waiter = asyncio.get_running_loop().create_future()
            self.ack_waiters[key] = waiter
            sent = time.monotonic()
            try:
                await self.sockets[index].send(json.dumps(message))
                acked, text = await asyncio.wait_for(waiter, timeout)
                ok = json.loads(text).get("ok", False)
                results.append({"sent": sent, "acked": acked, "ok": ok, "reply": text[:200]})
            except Exception as error:  # noqa: BLE001
                results.append({"sent": sent, "acked": None, "ok": False, "reply": str(error)})

        await asyncio.gather(*(one(i, d, m) for (i, d, m) in messages))
        return {"results": results}

    def stats(self) -> dict:
        dup = sum(max(0, count - 1) for seen in self.seen for count in seen.values())
        return {"dup": dup, "closed_early": self.closed_early, "fetch_errors": self.fetch_errors}

    async def close_all(self) -> None:
        self.closing = True
        for socket in self.sockets:
            if socket is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(socket.close(), 5)
        for reader in self.readers:
            reader.cancel()
        self.readers.clear()
        self.closing = False


# What a person does when a page fails to load: tap again, a few times.
HTTP_TRIES = 3


async def _join_as_a_phone(base: str, code: str, nickname: str, errors: list[str]):
    """The QR code's link, then the join form, whose answer is the phone's
    page: two requests.
    Every failed request (an exception or a status a person would see as an
    error) is counted, then tried again as a person would."""
    phone = clients.Browser(base)
    steps = [
        ("GET", f"/j/{code}", None, {200}),
        ("POST", "/join/", {"code": code, "nickname": nickname}, {200}),
    ]
    phone.fresh = ""
    for method, path, form, wanted in steps:
        for _try in range(HTTP_TRIES):
            try:
                if form is not None:
                    form = {**form, "csrfmiddlewaretoken": phone.cookies.get("csrftoken", "")}
                response = await phone.request(method, path, form, timeout=60)
            except Exception as error:  # noqa: BLE001
                errors.append(f"{method} {path}: {type(error).__name__}: {error}"[:200])
                await asyncio.sleep(1.0)
                continue
            if response.status in wanted:
                fresh = FRESH_RE.search(response.text)
                phone.fresh = fresh.group(1) if fresh else phone.fresh
                break
            errors.append(f"{method} {path}: HTTP {response.status}")
            await asyncio.sleep(1.0)
        else:
            return None
    return phone


def live_js_backoff(attempts: int, rng: random.Random) -> float:
    """Seconds before the next try, as static/js/live.js's onClose computes it."""
    base = min(LIVE_JS_MAX_BACKOFF, LIVE_JS_FIRST_BACKOFF * 2**attempts)
    return rng.uniform(0, base)


# Keep equal to RETRY_FIRST_MS and RETRY_MAX_MS in static/js/live.js (in seconds).
LIVE_JS_FIRST_BACKOFF = 1.0
LIVE_JS_MAX_BACKOFF = 4.0


async def _connect_like_live_js(
    phone,
    path: str,
    failures: list[str],
    rng: random.Random,
    deadline: float,
    after_a_drop: bool = False,
    fresh: str = "",
):
    """Open the socket and wait for its snapshot; on failure, back off and try
    again. Returns (socket, (arrival time, snapshot text, start of the try
    that worked), failed tries), the socket None if it never opened before
    the deadline."""
    attempts = 0
    failed = 0
    if after_a_drop:  # live.js waits before its first try after a drop too
        await asyncio.sleep(live_js_backoff(0, rng))
        attempts = 1
    while time.monotonic() < deadline:
        socket = None
        try:
            # As live.js: the page's freshness token with the first try only.
            url, fresh = path + (f"?fresh={fresh}" if fresh else ""), ""
            tried_at = time.monotonic()
            socket = await phone.websocket(url)
            text = await asyncio.wait_for(socket.recv(), 60)
            return socket, (time.monotonic(), text, tried_at), failed
        except Exception as error:  # noqa: BLE001
            failures.append(f"{type(error).__name__}: {error}"[:200])
            if socket is not None:
                with contextlib.suppress(Exception):
                    await socket.close()
        failed += 1
        await asyncio.sleep(live_js_backoff(attempts, rng))
        attempts += 1
    return None, None, failed


async def main() -> None:
    crowd = Crowd()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**26)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    out = sys.stdout

    def reply(data: dict) -> None:
        out.write(json.dumps(data) + "\n")
        out.flush()

    while True:
        line = await reader.readline()
        if not line:
            break
        command = json.loads(line)
        name = command.pop("cmd")
        if name == "join":
            reply(await crowd.join(**command))
        elif name == "storm":
            reply(await crowd.storm(**command))
        elif name == "expect_restart":
            reply(crowd.expect_restart())
        elif name == "reconnected":
            reply(await crowd.reconnected(**command))
        elif name == "baseline":
            reply(await crowd.baseline(**command))
        elif name == "arm":
            reply(crowd.arm())
        elif name == "wait":
            reply(await crowd.wait(**command))
        elif name == "answer":
            reply(await crowd.answer(**command))
        elif name == "slides":
            reply(crowd.slides(**command))
        elif name == "settle":
            reply(await crowd.settle(**command))
        elif name == "stats":
            reply(crowd.stats())
        elif name == "close":
            await crowd.close_all()
            reply({"closed": True})
            break


if __name__ == "__main__":
    asyncio.run(main())
