"""Who may do what: join-code guessing, facilitator-only actions over HTTP and
websocket, the websocket Origin check, CSRF, and the admin."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from live.actions import ACTIONS
from live.audiences import CONTROL, PARTICIPANT
from live.routing import websocket_urlpatterns
from workshop import services
from workshop.asgi import application
from workshop.middleware import SameOriginWebsocketValidator
from workshop.models import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, WorkshopSession

from ..conftest import participant_client
from ..live.test_consumers import HOST, ORIGIN, WS_TIMEOUT, _cookie_header
from ..live_server import free_port

# --- join codes ---------------------------------------------------------------------


def test_the_code_space_is_at_least_31_to_the_6th(figures):
    symbols = set(JOIN_CODE_ALPHABET)
    assert len(symbols) == len(JOIN_CODE_ALPHABET)  # no symbol counted twice
    assert not symbols & set("01OIL")  # no look-alikes to mistype
    space = len(symbols) ** JOIN_CODE_LENGTH
    figures("join_code_space", space)
    assert space >= 31**6


@pytest.mark.django_db
def test_generated_codes_use_the_whole_alphabet(template, facilitator):
    seen = set()
    for _ in range(60):
        code = services.generate_join_code()
        assert len(code) == JOIN_CODE_LENGTH and set(code) <= set(JOIN_CODE_ALPHABET)
        seen |= set(code)
    assert len(seen) >= 25  # random over the alphabet, not a counter


def test_the_default_limit_sits_above_a_venue_behind_one_address():
    assert django_settings.JOIN_RATE_LIMIT >= 300


@pytest.mark.django_db
def test_wrong_codes_are_limited_per_client_with_a_clear_message(session, settings, figures):
    settings.JOIN_RATE_LIMIT = 25
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    wrong = [c * JOIN_CODE_LENGTH for c in JOIN_CODE_ALPHABET if c * 6 != session.code][:25]
    statuses = [guesser.post(reverse("workshop:join"), {"code": c}).status_code for c in wrong]
    assert statuses == [404] * 25
    # The 26th try is refused, even with the right code: guessing stops here.
    refused = guesser.post(reverse("workshop:join"), {"code": session.code, "nickname": "X"})
    assert refused.status_code == 429
    assert "Too many wrong codes" in refused.content.decode()
    assert "Wait a few minutes" in refused.content.decode()
    # Someone else, elsewhere, is not affected.
    other = Client(REMOTE_ADDR="198.51.100.2")
    assert other.post(reverse("workshop:join"), {"code": session.code}).status_code == 200
    assert session.participants.count() == 1
    figures("join_wrong_codes_before_429", 25, "(JOIN_RATE_LIMIT in this test)")


@pytest.mark.django_db
def test_a_forwarded_for_header_is_not_believed_unless_from_a_trusted_proxy(session, settings):
    settings.JOIN_RATE_LIMIT = 3
    settings.TRUSTED_PROXIES = []
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    # A new made-up address on every try changes nothing: the connection counts.
    spoofed = [f"198.51.100.{n}" for n in range(10)]
    for address in spoofed:
        guesser.post(
            reverse("workshop:join"), {"code": "Z" * JOIN_CODE_LENGTH}, HTTP_X_FORWARDED_FOR=address
        )
    refused = guesser.post(
        reverse("workshop:join"), {"code": session.code}, HTTP_X_FORWARDED_FOR="192.0.2.1"
    )
    assert refused.status_code == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_is_counted_apart(session, settings):
    settings.JOIN_RATE_LIMIT = 3
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    proxy = Client(REMOTE_ADDR="10.0.0.5")
    for _ in range(3):
        proxy.post(
            reverse("workshop:join"),
            {"code": "Z" * JOIN_CODE_LENGTH},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    refused = proxy.post(
        reverse("workshop:join"), {"code": session.code}, HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert refused.status_code == 429
    # Another phone behind the same proxy is not held back by the first.
    other = Client(REMOTE_ADDR="10.0.0.5").post(
        reverse("workshop:join"), {"code": session.code}, HTTP_X_FORWARDED_FOR="203.0.113.8"
    )
    assert other.status_code == 200
    # A client cannot hide behind an address it puts in front of its own.
    chained = Client(REMOTE_ADDR="10.0.0.5").post(
        reverse("workshop:join"),
        {"code": session.code},
        HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7",
    )
    assert chained.status_code == 429


@pytest.mark.django_db
def test_joining_still_works_while_the_cache_is_away(session, settings):
    """On the scale-out set-up the counts live in Redis. With Redis away a
    wrong code is still told as wrong and a right one joins: the limit is not
    enforced meanwhile, rather than keeping the whole room out."""
    nothing_listens = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": nothing_listens,
        }
    }
    phone = Client()
    wrong = next(c * JOIN_CODE_LENGTH for c in JOIN_CODE_ALPHABET if c * 6 != session.code)
    assert phone.post(reverse("workshop:join"), {"code": wrong}).status_code == 404
    joined = phone.post(reverse("workshop:join"), {"code": session.code, "nickname": "Amina"})
    assert joined.status_code == 200  # the phone's page itself
    assert session.participants.get().nickname == "Amina"


@pytest.mark.django_db
def test_right_codes_do_not_count_towards_the_limit(session, settings):
    settings.JOIN_RATE_LIMIT = 3
    for n in range(6):
        response = Client().post(
            reverse("workshop:join"), {"code": session.code, "nickname": f"P{n}"}
        )
        assert response.status_code == 200
    assert session.participants.count() == 6


@pytest.mark.django_db(transaction=True)
async def test_the_socket_does_not_tell_which_codes_exist(session):
    """Without a cookie, a real code and a made-up one are refused alike: no
    way around the join form's rate limit."""
    answers = []
    for code in (session.code, "ZZZZZZ"):
        communicator = WebsocketCommunicator(
            application, f"/ws/participant/{code}/", headers=[ORIGIN, HOST]
        )
        connected, _ = await communicator.connect(timeout=WS_TIMEOUT)
        assert connected
        answers.append(
            (
                await communicator.receive_json_from(timeout=WS_TIMEOUT),
                await communicator.receive_output(),
            )
        )
    assert answers[0] == answers[1]


