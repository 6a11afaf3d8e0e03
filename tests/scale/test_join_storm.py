"""What keeps a join storm short: a whole room scanning the QR code at once.

The behaviour behind the benchmark's join and reconnect figures (bench/run.py
prints the figures; nothing here times): HTTP on threads the process owns,
sockets accepted before any database work, one render of a stage shared by
the phones of an audience, no snapshot for a page that is still current,
and a join page rendered once per language.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import threading

import pytest
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.conf import settings
from django.core import signals
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from live import hub as hub_module
from live.audiences import CONTROL, PARTICIPANT, SCREEN, Audience, regions_of
from live.hub import STEP_STATE_REGIONS
from live.regions import audience_for_participant
from workshop import nicknames, services, views
from workshop.asgi import application
from workshop.http_threads import OwnThreadsASGIHandler
from workshop.models import Participant

from ..live.test_consumers import HOST, ORIGIN, _cookie_header, _receive_region
from ..quizzes.test_consumers import _screen

# The regions every phone of an audience shares: one render for them all.
SHARED = STEP_STATE_REGIONS  # the stage

# --- HTTP on the process's own threads -----------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_http_requests_never_get_a_thread_each(session, monkeypatch):
    threads: list[threading.Thread] = []
    real = services.normalise_code

    def spy(raw: str) -> str:
        threads.append(threading.current_thread())
        return real(raw)

    monkeypatch.setattr(services, "normalise_code", spy)
    requests = [HttpCommunicator(application, "GET", f"/j/{session.code}") for _ in range(20)]
    responses = await asyncio.gather(*(r.get_response(timeout=30) for r in requests))
    # Let each request finish (its body file closed) before the test ends:
    # left to the garbage collector, the unclosed file warned in a later test.
    await asyncio.gather(*(r.wait(timeout=30) for r in requests))

    assert [r["status"] for r in responses] == [200] * 20
    database_thread = await database_sync_to_async(threading.current_thread)()
    if settings.HTTP_THREADS == 0:  # SQLite: the sockets' database thread, and only it
        assert set(threads) == {database_thread}
    else:  # PostgreSQL: a pool of its own, never more threads than it has
        assert len(set(threads)) <= settings.HTTP_THREADS
        assert all(t.name.startswith("http") for t in threads)


@pytest.mark.django_db(transaction=True)
async def test_a_socket_is_accepted_while_the_database_thread_is_busy(session, participant):
    """Channels' own dispatch waited for the database thread before the
    handshake: in a join storm phones missed daphne's 5 s limit."""
    release = threading.Event()
    busy = asyncio.ensure_future(database_sync_to_async(release.wait)(30))
    phone = WebsocketCommunicator(
        application,
        f"/ws/participant/{session.code}/",
        headers=[ORIGIN, HOST, _cookie_header(participant)],
    )
    try:
        connected, _ = await phone.connect(timeout=5)
        assert connected and not busy.done()
    finally:
        release.set()
    await busy
    snapshot = await phone.receive_json_from(timeout=10)
    assert snapshot["snapshot"] and snapshot["regions"]
    await phone.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_finished_request_leaves_no_garbage_for_the_full_collection(session, participant):
    """Django's middleware hangs objects on the request that point back at
    it, and its handler kept the request in a cycle through a task: every
    request of a join storm waited for a full garbage collection (which
    live/quiet_gc.py runs seldom), and memory grew with the storm."""

    def storm_requests() -> list[HttpCommunicator]:
        return [
            HttpCommunicator(application, "GET", f"/j/{session.code}"),
            HttpCommunicator(
                application, "GET", f"/p/{session.code}/", headers=[_cookie_header(participant)]
            ),
        ]

    # Rendered once, then kept (a template's context is a cycle of its own).
    for request in storm_requests():
        await request.get_response(timeout=30)
        await request.wait(timeout=30)
    requests = storm_requests()
    gc.collect()
    gc.disable()  # nothing collected behind the test's back
    try:
        for request in requests:
            assert (await request.get_response(timeout=30))["status"] == 200
            await request.wait(timeout=30)
        del requests
        gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection would free, kept to look at
        gc.collect()
        left = {type(o).__name__ for o in gc.garbage}
        # A template's context is a cycle of its own that may still name
        # the request: emptied, it holds nothing of it any more.
        requests_held = [vars(o) for o in gc.garbage if isinstance(o, ASGIRequest)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert not left & {"HttpResponse", "SessionStore", "FallbackStorage", "HtmxDetails"}
    assert all(held == {} for held in requests_held)


@pytest.mark.django_db(transaction=True)
async def test_a_request_makes_one_trip_to_its_thread(session, monkeypatch):
    # Django's handler made three (request_started, the response, its close),
    # each queued behind the sockets' database work on SQLite.
    trips: list[str] = []
    real = OwnThreadsASGIHandler._on_own_thread

    async def counted(self, function, *args):
        trips.append(function.__name__)
        return await real(self, function, *args)

    monkeypatch.setattr(OwnThreadsASGIHandler, "_on_own_thread", counted)
    finished = _count_signal(signals.request_finished)
    request = HttpCommunicator(application, "GET", f"/j/{session.code}")
    assert (await request.get_response(timeout=30))["status"] == 200
    await request.wait(timeout=30)
    assert trips == ["_respond"]
    assert len(finished) == 1  # the response was closed


@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF="tests.scale.streaming_urls")
async def test_a_streaming_response_is_read_then_closed():
    finished = _count_signal(signals.request_finished)
    request = HttpCommunicator(application, "GET", "/stream/")
    await request.send_input({"type": "http.request", "body": b""})
    assert (await request.receive_output(30))["status"] == 200
    body = b""
    while True:  # one message per part, then an empty last one
        message = await request.receive_output(30)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await request.wait(timeout=30)
    assert body == b"one,two,three"
    assert len(finished) == 1  # closed once its content was sent, not before


