"""The same fuzzing, the size limit and the Origin check against a real daphne
process started as `make run` starts it (--websocket-max-message-size 65536)."""

from __future__ import annotations

import json
import urllib.request
from contextlib import ExitStack

import pytest
from hypothesis import HealthCheck, given, settings
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from ..live_tools import make_session
from .test_ws_fuzz import frames

LIVE_EXAMPLES = 200


def _open(url: str, *, origin: str | None, cookie: str = ""):
    return connect(
        url,
        origin=origin,
        additional_headers={"Cookie": cookie} if cookie else {},
        max_size=None,
        open_timeout=5,
        close_timeout=2,
    )


def _first_message(ws) -> dict:
    return json.loads(ws.recv(timeout=5))


@pytest.fixture(scope="module")
def live_session(live_server_proc):
    return make_session(live_server_proc, participants=2, mode="choose", prefix="Fuzz ")


def test_a_real_server_survives_fuzzed_frames(live_server_proc, live_session, figures):
    server, session = live_server_proc, live_session
    log_before = server.log.read_text(errors="replace")
    cookie = session.participants[0]["cookie"]
    state = {"ws": None, "sent": 0, "closed": 0, "n": 0}
    sockets = ExitStack()

    def socket():
        if state["ws"] is None:
            state["ws"] = sockets.enter_context(
                _open(session.participant_url(), origin=session.origin, cookie=cookie)
            )
            assert _first_message(state["ws"])["t"] == "regions"
        return state["ws"]

    @settings(
        max_examples=LIVE_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(frame=frames)
    def fuzz(frame):
        ws = socket()
        state["sent"] += 1
        state["n"] += 1
        sentinel = f"s{state['n']}"
        try:
            ws.send(frame)
            ws.send(json.dumps({"type": "ping", "id": sentinel}))
            while True:
                message = json.loads(ws.recv(timeout=5))
                assert message.get("code") != "server_error", message
                if message.get("t") == "ack" and message.get("id") == sentinel:
                    return
        except ConnectionClosed:
            state["closed"] += 1
            state["ws"] = None

    with sockets:
        fuzz()

    # Still serving: a page and a fresh socket.
    with urllib.request.urlopen(server.url + "/", timeout=5) as response:  # noqa: S310
        assert response.status == 200
    with _open(session.participant_url(), origin=session.origin, cookie=cookie) as ws:
        assert _first_message(ws)["t"] == "regions"
    new_log = server.log.read_text(errors="replace")[len(log_before) :]
    tracebacks = new_log.count("Traceback")
    figures("ws_fuzz_live_daphne_frames_sent", state["sent"])
    figures("ws_fuzz_live_daphne_tracebacks", tracebacks)
    assert state["sent"] >= LIVE_EXAMPLES
    assert state["closed"] == 0
    assert tracebacks == 0, new_log[-3000:]


def test_a_real_server_refuses_frames_over_64_kib(live_session, figures):
    session = live_session
    cookie = session.participants[1]["cookie"]
    with _open(session.participant_url(), origin=session.origin, cookie=cookie) as ws:
        _first_message(ws)
        ws.send('{"type": "ping", "pad": "' + "x" * 70_000 + '"}')
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                message = json.loads(ws.recv(timeout=5))
                assert message.get("t") != "ack", "an oversized frame was answered"
        # daphne passes frames up to 1 MiB (its limit also caps what it sends);
        # the consumer refuses anything over 64 KiB with 4009 (not 1009, which
        # autobahn does not let an application send: it raised, the client saw 1011).
        code = closed.value.rcvd.code if closed.value.rcvd else 1006
    figures("ws_live_oversized_close_code", code)
    assert code == 4009
    with _open(session.participant_url(), origin=session.origin, cookie=cookie) as ws:
        assert _first_message(ws)["t"] == "regions"  # the server still serves


@pytest.mark.parametrize(
    "origin",
    [None, "http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1"],
    ids=["missing", "foreign", "null", "other-port", "other-scheme-no-port"],
)
def test_a_real_server_refuses_a_foreign_or_missing_origin(live_session, origin):
    session = live_session
    for url in (session.participant_url(), session.screen_url()):
        with (
            pytest.raises(InvalidStatus) as refused,
            _open(url, origin=origin, cookie=session.participants[0]["cookie"]),
        ):
            pass
        assert refused.value.response.status_code == 403
    with _open(session.screen_url(), origin=session.origin) as ws:
        assert _first_message(ws)["t"] == "regions"