# --- facilitator-only actions over HTTP ----------------------------------------------


def _facilitator_patterns() -> list[tuple[str, URLPattern]]:
    """Every URL of our apps under facilitate/<public_id>/, by name."""
    found = []

    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLPattern):
                route = str(entry.pattern)
                if entry.name and route.startswith("facilitate/<uuid:public_id>"):
                    found.append((f"{namespace}:{entry.name}", entry))
            else:
                walk(entry.url_patterns, entry.namespace or namespace)

    walk(get_resolver().url_patterns)
    return sorted(found, key=lambda item: item[0])


def _facilitator_urls() -> list[str]:
    return [name for name, _pattern in _facilitator_patterns()]


FACILITATOR_URLS = _facilitator_urls()
POST_DATA = {
    "workshop:step_go": {"to": "next"},
    "workshop:joining_lock": {"locked": "1"},
    "workshop:join_display": {"display": "big"},
    "workshop:groups_configure": {"groups": "5", "mode": "choose"},
    "workshop:languages_set": {"screen": "fr", "control": "fr"},
    "sdgmap:start": {"allocation": "all", "minutes": "5"},
    "sdgmap:spotlight": {"sdg": "10"},
    "sdgmap:hide": {"hidden": "1"},
    "qna:moderate": {"do": "approve"},
}


def _state(session: WorkshopSession) -> dict:
    from qna.models import QnaSettings, Question, Vote
    from sdgmap.models import ExerciseRun, GroupCard

    return {
        "session": WorkshopSession.objects.values().get(pk=session.pk),
        "groups": list(session.groups.values_list("id", "name", "position")),
        "members": list(session.participants.values_list("id", "group_id", "language")),
        "sdg runs": list(ExerciseRun.objects.filter(session=session).values()),
        "sdg cards": list(GroupCard.objects.filter(run__session=session).values()),
        "questions": list(Question.objects.filter(session=session).values()),
        "votes": list(Vote.objects.filter(question__session=session).values()),
        "qna settings": list(QnaSettings.objects.filter(session=session).values()),
    }


@pytest.fixture
def outsiders(participant, other_facilitator, plain_user):
    staff_elsewhere = Client()
    staff_elsewhere.force_login(other_facilitator)
    not_staff = Client()
    not_staff.force_login(plain_user)
    return {
        "participant": participant_client(participant),
        "anonymous": Client(),
        "another facilitator": staff_elsewhere,
        "signed-in non-staff": not_staff,
    }


def test_every_facilitator_url_is_covered():
    assert len(FACILITATOR_URLS) >= 8, FACILITATOR_URLS
    assert "workshop:control" in FACILITATOR_URLS
    assert "qna:moderate" in FACILITATOR_URLS
    assert "qna.moderate" in CONTROL_ONLY