def _count_signal(signal) -> list[dict]:
    sent: list[dict] = []

    def receiver(**kwargs) -> None:
        sent.append(kwargs)

    signal.connect(receiver, weak=False, dispatch_uid="test-count")
    # Disconnected when the test ends, whatever happens.
    _disconnect_later.append(lambda: signal.disconnect(dispatch_uid="test-count"))
    return sent


_disconnect_later: list = []


@pytest.fixture(autouse=True)
def _disconnect_test_receivers():
    yield
    while _disconnect_later:
        _disconnect_later.pop()()


# --- one render of a stage for the phones of an audience ------------------------------


class FakeSocket:
    def __init__(self) -> None:
        self.texts: list[str] = []

    async def push_text(self, text: str) -> None:
        self.texts.append(text)


def _hub_hearing(session) -> hub_module.Hub:
    """A hub that serves a socket of the session, so it hears its changes."""
    hub = hub_module.Hub()
    hub.sockets[session.pk][Audience(SCREEN, session.pk)].add(FakeSocket())
    return hub


def _count_renders(monkeypatch) -> list[tuple[str, ...]]:
    rendered: list[tuple[str, ...]] = []
    real = hub_module.render_regions

    real_me = hub_module.render_me_with_slots

    def spy(session, audience, names=None, participant=None):
        rendered.append(tuple(names or ()))
        return real(session, audience, names, participant)

    def spy_me(session, audience, participant, csrf_token=None):
        rendered.append(("me",))
        return real_me(session, audience, participant, csrf_token)

    monkeypatch.setattr(hub_module, "render_regions", spy)
    monkeypatch.setattr(hub_module, "render_me_with_slots", spy_me)
    return rendered


def _regions_of(hub, participant) -> dict[str, str]:
    participant = Participant.objects.select_related("session__current_step").get(pk=participant.pk)
    regions = hub.participant_regions(
        participant.session, audience_for_participant(participant), participant
    )
    return {region["id"]: region["html"] for region in regions}


def _join(session, count: int) -> list[Participant]:
    return [services.join_session(session.code, nickname=f"p{n}") for n in range(count)]


