"""Personas and shared fixtures.

The personas: a facilitator who owns the session, a co-facilitator, a
participant, and outsiders who must be refused (another facilitator, a
signed-in non-staff user, an anonymous visitor).
"""

from __future__ import annotations

import time
import uuid

import pytest
from channels.layers import channel_layers
from django.conf import settings
from django.test import Client

from live import hub
from workshop import identity, services
from workshop.models import Step

from .factories import FacilitatorFactory, StepFactory, TemplateFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_realtime_state():
    """Every test gets a fresh channel layer and hub: their queues belong to
    the event loop of the test that made them. On Redis each test also gets
    its own key prefix, removed afterwards, so no test sees another's messages."""

    hub.forget_hubs()
    channel_layers.backends = {}
    config = settings.CHANNEL_LAYERS["default"].get("CONFIG")
    prefix = None
    if settings.REDIS_URL and config is not None:
        prefix = f"{settings.REDIS_PREFIX}-test-{uuid.uuid4().hex[:12]}:"
        config["prefix"] = prefix
    yield
    hub.forget_hubs()
    channel_layers.backends = {}
    if prefix is not None:
        config["prefix"] = settings.REDIS_PREFIX
        delete_redis_keys(prefix)


@pytest.fixture(autouse=True)
def _english_until_asked():
    """Every test starts in English. The test client runs views in this
    thread, and LocaleMiddleware leaves the last request's language active:
    a French request would otherwise name the next test's groups."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache; no test inherits another's."""
    from django.core.cache import cache

    if settings.REDIS_URL:
        # clear() would FLUSHDB the Redis that live servers share: only our keys.
        delete_redis_keys(settings.CACHES["default"]["KEY_PREFIX"] + ":")
    else:
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _forget_process_memos():
    """What a process keeps for a few seconds to spare queries (the next
    slide of a step, the last climb in a Q&A top) is keyed by ids that the
    next test's rows may have again. Changes on their way out to the layer
    belong to the last test's event loop: one left gathering would hold back
    every later change like it (and changes.all_sent would wait for it)."""
    from live import changes
    from qna import services as qna_services
    from slides import live_setup as slides_live

    slides_live._next_slide_kept.clear()
    qna_services._climb_covered_until.clear()
    changes._gathering.clear()
    changes._sending.clear()
    yield


def delete_redis_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """PostgreSQL: no persistent connections in tests, so the threads that
    ran database_sync_to_async leave none open when the test database is dropped."""

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


# Read before pytest-django switches the settings to the test database.
_DATABASE_NAME_BEFORE_THE_RUN = settings.DATABASES["default"]["NAME"]


@pytest.fixture(scope="session", autouse=True)
def _release_postgres_connections_before_teardown(django_db_setup, django_db_blocker):
    """Threads that served database_sync_to_async may still hold a connection
    to the test database when the run ends, and PostgreSQL will not drop a
    database in use. End those sessions first (ours excepted)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    if connection.settings_dict["NAME"] == _DATABASE_NAME_BEFORE_THE_RUN:
        return  # no collected test needs the database: pytest-django made none
    others = " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        # pg_terminate_backend only signals, and a server thread may still
        # take a new connection meanwhile: end them until none is left.
        deadline = time.monotonic() + 30
        while True:
            cursor.execute("SELECT pg_terminate_backend(pid)" + others)
            sessions = "SELECT count(*), string_agg(application_name || ' ' || state, ', ')"
            cursor.execute(sessions + others)
            left, which = cursor.fetchone()
            if left == 0:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"{left} sessions still use the test database: {which}")
            time.sleep(0.1)
    # Ours too: the test database is dropped from another connection.
    connection.close()


@pytest.fixture
def template(db):
    template = TemplateFactory(title="Leaving no one behind")
    StepFactory(template=template, position=1, kind=Step.Kind.LOBBY, title="Welcome")
    StepFactory(template=template, position=2, title="Who is IOM?", body="- Since 1951")
    StepFactory(template=template, position=3, title="SDG 10 and target 10.7")
    return template


@pytest.fixture
def facilitator(db):
    return FacilitatorFactory(username="fiona")


@pytest.fixture
def co_facilitator(db):
    return FacilitatorFactory(username="colin")


@pytest.fixture
def other_facilitator(db):
    return FacilitatorFactory(username="oscar")


@pytest.fixture
def plain_user(db):
    return UserFactory(username="paula")


@pytest.fixture
def session(template, facilitator):
    return services.create_session(
        template, facilitator, group_count=2, base_url="http://testserver"
    )


@pytest.fixture
def participant(session):
    return services.join_session(session.code, nickname="Amina")


@pytest.fixture
def facilitator_client(facilitator):
    client = Client()
    client.force_login(facilitator)
    return client


def participant_client(participant) -> Client:
    """A browser holding this participant's signed cookie."""
    client = Client()
    signer_response = __import__("django.http", fromlist=["HttpResponse"]).HttpResponse()
    identity.set_participant_cookie(
        signer_response, participant.session.code, participant.public_id
    )
    name = identity.cookie_name(participant.session.code)
    client.cookies[name] = signer_response.cookies[name].value
    return client


# --- browser tests ---------------------------------------------------------------

from pathlib import Path  # noqa: E402

from .live_server import CHROMIUM, CHROMIUM_ARGS, FACILITATOR, LiveServer  # noqa: E402

DATA = Path(__file__).parent / "data"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def live_server_proc(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("live"))
    server.prepare(str(DATA / "mini-pack.yaml"))
    server.start()
    yield server
    server.stop()


BROWSER_EXPECT_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    # No skip: a missing browser must fail the run, never pass it quietly.
    from playwright.sync_api import expect, sync_playwright

    # A push reaches a phone in milliseconds on a quiet machine; CI may share
    # its two cores with other work, so assertions wait up to 15 s.
    expect.set_options(timeout=BROWSER_EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def sign_in(page, server) -> None:
    page.goto(server.url + "/admin/login/?next=/facilitate/")
    page.fill("#id_username", FACILITATOR[0])
    page.fill("#id_password", FACILITATOR[1])
    page.click("input[type=submit]")
    page.wait_for_url("**/facilitate/")


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright's sync API leaves an event loop marked as
    running in the main thread, which async tests collected after it trip on."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


# --- measured figures (reliability and security tests) -----------------------------

from .figures import figures, pytest_terminal_summary  # noqa: E402, F401