@pytest.fixture
def on_exercise(session, template, facilitator, participant):
    """An open SDG exercise with a card, so that there is state to protect."""
    from sdgmap import services as sdg
    from tests.factories import StepFactory
    from workshop.models import Step

    step = StepFactory(template=template, position=9, kind=Step.Kind.EXERCISE, title="Map")
    services.go_to_step(session, step.pk, facilitator)
    sdg.start_exercise(session, facilitator, allocation="all", minutes=10)
    result = sdg.edit_card(participant, sdg=10, field="reasoning", value="Because", client_id="c")
    from qna import services as qna

    # A question waiting for approval: the Q&A actions have something to change.
    qna.ask_question(participant, "Waiting?")
    return result


@pytest.mark.django_db
@pytest.mark.parametrize("name", FACILITATOR_URLS)
def test_outsiders_get_nothing_from_a_facilitator_url(
    session, participant, outsiders, on_exercise, name
):
    from sdgmap.models import GroupCard

    other = session.groups.exclude(pk=participant.group_id).first()
    card = GroupCard.objects.get(run__session=session)
    question = session.room_questions.get()
    data = {
        "question": question.pk,
        **POST_DATA.get(name, {}),
        "participant": participant.pk,
        "group": other.pk,
        "card": card.pk,
    }
    before = _state(session)
    for url in _urls(name, session):
        for who, client in outsiders.items():
            for method in ("get", "post"):
                for htmx in ({}, {"HTTP_HX_REQUEST": "true"}):
                    response = getattr(client, method)(url, data, **htmx)
                    assert response.status_code in (302, 403, 404, 405), (who, method, url)
                    if response.status_code == 302:
                        assert response["Location"].startswith("/admin/login/"), (who, url)
                    body = response.content.decode()
                    assert session.code not in body and "Amina" not in body, (who, url)
    assert _state(session) == before


def _urls(name: str, session) -> list[str]:
    """The URL with every value its other arguments take (each export, say)."""
    from reports.registry import exports

    pattern = next(p for n, p in _facilitator_patterns() if n == name)
    fill = {"public_id": [session.public_id], "key": [e.key for e in exports()], "sdg": [1]}
    combos: list[dict] = [{}]
    for key in sorted(pattern.pattern.converters):
        combos = [{**c, key: v} for c in combos for v in fill[key]]
    return [reverse(name, kwargs=c) for c in combos]


@pytest.mark.django_db
def test_a_co_facilitator_may_act_so_the_refusals_above_mean_something(session, co_facilitator):
    session.co_facilitators.add(co_facilitator)
    client = Client()
    client.force_login(co_facilitator)
    url = reverse("workshop:step_go", kwargs={"public_id": session.public_id})
    assert client.post(url, {"to": "next"}, HTTP_HX_REQUEST="true").status_code == 200
    session.refresh_from_db()
    assert session.current_step.title == "Who is IOM?"


@pytest.mark.django_db
def test_another_facilitators_dashboard_does_not_list_the_session(session, outsiders):
    response = outsiders["another facilitator"].get(reverse("workshop:dashboard"))
    assert response.status_code == 200
    assert session.code not in response.content.decode()


# --- facilitator-only actions over the websocket ---------------------------------------

CONTROL_ONLY = sorted(
    n for n, a in ACTIONS.items() if CONTROL in a.roles and PARTICIPANT not in a.roles
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", CONTROL_ONLY)
async def test_control_actions_are_refused_on_other_sockets(session, participant, action):
    before = await database_sync_to_async(_state)(session)
    for path, headers in (
        (f"/ws/participant/{session.code}/", [_cookie_header(participant)]),
        (f"/ws/screen/{session.public_id}/", []),
    ):
        communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, HOST, *headers])
        assert (await communicator.connect(timeout=WS_TIMEOUT))[0]
        await communicator.receive_json_from(timeout=WS_TIMEOUT)
        for to in ("next", "previous", 1):
            await communicator.send_to(text_data=json.dumps({"type": action, "to": to, "id": "x"}))
            reply = await communicator.receive_json_from(timeout=WS_TIMEOUT)
            assert (reply["ok"], reply["code"]) == (False, "not_allowed"), (path, reply)
        await communicator.disconnect()
    assert await database_sync_to_async(_state)(session) == before