@pytest.mark.django_db
def test_phones_of_one_audience_share_one_render_of_their_stage(session, facilitator, monkeypatch):
    services.move_by(session, 1, facilitator)
    phones = [p for p in _join(session, 6) if p.group_id == session.groups.first().pk]
    hub = _hub_hearing(session)
    rendered = _count_renders(monkeypatch)

    pages = [_regions_of(hub, phone) for phone in phones]

    # Their own region too, with each one's nickname put in.
    assert rendered.count(SHARED) == 1
    assert rendered.count(("me",)) == 1
    assert len({page["stage"] for page in pages}) == 1
    assert "Who is IOM?" in pages[0]["stage"]
    for phone, page in zip(phones, pages, strict=True):
        assert phone.nickname in page["me"]
        assert all(other.nickname not in page["me"] for other in phones if other != phone)


@pytest.mark.django_db
def test_phones_of_two_groups_share_the_stage_but_each_shows_its_group(session, facilitator):
    services.move_by(session, 1, facilitator)  # a content step: the same for every group
    first, second = session.groups.order_by("position")[:2]
    phones = _join(session, 2)
    assert {p.group_id for p in phones} == {first.pk, second.pk}
    hub = _hub_hearing(session)

    pages = {phone.group_id: _regions_of(hub, phone) for phone in phones}

    assert pages[first.pk]["stage"] == pages[second.pk]["stage"]
    assert first.name in pages[first.pk]["me"] and second.name not in pages[first.pk]["me"]
    assert second.name in pages[second.pk]["me"] and first.name not in pages[second.pk]["me"]


@pytest.mark.django_db(transaction=True)
async def test_a_change_for_participants_is_never_served_from_an_older_render(session, facilitator):
    phone = (await database_sync_to_async(_join)(session, 1))[0]
    hub = _hub_hearing(session)
    assert "Welcome" in (await database_sync_to_async(_regions_of)(hub, phone))["stage"]

    await database_sync_to_async(services.move_by)(session, 1, facilitator)
    hub.invalidate(session.pk, ["step"], None)  # what the channel layer brings

    assert "Who is IOM?" in (await database_sync_to_async(_regions_of)(hub, phone))["stage"]
    await hub.settle()  # its push to the projector reads the database


@pytest.mark.django_db(transaction=True)
async def test_changes_that_phones_do_not_see_keep_the_shared_render(session, monkeypatch):
    phone = (await database_sync_to_async(_join)(session, 1))[0]
    hub = _hub_hearing(session)
    rendered = _count_renders(monkeypatch)
    await database_sync_to_async(_regions_of)(hub, phone)
    hub.invalidate(session.pk, ["room", "presence"], None)  # joins and connections
    await database_sync_to_async(_regions_of)(hub, phone)
    assert rendered.count(SHARED) == 1
    await hub.settle()  # its pushes to the projector read the database


def test_a_render_begun_before_a_change_is_not_kept():
    shared = hub_module.SharedRenders()
    generation = shared.generation(7)
    shared.drop(7)  # a change arrives while the render runs
    shared.put(7, generation, "key", [{"id": "stage", "v": 1, "html": "old"}])
    assert shared.get(7, "key") is None


@pytest.mark.django_db
def test_a_hub_that_does_not_hear_the_session_shares_nothing(session, monkeypatch):
    phone = _join(session, 1)[0]
    hub = hub_module.Hub()  # no socket of the session: its changes may not reach this hub
    rendered = _count_renders(monkeypatch)
    _regions_of(hub, phone)
    _regions_of(hub, phone)
    assert rendered.count(SHARED) == 2
    assert hub.freshness(session.pk) == ""


# --- no snapshot for a page that is still current ---------------------------------------


async def _phone_snapshot(session, participant, fresh: str) -> tuple[WebsocketCommunicator, dict]:
    phone = WebsocketCommunicator(
        application,
        f"/ws/participant/{session.code}/?fresh={fresh}",
        headers=[ORIGIN, HOST, _cookie_header(participant)],
    )
    connected, _ = await phone.connect(timeout=10)
    assert connected
    return phone, await phone.receive_json_from(timeout=10)


