"""The load benchmark: N phones in one session, on loopback, bounded in time.

    make bench                         # N=1000, one daphne process, SQLite + in-memory layer
    make bench ARGS="--scale-out"      # two daphne processes on PostgreSQL + Redis
    make bench ARGS="-n 200 --steps 5" # a quick look
    make bench ARGS="--storm-seconds 0 --no-restart"  # the gentle join only
    make bench ARGS="--slides"         # also: render a 60-page deck, time slides to the phones

What it does, like a real room: a facilitator signs in and creates a session of
the IOM workshop; the projector and the control view open their sockets; N
phones load the join page, post the join form (CSRF), keep their cookie, load
their page and open their websocket, each starting within --storm-seconds (a
room scanning the QR code at once). The facilitator then moves the show on
(the control view's POST) and every phone's arrival time of the new step is
stamped; every phone answers a question, which then reopens with a 3 s timer
and closes by itself (the close's arrival after the deadline is stamped);
every phone ranks the six Acceleration Actions within 5 s (--no-ranking
skips it); the server is killed with SIGKILL
and started again, and every phone is timed back. Then the same N clients
connect to a bare ``websockets`` server that broadcasts the same text the app
pushed: the floor, in the same run.

It prints its figures and ends with exactly one line starting ``bench:``.
Nothing here asserts a target: the figures are for people to read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import contextlib

from bench import clients  # noqa: E402
from tests.live_server import FACILITATOR, LiveServer, free_port  # noqa: E402

PACK = ROOT / "workshop" / "packs" / "iom-leaving-no-one-behind.yaml"
TEMPLATE_TITLE = "Leaving no one behind: Migration as a powerful driver for sustainable development"
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
DEADLINE_SECONDS = 600  # the whole run stops by itself after this


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Worker:
    """One client process holding a share of the phones."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.worker",
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=2**26,
        )

    async def send(self, cmd: str, **args) -> None:
        assert self.process and self.process.stdin
        self.process.stdin.write((json.dumps({"cmd": cmd, **args}) + "\n").encode())
        await self.process.stdin.drain()

    async def receive(self) -> dict:
        assert self.process and self.process.stdout
        line = await self.process.stdout.readline()
        if not line:
            raise RuntimeError("a client worker died")
        return json.loads(line)

    async def call(self, cmd: str, **args) -> dict:
        await self.send(cmd, **args)
        return await self.receive()

    async def stop(self) -> None:
        if self.process and self.process.returncode is None:
            with contextlib.suppress(
                TimeoutError, RuntimeError, BrokenPipeError, ConnectionResetError
            ):
                await asyncio.wait_for(self.call("close"), 20)
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()


async def all_call(workers: list[Worker], cmd: str, **args) -> list[dict]:
    for worker in workers:
        await worker.send(cmd, **args)
    return [await worker.receive() for worker in workers]


async def broadcast_round(workers: list[Worker], trigger, timeout: float, want_sample=False):
    """Arm every phone, trigger one change, and collect each phone's arrival time."""
    await all_call(workers, "arm")
    started = time.monotonic()
    await trigger()
    replies = await all_call(workers, "wait", timeout=timeout, want_sample=want_sample)
    times = [t for reply in replies for t in reply["times"]]
    steps = [s for reply in replies for s in reply["steps"]]
    sample = next((r.get("sample") for r in replies if r.get("sample")), None)
    latencies = [(t - started) * 1000 for t in times if t is not None]
    return latencies, times.count(None), steps, sample


def describe(name: str, values: list[float]) -> str:
    if not values:
        return f"  {name}: none"
    return (
        f"  {name}: n={len(values)} p50={percentile(values, 50):.1f} "
        f"p95={percentile(values, 95):.1f} max={max(values):.1f} ms"
    )