@pytest.mark.django_db(transaction=True)
async def test_only_the_sessions_facilitators_open_its_control_socket(
    session, participant, other_facilitator, plain_user, facilitator
):
    refused = 0
    for user, headers in (
        (AnonymousUser(), []),
        (AnonymousUser(), [_cookie_header(participant)]),
        (other_facilitator, []),
        (plain_user, []),
    ):
        communicator = WebsocketCommunicator(
            application, f"/ws/control/{session.public_id}/", headers=[ORIGIN, HOST, *headers]
        )
        communicator.scope["user"] = user
        assert (await communicator.connect(timeout=WS_TIMEOUT))[0]
        message = await communicator.receive_json_from(timeout=WS_TIMEOUT)
        assert message["t"] == "refused" and "regions" not in message
        assert await communicator.receive_output() == {"type": "websocket.close", "code": 4403}
        refused += 1
    assert refused == 4
    communicator = WebsocketCommunicator(
        application, f"/ws/control/{session.public_id}/", headers=[ORIGIN, HOST]
    )
    communicator.scope["user"] = facilitator
    assert (await communicator.connect(timeout=WS_TIMEOUT))[0]
    assert (await communicator.receive_json_from(timeout=WS_TIMEOUT))["t"] == "regions"
    await communicator.disconnect()


# --- websocket Origin ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "headers",
    [
        [HOST],
        [(b"origin", b"http://evil.example"), HOST],
        [(b"origin", b"null"), HOST],
        [(b"origin", b"http://testserver:8001"), HOST],
        [(b"origin", b"http://testserver.evil.example"), HOST],
        [ORIGIN],
    ],
    ids=["missing-origin", "foreign", "null", "other-port", "suffix", "missing-host"],
)
async def test_a_foreign_or_missing_origin_is_refused(session, participant, headers):
    for path, extra in (
        (f"/ws/participant/{session.code}/", [_cookie_header(participant)]),
        (f"/ws/screen/{session.public_id}/", []),
    ):
        communicator = WebsocketCommunicator(application, path, headers=[*headers, *extra])
        connected, _ = await communicator.connect(timeout=WS_TIMEOUT)
        assert not connected


@pytest.mark.django_db(transaction=True)
async def test_with_listed_hosts_the_origin_must_be_one_of_them(session, settings):
    settings.ALLOWED_HOSTS = ["workshop.example.org"]
    # The validator reads ALLOWED_HOSTS when the stack is built, as asgi.py does at start.
    application = SameOriginWebsocketValidator(
        AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns))
    )
    same_but_unlisted = [(b"origin", b"http://testserver"), HOST]
    communicator = WebsocketCommunicator(
        application, f"/ws/screen/{session.public_id}/", headers=same_but_unlisted
    )
    assert not (await communicator.connect(timeout=WS_TIMEOUT))[0]
    listed = [(b"origin", b"https://workshop.example.org"), (b"host", b"workshop.example.org")]
    communicator = WebsocketCommunicator(
        application, f"/ws/screen/{session.public_id}/", headers=listed
    )
    assert (await communicator.connect(timeout=WS_TIMEOUT))[0]
    await communicator.disconnect()


# --- CSRF -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_htmx_post_without_the_csrf_token_is_refused(session, facilitator, participant):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(facilitator)
    before = _state(session)
    for name in FACILITATOR_URLS:
        for url in _urls(name, session):
            response = strict.post(url, POST_DATA.get(name, {}), HTTP_HX_REQUEST="true")
            assert response.status_code in (403, 405), url
    phone = participant_client(participant)
    phone.handler.enforce_csrf_checks = True
    for name, data in (("participant_language", {"language": "fr"}), ("participant_group", {})):
        url = reverse(f"workshop:{name}", kwargs={"code": session.code})
        assert phone.post(url, data, HTTP_HX_REQUEST="true").status_code == 403
    join = Client(enforce_csrf_checks=True).post(reverse("workshop:join"), {"code": session.code})
    assert join.status_code == 403
    assert _state(session) == before
    # With the token, the same htmx POST goes through: the 403s were CSRF.
    page = strict.get(reverse("workshop:control", kwargs={"public_id": session.public_id}))
    token = page.context["csrf_token"]
    url = reverse("workshop:step_go", kwargs={"public_id": session.public_id})
    ok = strict.post(url, {"to": "next"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=str(token))
    assert ok.status_code == 200


# --- the admin -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_sits_behind_a_staff_login(outsiders, facilitator_client):
    for who, client in outsiders.items():
        for url in ("/admin/", "/admin/workshop/workshopsession/", "/admin/auth/user/"):
            response = client.get(url)
            if who == "another facilitator":
                # Staff, so signed in to the admin; with no permission, no data.
                assert response.status_code == (200 if url == "/admin/" else 403), url
                continue
            assert response.status_code == 302, (who, url)
            assert response["Location"].startswith("/admin/login/"), (who, url)
    assert facilitator_client.get("/admin/").status_code == 200