@pytest.mark.django_db(transaction=True)
async def test_a_phone_whose_page_is_current_gets_an_empty_snapshot(session, participant):
    screen = await _screen(session)  # the hub now hears the session
    page = await database_sync_to_async(_participant_page)(participant)
    hub = await hub_module.get_hub()
    fresh = hub.freshness(session.pk)
    assert fresh and f'data-live-fresh="{fresh}"' in page

    phone, snapshot = await _phone_snapshot(session, participant, fresh)

    # Empty but for the server's clock, which the phone's countdowns follow.
    assert isinstance(snapshot.pop("now"), int)
    assert snapshot == {"t": "regions", "regions": [], "snapshot": True}
    await phone.disconnect()
    await screen.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_change_since_the_page_brings_the_whole_snapshot(session, participant, facilitator):
    screen = await _screen(session)
    hub = await hub_module.get_hub()
    fresh = hub.freshness(session.pk)
    await database_sync_to_async(services.move_by)(session, 1, facilitator)
    await _receive_region(screen, "stage")  # the hub has heard of the change

    phone, snapshot = await _phone_snapshot(session, participant, fresh)

    stage = {r["id"]: r["html"] for r in snapshot["regions"]}["stage"]
    assert "Who is IOM?" in stage
    await phone.disconnect()
    await screen.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_token_from_another_hub_brings_the_whole_snapshot(session, participant):
    screen = await _screen(session)
    hub = await hub_module.get_hub()
    stale = "another-process." + hub.freshness(session.pk).split(".")[1]
    phone, snapshot = await _phone_snapshot(session, participant, stale)
    assert {r["id"] for r in snapshot["regions"]} == set(regions_of(PARTICIPANT))
    await phone.disconnect()
    await screen.disconnect()


# --- the socket takes the participant its page read ----------------------------------


def _count_participant_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    real = services.phone_participant
    monkeypatch.setattr(services, "phone_participant", lambda *a: reads.append("read") or real(*a))
    return reads


@pytest.mark.django_db(transaction=True)
async def test_a_socket_takes_the_participant_its_page_just_read(
    session, participant, facilitator, monkeypatch
):
    screen = await _screen(session)  # the hub hears the session
    page = await database_sync_to_async(_participant_page)(participant)
    reads = _count_participant_reads(monkeypatch)

    phone, snapshot = await _phone_snapshot(session, participant, _fresh_of(page))

    assert reads == []  # no query, no trip to the database thread
    assert snapshot["regions"] == []
    # A socket of that participant like any other: the room's changes reach it.
    await database_sync_to_async(services.move_by)(session, 1, facilitator)
    assert "Who is IOM?" in (await _receive_region(phone, "stage"))["html"]
    await phone.disconnect()
    # Taken once: the next socket of the phone reads the participant itself.
    again, _snapshot = await _phone_snapshot(session, participant, _fresh_of(page))
    assert reads == ["read"]
    await again.disconnect()
    await screen.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_change_for_the_participant_since_its_page_is_read_again(
    session, participant, facilitator, monkeypatch
):
    screen = await _screen(session)
    page = await database_sync_to_async(_participant_page)(participant)
    hub = await hub_module.get_hub()
    token = _fresh_of(page)
    other = await session.groups.exclude(pk=participant.group_id).afirst()
    await database_sync_to_async(services.move_participant)(
        session, participant.pk, other.pk, facilitator
    )
    await _until(lambda: hub.freshness(session.pk) != token)  # the hub heard of it
    reads = _count_participant_reads(monkeypatch)

    phone, snapshot = await _phone_snapshot(session, participant, token)

    assert reads == ["read"]
    assert {r["id"] for r in snapshot["regions"]} == set(regions_of(PARTICIPANT))
    assert other.name in {r["id"]: r["html"] for r in snapshot["regions"]}["me"]
    await phone.disconnect()
    await screen.disconnect()


def _fresh_of(page: str) -> str:
    fresh = page.split('data-live-fresh="')[1].split('"')[0]
    assert fresh  # the hub could tell
    return fresh