async def run(args: argparse.Namespace) -> int:
    n = args.participants
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    env = {
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "*",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "LOG_LEVEL": "WARNING",
        "JOIN_RATE_LIMIT": "100000",
        # Shared by every server process, as docs/deploy.md's shared volume.
        "MEDIA_ROOT": str(workdir / "media"),
    }
    if args.scale_out:
        env["DATABASE_URL"] = os.environ.get("DATABASE_URL") or LOCAL_POSTGRES
        env["REDIS_URL"] = os.environ.get("REDIS_URL") or LOCAL_REDIS
    else:
        env["DATABASE_URL"] = ""
        env["REDIS_URL"] = ""
    servers = [LiveServer(workdir / "a", env)]
    if args.scale_out:
        servers.append(LiveServer(workdir / "b", env, peer=servers[0]))
    for server in servers:
        server.workdir.mkdir(parents=True, exist_ok=True)
        server.log = server.workdir / "server.log"
        server.env["SQLITE_PATH"] = str(workdir / "a" / "db.sqlite3")
    workers = [Worker() for _ in range(args.clients)]
    baseline_process = None
    try:
        setup = (
            "2 daphne processes on PostgreSQL + Redis"
            if args.scale_out
            else "1 daphne process on SQLite + in-memory layer"
        )
        print(
            f"bench: {n} participants, {args.steps} step changes, {setup}, "
            f"{args.clients} client process(es); {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.1f} at the start",
            flush=True,
        )
        quiz_ready = prepare(servers[0], workdir)
        deck = upload_deck(servers[0], workdir, args.slide_pages) if args.slides else None
        for server in servers:
            server.start()
        pids = [server.process.pid for server in servers]
        urls = [server.url for server in servers]
        print(f"server pids: {' '.join(map(str, pids))}", flush=True)

        facilitator = await clients.sign_in(urls[0], *FACILITATOR)
        public_id, code = await clients.create_session(facilitator, TEMPLATE_TITLE, groups=4)
        control = await facilitator.websocket(f"/ws/control/{public_id}/")
        projector = await clients.Browser(urls[-1]).websocket(f"/ws/screen/{public_id}/")
        await control.recv()
        await projector.recv()
        tallies: list[tuple[float, int, dict[str, int]]] = []
        drains = [
            asyncio.create_task(_drain(control)),
            asyncio.create_task(_record_tallies(projector, tallies)),
        ]

        # Warm up each process (templates, code paths) with a few phones first.
        for worker in workers:
            await worker.start()
        rss_before = sum(rss_kib(pid) for pid in pids)
        cpu_before = sum(cpu_seconds(pid) for pid in pids)

        ids = list(range(n))
        shares = [ids[i :: len(workers)] for i in range(len(workers))]
        if args.storm_seconds > 0:
            storm = await join_storm(args, workers, shares, urls, code, pids)
            connected = storm["connected"]
        else:
            storm = {"join_p95": "not_measured", "errors": 0, "handshake_failures": 0}
            connected = await gentle_join(args, workers, shares, urls, code)
        counted = count_rows(servers[0], code)
        print(
            f"  in the database: {counted['participants']} participants, "
            f"{counted['nicknames']} distinct nicknames (phones: {n})",
            flush=True,
        )
        joined_twice = counted["participants"] - counted["nicknames"]
        await asyncio.sleep(1.0)  # let the coalesced presence pushes settle

        # The step changes: the facilitator clicks "next" as the control view does.
        step_latencies: list[float] = []
        last_phone: list[float] = []
        first_phone: list[float] = []
        lost = 0
        samples: list[str] = []
        mismatched = 0
        post_ms: list[float] = []

        async def click_next() -> None:
            t0 = time.monotonic()
            await clients.go(facilitator, public_id)
            post_ms.append((time.monotonic() - t0) * 1000)

        for _ in range(args.steps):
            latencies, missing, steps, sample = await broadcast_round(
                workers, click_next, args.timeout, want_sample=True
            )
            lost += missing
            expected = max(set(s for s in steps if s), key=steps.count, default=None)
            mismatched += sum(1 for s in steps if s is not None and s != expected)
            step_latencies += latencies
            if latencies:
                last_phone.append(max(latencies))
                first_phone.append(min(latencies))
            if sample:
                samples.append(sample)
            await asyncio.sleep(args.pause)
        rss_after = sum(rss_kib(pid) for pid in pids)
        cpu_steps = sum(cpu_seconds(pid) for pid in pids) - cpu_before
        stats = await all_call(workers, "stats")
        dup = sum(s["dup"] for s in stats) + mismatched
        dropped = sum(s["closed_early"] for s in stats)
        print(f"step changes: {args.steps}, each to every phone")
        print(describe("per phone, arrival after the click", step_latencies))
        print(describe("first phone per step change", first_phone))
        print(describe("last phone per step change", last_phone))
        print(describe("the facilitator's POST (htmx, control regions back)", post_ms))
        print(f"  lost={lost} dup={dup} sockets dropped={dropped}")
        sizes = [len(s.encode()) for s in samples]
        if sizes:
            print(f"  stage push size: {min(sizes)}-{max(sizes)} bytes")
        rss_per = (rss_after - rss_before) / max(1, connected)
        print(
            f"server memory: {rss_before} KiB before the phones, {rss_after} KiB with them "
            f"({rss_per:.1f} KiB per participant); server CPU for join+steps: {cpu_steps:.1f} s"
        )

        # Answers: every phone answers a single-choice question within a few seconds.
        answer_p95: str = "not_measured"
        tally_final: str = "not_measured"
        if quiz_ready:
            outcome = await answer_phase(args, workers, facilitator, public_id, tallies, n)
            if outcome is not None:
                answer_p95 = f"{outcome['ack_p95']:.0f}"
                tally_final = outcome["tally_final"]
                lost += outcome["lost"]
                dup += outcome["dup"]
        else:
            print("answers: not measured (no quiz questions: the quizzes app is not installed)")

        # A countdown: the question closes by itself, everywhere, nobody clicking.
        countdown_p95: str = "not_measured"
        if quiz_ready and answer_p95 != "not_measured":
            countdown_p95 = await countdown_phase(args, workers, facilitator, public_id)

        # Priorities: every phone ranks the six Acceleration Actions within 5 s.
        ranking = {"ack_p95": "not_measured", "final": "not_measured"}
        if quiz_ready and args.ranking:
            outcome = await ranking_phase(args, workers, facilitator, public_id, tallies, n)
            ranking = outcome or ranking
            lost += ranking.get("lost", 0)

        # Questions from the room: every phone upvotes 5 of 100 approved questions.
        qa: dict = {"vote_ack_p95": "not_measured", "votes_final": "not_measured"}
        if args.qa:
            qa = await qa_phase(args, servers[0], workers, facilitator, public_id, code, n)
            lost += qa["lost"]
            dup += qa["dup"]

        # Slides: the facilitator clicks through the deck; each phone shows the
        # new slide once it has its image's bytes, fetched ahead or on the push.
        slides: dict = {}
        if deck is not None:
            slides = await slides_phase(args, workers, facilitator, public_id, deck)
            lost += slides["lost"]

        reconnect_p95: str = "not_measured"
        if args.restart:
            outcome = await restart_phase(workers, servers, code, tallies)
            reconnect_p95 = outcome["p95"]
            lost += outcome["lost"]
            dup += outcome["dup"]

        # The floor: the same clients, a bare websockets server, the same texts.
        port = free_port()
        baseline_process = subprocess.Popen(
            [sys.executable, "-m", "bench.baseline", "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        baseline_process.stdout.readline()
        await all_call(
            workers, "baseline", url=f"ws://127.0.0.1:{port}/", concurrency=args.concurrency
        )
        import websockets

        base_latencies: list[float] = []
        base_last: list[float] = []
        base_lost = 0
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/control", max_size=2**22, compression=None
        ) as trigger_socket:
            for index in range(args.steps):
                text = samples[index % len(samples)] if samples else '{"id": "stage"}'

                async def trigger(text=text) -> None:
                    await trigger_socket.send(text)
                    await trigger_socket.recv()

                latencies, missing, _steps, _ = await broadcast_round(
                    workers, trigger, args.timeout
                )
                base_lost += missing
                base_latencies += latencies
                if latencies:
                    base_last.append(max(latencies))
                await asyncio.sleep(args.pause)
        print("baseline (bare websockets broadcast of the same texts):")
        print(describe("per client", base_latencies))
        print(describe("last client per broadcast", base_last))
        if base_lost:
            print(f"  baseline lost={base_lost}")

        for task in drains:
            task.cancel()
        print(f"load average {os.getloadavg()[0]:.1f} at the end (other work on the machine)")
        print(
            f"bench: participants={connected} "
            f"join_p95_ms={storm['join_p95']} join_errors={storm['errors']} "
            f"ws_handshake_failures={storm['handshake_failures']} "
            f"joined_twice={joined_twice} reconnect_p95_ms={reconnect_p95} "
            f"step_p95_ms={percentile(last_phone, 95):.0f} "
            f"answer_ack_p95_ms={answer_p95} "
            f"tally_final_ms={tally_final} "
            f"ranking_ack_p95_ms={ranking['ack_p95']} ranking_final_ms={ranking['final']} "
            f"countdown_close_p95_ms={countdown_p95} "
            + (
                f"vote_ack_p95_ms={qa['vote_ack_p95']} votes_final_ms={qa['votes_final']} "
                if args.qa
                else ""
            )
            + (
                f"deck_render_s={deck['render_s']:.1f} "
                f"slide_visible_p95_ms={slides['visible_p95']} "
                f"slide_visible_no_prefetch_p95_ms={slides['no_prefetch_p95']} "
                if deck is not None
                else ""
            )
            + f"lost={lost} dup={dup} "
            f"rss_kib_per_participant={rss_per:.0f} "
            f"baseline_step_p95_ms={percentile(base_last, 95):.0f}",
            flush=True,
        )
        return 0
    finally:
        for worker in workers:
            await worker.stop()
        if baseline_process is not None:
            baseline_process.terminate()
            baseline_process.wait(timeout=10)
        for server in reversed(servers):
            server.stop()


async def gentle_join(args, workers, shares, urls, code) -> int:
    """Phones join ``--concurrency`` at a time per client process."""
    started = time.monotonic()
    for worker, share in zip(workers, shares, strict=True):
        await worker.send(
            "join", base_urls=urls, code=code, ids=share, concurrency=args.concurrency
        )
    joined = [await worker.receive() for worker in workers]
    join_seconds = time.monotonic() - started
    join_ms = [v for r in joined for v in r["join_ms"]]
    connect_ms = [v for r in joined for v in r["connect_ms"]]
    failures = [f for r in joined for f in r["failures"]]
    n = sum(len(share) for share in shares)
    print(f"join + connect: {len(connect_ms)}/{n} phones in {join_seconds:.1f} s", flush=True)
    print(describe("join (3 HTTP requests)", join_ms))
    print(describe("websocket connect + snapshot", connect_ms))
    if failures:
        print(f"  failures: {len(failures)}, e.g. {failures[:3]}")
    return len(connect_ms)


async def join_storm(args, workers, shares, urls, code, pids) -> dict:
    """Every phone starts within ``--storm-seconds``: the QR code on the
    projector and a whole room scanning it. Timed from each phone's first
    request (the QR code's link) to its socket's snapshot (the lobby)."""
    n = sum(len(share) for share in shares)
    start_at = time.monotonic() + 1.0
    for worker, share in zip(workers, shares, strict=True):
        await worker.send(
            "storm",
            base_urls=urls,
            code=code,
            ids=share,
            start_at=start_at,
            spread=args.storm_seconds,
        )
    threads = ThreadPeak(pids)
    threads.start()
    replies = [await worker.receive() for worker in workers]
    threads.stop()
    lobby_ms = [v for r in replies for v in r["lobby_ms"]]
    errors = [e for r in replies for e in r["http_errors"]]
    failures = [f for r in replies for f in r["handshake_failures"]]
    retried = sum(r["retried"] for r in replies)
    print(
        f"join storm: {len(lobby_ms)}/{n} phones in the lobby, each starting within "
        f"{args.storm_seconds:g} s; last one {time.monotonic() - start_at:.1f} s after the first",
        flush=True,
    )
    print(describe("first request -> lobby on the phone", lobby_ms))
    print(
        f"  HTTP errors: {len(errors)}; websocket handshakes failed: {len(failures)} "
        f"({retried} phones retried); server threads at most {threads.peak}"
    )
    for label, items in (("HTTP errors", errors), ("handshake failures", failures)):
        if items:
            print(f"  {label}, e.g. {items[:3]}")
    return {
        "connected": len(lobby_ms),
        "join_p95": f"{percentile(lobby_ms, 95):.0f}",
        "errors": len(errors),
        "handshake_failures": len(failures),
    }


async def restart_phase(workers, servers, code: str, tallies: list) -> dict:
    """SIGKILL every server process mid-question, start it again, and time
    each phone from the moment the server listens again to its fresh
    snapshot of the current step. Nothing stored may change meanwhile."""
    before = count_rows(servers[0], code)
    await all_call(workers, "expect_restart")
    listening = [await asyncio.to_thread(server.kill_and_restart) for server in servers]
    replies = await all_call(workers, "reconnected", timeout=60)
    back = [entry for r in replies for entry in r["back"]]
    missing = sum(r["missing"] for r in replies)
    failures = [f for r in replies for f in r["handshake_failures"]]
    after = count_rows(servers[0], code)
    ms = [(at - max(listening)) * 1000 for at, _step, _tried in back]
    # The part the server is answerable for: from the try that worked to its
    # snapshot (the rest is live.js's backoff between tries).
    serving_ms = [(at - tried) * 1000 for at, _step, tried in back]
    wrong_step = sum(1 for _at, step, _tried in back if step != str(after["current_step"]))
    print(
        f"restart (SIGKILL) mid-question: {len(back)} phones back, {missing} not within 60 s, "
        f"{wrong_step} on another step than the current one",
        flush=True,
    )
    print(describe("server listening again -> phone has its snapshot", ms))
    print(describe("the try that worked -> its snapshot", serving_ms))
    print(
        f"  failed tries while it restarted: {len(failures)}; answers stored "
        f"{before['answers']} before, {after['answers']} after"
    )
    changed = after["answers"] - before["answers"]
    return {
        "p95": f"{percentile(ms, 95):.0f}",
        "lost": missing + wrong_step + max(0, -changed),
        "dup": max(0, changed),
    }


def count_rows(server: LiveServer, code: str) -> dict:
    """What the database holds for the session, asked of it directly."""
    script = (
        "import json;"
        "from workshop.models import WorkshopSession;"
        f"s = WorkshopSession.objects.get(code={code!r});"
        "from quizzes.models import Answer;"
        "print(json.dumps({"
        "'participants': s.participants.count(),"
        "'nicknames': s.participants.values('nickname').distinct().count(),"
        "'answers': Answer.objects.filter(run__session=s).count(),"
        "'current_step': s.current_step_id}))"
    )
    return json.loads(server.manage("shell", "-c", script).strip().splitlines()[-1])


class ThreadPeak:
    """The most threads the server processes had at once, sampled every 50 ms."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak = 0
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._sample())

    def stop(self) -> None:
        if self._task:
            self._task.cancel()

    async def _sample(self) -> None:
        while True:
            total = 0
            for pid in self.pids:
                with contextlib.suppress(OSError):
                    total += len(os.listdir(f"/proc/{pid}/task"))
            self.peak = max(self.peak, total)
            await asyncio.sleep(0.05)


def prepare(server: LiveServer, workdir: Path) -> bool:
    """The IOM workshop; while its quiz questions cannot be imported (no
    quizzes app yet), the same run of show with those steps as content.
    True when the quiz questions are there."""
    try:
        server.prepare(str(PACK))
        return True
    except RuntimeError as error:
        if "question" not in str(error):
            raise
    import yaml

    pack = yaml.safe_load(PACK.read_text())
    pack.pop("questions", None)
    for step in pack["template"]["steps"]:
        if step.pop("question", None) is not None:
            step["kind"] = "content"
    derived = workdir / "iom-content-only.yaml"
    derived.write_text(yaml.safe_dump(pack, allow_unicode=True))
    server.manage("import_pack", str(derived), "--replace")
    server.manage(
        "createsuperuser", "--noinput", "--username", FACILITATOR[0], "--email", "f@example.org"
    )
    return False


async def _drain(socket) -> None:
    try:
        async for _ in socket:
            pass
    except Exception:  # noqa: BLE001, S110
        pass


TOTAL_RE = re.compile(r'data-testid="answer-total">(\d+)<')
COUNT_RE = re.compile(r'data-testid="count-(\d+)">(\d+)<')
# A ranking's row: its average place as the projector prints it ("2.3").
MEAN_RE = re.compile(r'data-testid="mean-(\d+)">([^<]+)<')
ACK_ID_RE = re.compile(r'"id": "([^"]*)"')


async def _record_tallies(socket, tallies: list) -> None:
    """The projector: every quiz-results push, stamped on arrival."""
    try:
        async for message in socket:
            now = time.monotonic()
            if '"id": "quiz-results"' not in message:
                continue
            for region in json.loads(message).get("regions", []):
                if region["id"] != "quiz-results":
                    continue
                html = region["html"]
                total = TOTAL_RE.search(html)
                counts: dict = {k: int(v) for k, v in COUNT_RE.findall(html)}
                counts.update({f"mean-{k}": v for k, v in MEAN_RE.findall(html)})
                if total:
                    tallies.append((now, int(total.group(1)), counts))
    except Exception:  # noqa: BLE001
        pass


async def answer_phase(args, workers, facilitator, public_id: str, tallies: list, n: int):
    """Go to a single-choice question, open it, and let every phone answer."""
    control_page = await facilitator.get(f"/facilitate/{public_id}/")
    question_steps = re.findall(
        r'agenda-item kind-question[^"]*">\s*<form[^>]*>.*?name="to" value="(\d+)"',
        control_page.text,
        re.S,
    )
    run_id = choices = None
    for step_id in question_steps[:6]:

        async def go_there(step_id=step_id) -> None:
            await clients.go(facilitator, public_id, step_id)

        await broadcast_round(workers, go_there, args.timeout)
        await asyncio.sleep(args.pause)

        async def open_it() -> None:
            response = await facilitator.post_form(f"/facilitate/{public_id}/quiz", {"do": "open"})
            if response.status not in (200, 302):
                raise RuntimeError(f"opening the question: HTTP {response.status}")

        _lat, _missing, _steps, sample = await broadcast_round(
            workers, open_it, args.timeout, want_sample=True
        )
        if sample and 'data-kind=\\"single\\"' in sample:
            run_id = int(re.search(r'data-run=\\"(\d+)\\"', sample).group(1))
            choices = [int(c) for c in re.findall(r'name=\\"value\\" value=\\"(\d+)\\"', sample)]
            break
    if not run_id or not choices:
        print("answers: not measured (no single-choice question could be opened)")
        return None
    # Live results on the projector, so that its bars can be checked choice by choice.
    await facilitator.post_form(f"/facilitate/{public_id}/quiz", {"do": "show-results"})
    await asyncio.sleep(1.0)
    tallies.clear()
    # Phone i answers choice i mod k at a random moment within the spread.
    rng = random.Random(7)
    expected: dict[str, int] = {}
    plans = []
    for worker_index in range(len(workers)):
        messages = []
        for local, global_id in enumerate(range(worker_index, n, len(workers))):
            choice = choices[global_id % len(choices)]
            message = {
                "type": "answer",
                "id": f"bench-{global_id}-{uuid.uuid4().hex[:12]}",
                "run": run_id,
                "value": [choice],
            }
            messages.append((local, rng.uniform(0, args.answer_spread), message))
        plans.append(messages)
    started = time.monotonic()
    for worker, messages in zip(workers, plans, strict=True):
        await worker.send("answer", messages=messages, spread=args.answer_spread, timeout=30)
    replies = [await worker.receive() for worker in workers]
    results = [r for reply in replies for r in reply["results"]]
    acked_ok = [r for r in results if r["acked"] is not None and r["ok"]]
    ack_ms = [(r["acked"] - r["sent"]) * 1000 for r in acked_ok]
    for messages, reply in zip(plans, replies, strict=True):
        for (_local, _delay, message), result in zip(messages, reply["results"], strict=False):
            if result["ok"]:
                key = str(message["value"][0])
                expected[key] = expected.get(key, 0) + 1
    failed = [r["reply"] for r in results if not r["ok"]]
    last_ack = max((r["acked"] for r in acked_ok), default=started)
    # The projector must show exactly what was acknowledged.
    deadline = time.monotonic() + 10
    final_at = None
    while time.monotonic() < deadline and final_at is None:
        for at, total, counts in tallies:
            shown_counts = {k: v for k, v in counts.items() if v}
            exact = shown_counts == {k: v for k, v in expected.items() if v} or (
                not counts and not args.per_choice
            )
            if total == len(acked_ok) and exact:
                final_at = at
                break
        else:
            await asyncio.sleep(0.05)
    shown = tallies[-1][1] if tallies else 0
    # Resends of acknowledged answers (a phone that reconnects resends its outbox).
    resend_plans = []
    for messages in plans:
        resend_plans.append([(local, 0.0, m) for (local, _d, m) in messages[::10]])
    for worker, messages in zip(workers, resend_plans, strict=True):
        await worker.send("answer", messages=messages, spread=0, timeout=30)
    resent = [r for w in workers for r in (await w.receive())["results"]]
    await asyncio.sleep(1.0)
    shown_after = tallies[-1][1] if tallies else shown
    # lost: acknowledged but missing from the tally; dup: more stored than phones answered.
    lost = max(0, len(acked_ok) - shown_after)
    dup = max(0, shown_after - n)
    answer_window = (last_ack - started) * 1000
    print(f"answers: {len(acked_ok)}/{n} acknowledged within {answer_window:.0f} ms of the first")
    print(describe("answer sent -> ack", ack_ms))
    if failed:
        print(f"  not acknowledged within 30 s or refused: {len(failed)}, e.g. {failed[:2]}")
    tally_final = "never" if final_at is None else f"{max(0.0, (final_at - last_ack) * 1000):.0f}"
    print(
        f"  projector: exact final tally {tally_final} ms after the last ack "
        f"({len(tallies)} tally pushes); resends of {len(resent)} acked answers: "
        f"{sum(1 for r in resent if r['ok'])} acked, total shown {shown} -> {shown_after}"
    )
    return {
        "ack_p95": percentile(ack_ms, 95),
        "tally_final": tally_final,
        "lost": lost,
        "dup": dup,
    }


RANKING_QUESTION = "acceleration-actions-urgency"


def _step_of_question(control_page: str, key: str) -> str | None:
    """The agenda's step id for the IOM step that asks question ``key``."""
    import yaml

    steps = yaml.safe_load(PACK.read_text())["template"]["steps"]
    title = next((s["title"]["en"] for s in steps if s.get("question") == key), None)
    pairs = re.findall(
        r'name="to" value="(\d+)"[^>]*>\s*<span class="agenda-number">\d+</span>\s*'
        r'<span class="agenda-title">([^<]*)</span>',
        control_page,
    )
    return next((step for step, shown in pairs if html_unescape(shown) == title), None)


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _room_means(orders: list[list[int]]) -> dict[str, str]:
    """The average place of each option as the projector prints it: rounded
    as quizzes/results.py rounds it, then to one decimal."""
    places: dict[int, list[int]] = {}
    for order in orders:
        for index, choice in enumerate(order):
            places.setdefault(choice, []).append(index + 1)
    return {f"mean-{choice}": f"{round(sum(p) / len(p), 1):.1f}" for choice, p in places.items()}


async def ranking_phase(args, workers, facilitator, public_id: str, tallies: list, n: int):
    """The IOM ranking of the six Acceleration Actions: every phone sends its
    own order within --ranking-spread seconds; the projector must then show
    the exact average place of every action for every acknowledged order."""
    control_page = await facilitator.get(f"/facilitate/{public_id}/")
    step_id = _step_of_question(control_page.text, RANKING_QUESTION)
    if step_id is None:
        print("ranking: not measured (the IOM pack has no ranking step)")
        return None

    async def go_there() -> None:
        await clients.go(facilitator, public_id, step_id)

    async def open_it() -> None:
        response = await facilitator.post_form(f"/facilitate/{public_id}/quiz", {"do": "open"})
        if response.status not in (200, 302):
            raise RuntimeError(f"opening the ranking: HTTP {response.status}")

    await broadcast_round(workers, go_there, args.timeout)
    await asyncio.sleep(args.pause)
    _lat, _missing, _steps, sample = await broadcast_round(
        workers, open_it, args.timeout, want_sample=True
    )
    if not sample or 'data-kind=\\"ranking\\"' not in sample:
        print("ranking: not measured (the ranking question did not open)")
        return None
    run_id = int(re.search(r'data-run=\\"(\d+)\\"', sample).group(1))
    choices = [int(c) for c in re.findall(r'data-choice=\\"(\d+)\\"', sample)]
    await asyncio.sleep(1.0)
    tallies.clear()
    rng = random.Random(11)
    plans = []
    for worker_index in range(len(workers)):
        messages = []
        for local, global_id in enumerate(range(worker_index, n, len(workers))):
            order = choices[:]
            rng.shuffle(order)
            message = {
                "type": "answer",
                "id": f"rank-{global_id}-{uuid.uuid4().hex[:12]}",
                "run": run_id,
                "value": order,
            }
            messages.append((local, rng.uniform(0, args.ranking_spread), message))
        plans.append(messages)
    started = time.monotonic()
    for worker, messages in zip(workers, plans, strict=True):
        await worker.send("answer", messages=messages, spread=args.ranking_spread, timeout=30)
    replies = [await worker.receive() for worker in workers]
    acked_orders = []
    ack_ms = []
    failed = []
    last_ack = started
    for messages, reply in zip(plans, replies, strict=True):
        # The worker gathers its results in the order the acks came: match by id.
        by_id = {m["id"]: m for (_l, _d, m) in messages}
        for result in reply["results"]:
            if result["acked"] is None or not result["ok"]:
                failed.append(result["reply"])
                continue
            ack_ms.append((result["acked"] - result["sent"]) * 1000)
            last_ack = max(last_ack, result["acked"])
            acked_id = ACK_ID_RE.search(result["reply"])
            message = by_id.get(acked_id.group(1)) if acked_id else None
            if message is not None:
                acked_orders.append(message["value"])
    expected = _room_means(acked_orders)
    deadline = time.monotonic() + 10
    final_at = None
    while time.monotonic() < deadline and final_at is None:
        for at, total, counts in tallies:
            means = {k: v for k, v in counts.items() if k.startswith("mean-")}
            if total == len(acked_orders) and means == expected:
                final_at = at
                break
        else:
            await asyncio.sleep(0.05)
    window = (last_ack - started) * 1000
    print(
        f"ranking: {len(acked_orders)}/{n} orders of {len(choices)} options acknowledged "
        f"within {window:.0f} ms of the first"
    )
    print(describe("order sent -> ack", ack_ms))
    if failed:
        print(f"  not acknowledged within 30 s or refused: {len(failed)}, e.g. {failed[:2]}")
    final = "never" if final_at is None else f"{max(0.0, (final_at - last_ack) * 1000):.0f}"
    print(
        f"  projector: exact average places {final} ms after the last ack ({len(tallies)} pushes)"
    )
    shown = tallies[-1][1] if tallies else 0
    return {
        "ack_p95": f"{percentile(ack_ms, 95):.0f}",
        "final": final,
        "lost": max(0, len(acked_orders) - shown),  # acknowledged, not on the projector
    }


COUNTDOWN_SECONDS = 3
CLOSES_AT_RE = re.compile(r'data-closes-at=\\"(\d+)\\"')


async def countdown_phase(args, workers, facilitator, public_id: str) -> str:
    """The answered question, opened again with a short timer: how long after
    its deadline the server's own close (live/deadlines.py) reaches each
    phone. Loopback: the phones' monotonic clock is this process's."""
    quiz = f"/facilitate/{public_id}/quiz"
    await facilitator.post_form(quiz, {"do": "close"})
    await asyncio.sleep(args.pause)

    async def open_with_timer() -> None:
        await facilitator.post_form(quiz, {"do": "open", "timer": str(COUNTDOWN_SECONDS)})

    _lat, _missing, _steps, sample = await broadcast_round(
        workers, open_with_timer, args.timeout, want_sample=True
    )
    match = CLOSES_AT_RE.search(sample or "")
    if match is None:
        print("countdown: not measured (the open question carried no deadline)")
        return "not_measured"
    deadline = int(match.group(1)) / 1000 - (time.time() - time.monotonic())
    await all_call(workers, "arm")
    replies = await all_call(
        workers, "wait", timeout=COUNTDOWN_SECONDS + args.timeout, want_sample=False
    )
    times = [t for reply in replies for t in reply["times"] if t is not None and t >= 0]
    after = [(t - deadline) * 1000 for t in times]
    missing = sum(1 for reply in replies for t in reply["times"] if t is None)
    print(f"countdown: a {COUNTDOWN_SECONDS} s timer, the server closes the question itself")
    print(describe("deadline -> closed stage on the phone", after))
    if missing:
        print(f"  phones that never saw it close: {missing}")
    return f"{percentile(after, 95):.0f}" if after else "never"


# The control view's total of the room's votes (its lists hold only the first questions).
QNA_VOTES_RE = re.compile(r'data-testid="qna-votes-total">[^<]*<strong>(\d+)</strong>')


def _approved_questions(server: LiveServer, code: str, count: int) -> list[int]:
    """``count`` shown questions, stored directly: the bench times the votes."""
    script = (
        "import json;"
        "from django.utils import timezone;"
        "from workshop.models import WorkshopSession;"
        "from qna.models import Question;"
        f"s = WorkshopSession.objects.get(code={code!r});"
        "now = timezone.now();"
        "made = Question.objects.bulk_create([Question(session=s, text=f'Question {i}?', "
        f"state='shown', shown_at=now) for i in range({count})]);"
        "print(json.dumps(sorted(q.pk for q in Question.objects.filter(session=s))))"
    )
    return json.loads(server.manage("shell", "-c", script).strip().splitlines()[-1])


def _stored_votes(server: LiveServer, code: str) -> int:
    script = (
        "from qna.models import Vote;"
        f"print(Vote.objects.filter(question__session__code={code!r}).count())"
    )
    return int(server.manage("shell", "-c", script).strip().splitlines()[-1])


async def _record_vote_counts(socket, counts: list) -> None:
    """The control view: the room's total of votes in each Q&A push."""
    try:
        async for message in socket:
            now = time.monotonic()
            if '"id": "qna"' not in message:
                continue
            for region in json.loads(message).get("regions", []):
                if region["id"] == "qna":
                    found = QNA_VOTES_RE.search(region["html"])
                    if found:
                        counts.append((now, int(found.group(1))))
    except Exception:  # noqa: BLE001, S110
        pass


async def qa_phase(args, server, workers, facilitator, public_id: str, code: str, n: int) -> dict:
    """100 approved questions; every phone casts 5 upvotes within 10 s over its
    socket, then resends a tenth of them as an outbox would after a reconnect.
    Times each acknowledgement, and the time until the total of votes the
    control view is pushed (from the database, as the projector's counts)
    equals the acknowledged votes."""
    questions = _approved_questions(server, code, args.qa_questions)
    watcher = await facilitator.websocket(f"/ws/control/{public_id}/")
    await watcher.recv()
    counts: list[tuple[float, int]] = []
    reader = asyncio.create_task(_record_vote_counts(watcher, counts))
    rng = random.Random(13)
    plans = []
    for worker_index in range(len(workers)):
        messages = []
        for local, global_id in enumerate(range(worker_index, n, len(workers))):
            for k, qid in enumerate(rng.sample(questions, min(args.qa_votes, len(questions)))):
                message = {"type": "qna.vote", "id": f"v-{global_id}-{k}", "question": qid}
                messages.append((local, rng.uniform(0, args.qa_spread), message))
        plans.append(messages)
    started = time.monotonic()
    for worker, messages in zip(workers, plans, strict=True):
        await worker.send("answer", messages=messages, spread=args.qa_spread, timeout=30)
    results = [r for worker in workers for r in (await worker.receive())["results"]]
    acked = [r for r in results if r["ok"]]
    ack_ms = [(r["acked"] - r["sent"]) * 1000 for r in acked]
    last_ack = max((r["acked"] for r in acked), default=started)
    # An outbox resending acknowledged votes: they must not count twice.
    resends = []
    for worker, messages in zip(workers, plans, strict=True):
        again = [m for m in messages[::10]]
        resends.append(len(again))
        await worker.send(
            "answer", messages=[(i, 0, m) for i, _d, m in again], spread=0, timeout=30
        )
    replies = [await worker.receive() for worker in workers]
    resent_ok = sum(r["ok"] for reply in replies for r in reply["results"])
    deadline = time.monotonic() + 10
    final_at = None
    while time.monotonic() < deadline:
        done = next((at for at, total in counts if total == len(acked) and at >= last_ack), None)
        if done is not None:
            final_at = done
            break
        await asyncio.sleep(0.1)
    reader.cancel()
    await watcher.close()
    stored = _stored_votes(server, code)
    votes_final = f"{(final_at - last_ack) * 1000:.0f}" if final_at else "not_reached"
    refused = [r["reply"] for r in results if not r["ok"]]
    if refused:
        print(f"  votes not acknowledged: {len(refused)}, e.g. {refused[:3]}")
    print(
        f"votes: {len(acked)}/{len(results)} acknowledged on {len(questions)} questions, "
        f"{stored} stored; resends of {sum(resends)} acked votes: {resent_ok} acked again"
    )
    print(describe("vote sent -> ack", ack_ms))
    print(
        f"  control view's counts equal the acknowledged votes {votes_final} ms after the last "
        f"ack ({len(counts)} pushes)"
    )
    return {
        "vote_ack_p95": f"{percentile(ack_ms, 95):.0f}",
        "votes_final": votes_final,
        # lost: acknowledged but not stored; dup: stored more than were sent
        # (a vote not acknowledged in time may well be stored: it is neither).
        "lost": max(0, len(acked) - stored),
        "dup": max(0, stored - len(results)),
    }


UPLOAD_DECK = """
import sys, time
from pathlib import Path
from slides import services
from workshop.models import Step, WorkshopTemplate
template = WorkshopTemplate.objects.get(title_en={title!r})
summary = services.upload_deck(template, "en", Path({pdf!r}).read_bytes())
steps = template.ordered_steps().filter(kind=Step.Kind.SLIDE).values_list("id", flat=True)
print("render_s", summary.seconds)
print("steps", " ".join(map(str, steps)))
"""


def upload_deck(server: LiveServer, workdir: Path, pages: int) -> dict:
    """A deck of ``pages`` 16:9 pages, made by Chromium, uploaded to the IOM
    workshop as the admin does: its slide steps go after the last step.
    ``render_s`` is the upload's rendering, all three sizes, in the
    server's worker processes."""
    from tests.slides import pdfs

    pdf = workdir / "deck.pdf"
    pdf.write_bytes(pdfs.make_decks([("en", pages, "16:9")])[0])
    out = server.manage("shell", "-c", UPLOAD_DECK.format(title=TEMPLATE_TITLE, pdf=str(pdf)))
    lines = dict(line.split(" ", 1) for line in out.strip().splitlines() if " " in line)
    deck = {"render_s": float(lines["render_s"]), "steps": lines["steps"].split()}
    print(
        f"deck: {pages} pages rendered at 3 sizes in {deck['render_s']:.1f} s "
        f"({os.cpu_count()} cores)",
        flush=True,
    )
    return deck


async def slide_round(workers, trigger, timeout: float) -> tuple[list[float], int]:
    """One click: each phone's time until it has the new slide's image."""
    await all_call(workers, "settle", timeout=timeout)
    await all_call(workers, "arm")
    started = time.monotonic()
    await trigger()
    replies = await all_call(workers, "wait", timeout=timeout, want_sample=False)
    visible = [t for reply in replies for t in reply["visible"]]
    return [(t - started) * 1000 for t in visible if t is not None], visible.count(None)


async def slides_phase(args, workers, facilitator, public_id: str, deck: dict) -> dict:
    """Click through the deck twice: phones that fetch only what the push
    shows, then phones that fetch the next slide ahead (static/js/slides.js)."""
    clicks = max(1, min(args.slide_clicks, (len(deck["steps"]) - 2) // 2))
    steps = iter(deck["steps"])
    results: dict[bool, list[float]] = {}
    missing = 0
    for prefetch in (False, True):
        await all_call(workers, "slides", on=True, prefetch=prefetch)
        # Onto a slide, unmeasured: the phones load it (and fetch the next).
        first = next(steps)

        async def onto_the_deck(to=first) -> None:
            await clients.go(facilitator, public_id, to=to)

        await slide_round(workers, onto_the_deck, args.timeout)
        last_phone = []
        for _ in range(clicks):
            to = next(steps)

            async def click(to=to) -> None:
                await clients.go(facilitator, public_id, to=to)

            latencies, unseen = await slide_round(workers, click, args.timeout)
            missing += unseen
            if latencies:
                last_phone.append(max(latencies))
            await asyncio.sleep(args.pause)
        results[prefetch] = last_phone
        label = "on" if prefetch else "off"
        print(describe(f"slide loaded on the last phone, prefetch {label}", last_phone))
    stats = await all_call(workers, "stats")
    errors = sum(s["fetch_errors"] for s in stats)
    await all_call(workers, "slides", on=False, prefetch=True)
    print(f"  slides never loaded: {missing}; image fetch errors: {errors}")
    return {
        "visible_p95": f"{percentile(results[True], 95):.0f}" if results[True] else "none",
        "no_prefetch_p95": f"{percentile(results[False], 95):.0f}" if results[False] else "none",
        "lost": missing,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--participants", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=20, help="step changes to time")
    parser.add_argument("--scale-out", action="store_true", help="2 processes, PostgreSQL+Redis")
    parser.add_argument(
        "--clients", type=int, default=0, help="client processes (default: one per 250 phones)"
    )
    parser.add_argument(
        "--storm-seconds",
        type=float,
        default=10.0,
        help="every phone starts its join within this; 0: the gentle join, --concurrency at a time",
    )
    parser.add_argument(
        "--no-restart", dest="restart", action="store_false", help="skip the restart phase"
    )
    parser.add_argument("--concurrency", type=int, default=50, help="gentle join: phones at once")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds to wait per change")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between changes")
    parser.add_argument("--per-choice", action="store_true", default=True, help=argparse.SUPPRESS)
    parser.add_argument(
        "--answer-spread", type=float, default=4.0, help="every phone answers within this (s)"
    )
    parser.add_argument(
        "--ranking-spread", type=float, default=5.0, help="every phone ranks within this (s)"
    )
    parser.add_argument(
        "--no-ranking", dest="ranking", action="store_false", help="skip the ranking burst"
    )
    parser.add_argument(
        "--qa", action="store_true", help="also: every phone upvotes 5 of 100 approved questions"
    )
    parser.add_argument("--qa-questions", type=int, default=100, help=argparse.SUPPRESS)
    parser.add_argument("--qa-votes", type=int, default=5, help=argparse.SUPPRESS)
    parser.add_argument("--qa-spread", type=float, default=10.0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--slides", action="store_true", help="also: a 60-page deck rendered, then clicked through"
    )
    parser.add_argument("--slide-pages", type=int, default=60, help=argparse.SUPPRESS)
    parser.add_argument("--slide-clicks", type=int, default=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.steps = max(1, min(args.steps, 26))  # the IOM run of show has 28 steps
    # Enough client processes that the clients are not what limits the figures.
    args.clients = args.clients or max(1, -(-args.participants // 250))
    try:
        return asyncio.run(asyncio.wait_for(run(args), DEADLINE_SECONDS))
    except TimeoutError:
        print(f"bench: stopped after {DEADLINE_SECONDS} s", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