async def _until(condition, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def test_a_handed_over_participant_is_given_once_while_its_token_holds(participant):
    handed = hub_module.HandedOver()
    code, public_id = participant.session.code, participant.public_id
    handed.put(code, participant, "hub.3")
    assert handed.session_of(code) == participant.session_id
    assert handed.take(code, public_id, lambda session_id: "hub.4") is None  # changed since
    handed.put(code, participant, "hub.3")
    assert handed.take(code, public_id, lambda session_id: "hub.3") is participant
    assert handed.take(code, public_id, lambda session_id: "hub.3") is None  # once


def test_a_handed_over_participant_is_forgotten_after_a_while(participant, monkeypatch):
    handed = hub_module.HandedOver()
    code = participant.session.code
    handed.put(code, participant, "")  # the hub could not tell: nothing kept
    assert handed.take(code, participant.public_id, lambda session_id: "") is None
    handed.put(code, participant, "hub.1")
    later = hub_module.time.monotonic() + handed.KEEP_SECONDS + 1
    monkeypatch.setattr(hub_module.time, "monotonic", lambda: later)
    assert handed.take(code, participant.public_id, lambda session_id: "hub.1") is None


def _participant_page(participant) -> str:
    client = Client()
    client.cookies.load(dict([_cookie_header(participant)[1].decode().split("=", 1)]))
    response = client.get(f"/p/{participant.session.code}/")
    assert response.status_code == 200
    return response.content.decode()


# --- one render of a phone's page for the phones of a view ------------------------------


def _phone_client(participant) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies.load(dict([_cookie_header(participant)[1].decode().split("=", 1)]))
    return client


def _page(client: Client, session) -> str:
    response = client.get(f"/p/{session.code}/")
    assert response.status_code == 200
    return response.content.decode()


def _count_page_renders(monkeypatch) -> list[str]:
    renders: list[str] = []
    real = views._render_phone_shell
    monkeypatch.setattr(views, "_render_phone_shell", lambda *a: renders.append("page") or real(*a))
    return renders


def _serving(monkeypatch, hub) -> None:
    monkeypatch.setattr(hub_module, "serving_hub", lambda: hub)


def _token_of(page: str) -> str:
    return page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]


@pytest.mark.django_db
def test_phones_of_one_view_share_one_render_of_their_page(session, facilitator, monkeypatch):
    services.move_by(session, 1, facilitator)
    group = session.groups.first()
    phones = [p for p in _join(session, 6) if p.group_id == group.pk]
    _serving(monkeypatch, _hub_hearing(session))
    renders = _count_page_renders(monkeypatch)
    clients = [_phone_client(phone) for phone in phones]

    pages = [_page(client, session) for client in clients]

    assert renders == ["page"]
    for phone, page in zip(phones, pages, strict=True):
        assert "Who is IOM?" in page
        me = 'class="me-name" dir="auto" data-ptext title="{0}">{0}<'
        shown = [p.nickname for p in phones if me.format(p.nickname) in page]
        assert shown == [phone.nickname]
        assert views._ME_SLOT not in page and views._TOKEN_SLOT not in page
    # Each page's forms work without JavaScript, with that phone's own token.
    for client, page in zip(clients, pages, strict=True):
        changed = client.post(
            f"/p/{session.code}/language",
            {"language": "fr", "csrfmiddlewaretoken": _token_of(page)},
        )
        assert changed.status_code == 302
    assert {p.language for p in Participant.objects.filter(group=group)} == {"fr"}


@pytest.mark.django_db
def test_a_change_for_participants_renders_the_page_again(session, facilitator, monkeypatch):
    phone = _join(session, 1)[0]
    hub = _hub_hearing(session)
    _serving(monkeypatch, hub)
    client = _phone_client(phone)
    assert "Welcome" in _page(client, session)

    services.move_by(session, 1, facilitator)
    hub.shared.drop(session.pk)  # what the hub does when it hears the change

    assert "Who is IOM?" in _page(client, session)


@pytest.mark.django_db
def test_a_message_for_one_phone_is_shown_to_it_alone(session, monkeypatch):
    first, second = _join(session, 2)
    session.group_mode = "choose"
    session.save(update_fields=["group_mode"])
    _serving(monkeypatch, _hub_hearing(session))
    first_client, second_client = _phone_client(first), _phone_client(second)
    token = _token_of(_page(first_client, session))

    refused = first_client.post(
        f"/p/{session.code}/group", {"group": "999999", "csrfmiddlewaretoken": token}
    )
    assert refused.status_code == 302

    assert "No such group" in _page(first_client, session)
    assert "No such group" not in _page(second_client, session)
    assert "No such group" not in _page(first_client, session)  # shown once


# --- pushes past the send limit ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_a_push_past_the_send_limit_is_logged_and_the_screen_reloads(
    session, settings, caplog
):
    settings.WEBSOCKET_MAX_SEND_BYTES = 1000  # a control stage push is several KiB
    hub = hub_module.Hub()
    control = FakeSocket()
    hub.sockets[session.pk][Audience(CONTROL, session.pk)].add(control)
    with caplog.at_level(logging.ERROR, logger="live.hub"):
        await hub._render_and_push(session.pk, "step")
    assert control.texts and set(control.texts) == {json.dumps({"t": "reload"})}
    assert any("passes the 1000-byte send limit" in r.getMessage() for r in caplog.records)


# --- the join page and the join --------------------------------------------------------


@pytest.mark.django_db
def test_the_join_page_is_rendered_once_and_each_phone_gets_its_own_token(session, monkeypatch):
    renders: list[str] = []
    real = views._render_join_page
    monkeypatch.setattr(views, "_render_join_page", lambda *a: renders.append("render") or real(*a))
    phones = [Client(enforce_csrf_checks=True) for _ in range(3)]
    pages = [phone.get(f"/j/{session.code}").content.decode() for phone in phones]

    assert len(renders) == 1
    tokens = [phone.cookies["csrftoken"].value for phone in phones]
    assert len(set(tokens)) == 3
    assert all(views._TOKEN_SLOT not in page for page in pages)
    for n, (phone, page) in enumerate(zip(phones, pages, strict=True)):
        token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        joined = phone.post(
            "/join/", {"code": session.code, "nickname": f"n{n}", "csrfmiddlewaretoken": token}
        )
        assert joined.status_code == 200  # the phone's page itself
    assert session.participants.count() == 3


@pytest.mark.django_db
def test_the_join_page_still_opens_while_the_cache_is_away(session, monkeypatch):
    def away(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(views.cache, "get", away)
    monkeypatch.setattr(views.cache, "set", away)
    response = Client().get(f"/j/{session.code}")
    assert response.status_code == 200
    assert views._TOKEN_SLOT not in response.content.decode()


@pytest.mark.django_db
def test_a_join_with_a_nickname_takes_a_few_statements_whatever_the_room_size(session):
    _join(session, 40)
    with CaptureQueriesContext(connection) as queries:
        services.join_session(session.code, nickname="Late")
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    # The session under its lock, the smallest group, the insert.
    assert len(statements) == 3, statements


@pytest.mark.django_db
def test_a_made_up_nickname_gets_a_number_when_the_random_ones_are_taken(session, monkeypatch):
    for name in ("Calm Crane", "Keen Otter", "Calm Crane 2"):
        services.join_session(session.code, nickname=name)
    monkeypatch.setattr(nicknames, "candidates", lambda: ["Calm Crane", "Keen Otter"])
    assert services.join_session(session.code).nickname == "Calm Crane 3"
    monkeypatch.setattr(nicknames, "candidates", lambda: ["Calm Crane", "Wise Swan"])
    assert services.join_session(session.code).nickname == "Wise Swan"


@pytest.mark.django_db
def test_a_taken_nickname_changes_nothing(session):
    services.join_session(session.code, nickname="Amina")
    with pytest.raises(services.DomainError) as error:
        services.join_session(session.code, nickname="Amina")
    assert error.value.code == "nickname_taken"
    assert session.participants.filter(nickname="Amina").count() == 1
