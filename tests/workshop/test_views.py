import pytest
from django.test import Client
from django.urls import reverse

from workshop import identity
from workshop.models import WorkshopSession

from ..conftest import participant_client

pytestmark = pytest.mark.django_db


def test_the_dashboard_needs_a_staff_login(client, plain_user):
    response = client.get(reverse("workshop:dashboard"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(plain_user)
    assert client.get(reverse("workshop:dashboard")).status_code == 302


def test_a_facilitator_creates_a_session_from_a_template(facilitator_client, template):
    response = facilitator_client.post(
        reverse("workshop:session_create"), {"template": template.pk, "title": "", "group_count": 3}
    )
    session = WorkshopSession.objects.get()
    assert response["Location"] == reverse(
        "workshop:control", kwargs={"public_id": session.public_id}
    )
    assert session.groups.count() == 3
    page = facilitator_client.get(response["Location"])
    assert session.code in page.content.decode()


def test_the_control_view_advances_the_step(facilitator_client, session):
    url = reverse("workshop:step_go", kwargs={"public_id": session.public_id})
    response = facilitator_client.post(url, {"to": "next"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="stage"' in response.content.decode()
    session.refresh_from_db()
    assert session.current_step.title == "Who is IOM?"


def test_a_domain_error_comes_back_as_a_message_and_changes_nothing(facilitator_client, session):
    url = reverse("workshop:step_go", kwargs={"public_id": session.public_id})
    response = facilitator_client.post(url, {"to": "previous"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "already the first step" in response.content.decode()
    assert response["HX-Retarget"] == "#flash"


FACILITATOR_URLS = [
    ("workshop:step_go", {"to": "next"}),
    ("workshop:session_start", {}),
    ("workshop:session_end", {}),
    ("workshop:joining_lock", {"locked": "1"}),
    ("workshop:groups_configure", {"groups": "5", "mode": "balanced"}),
    ("workshop:languages_set", {"screen": "fr", "control": "fr"}),
]


@pytest.mark.parametrize(("name", "data"), FACILITATOR_URLS)
def test_a_participant_cannot_use_facilitator_actions(
    session, participant, other_facilitator, name, data
):
    before = WorkshopSession.objects.values().get(pk=session.pk)
    outsider = Client()
    outsider.force_login(other_facilitator)
    for client in (participant_client(participant), Client(), outsider):
        response = client.post(reverse(name, kwargs={"public_id": session.public_id}), data)
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:
            assert "/admin/login/" in response["Location"]
    assert WorkshopSession.objects.values().get(pk=session.pk) == before
    assert session.groups.count() == 2


def test_joining_sets_a_cookie_and_a_refresh_keeps_the_participant(client, session):
    response = client.post(
        reverse("workshop:join"), {"code": session.code.lower(), "nickname": "Amina"}
    )
    # The answer is the phone's page itself, which names its own address for
    # the address bar (live.js), so that a reload is a GET of that page.
    assert response.status_code == 200
    joined = response.content.decode()
    assert "Amina" in joined
    page_url = reverse("workshop:participant", kwargs={"code": session.code})
    assert f'data-page-url="{page_url}"' in joined
    # Without script, a refresh takes the browser there; the page itself has none.
    refresh = f'<noscript><meta http-equiv="refresh" content="0; url={page_url}"></noscript>'
    assert refresh in joined
    page = client.get(page_url).content.decode()
    assert "Amina" in page and "http-equiv" not in page
    # Scanning the QR code again, or posting the form again, is the same participant.
    again = client.post(
        reverse("workshop:join"), {"code": session.code, "nickname": "Someone else"}
    )
    assert again.status_code == 302
    assert session.participants.count() == 1


@pytest.mark.parametrize(
    ("code", "message"),
    [("ZZZZZZ", "No workshop has this code"), ("", "This field is required")],
)
def test_a_bad_code_gets_a_clear_error(client, session, code, message):
    response = client.post(reverse("workshop:join"), {"code": code, "nickname": "X"})
    assert response.status_code in (400, 404)
    assert message in response.content.decode()
    assert session.participants.count() == 0


def test_an_ended_session_says_so(client, session, facilitator):
    from workshop import services

    services.end_session(session, facilitator)
    response = client.post(reverse("workshop:join"), {"code": session.code, "nickname": "X"})
    assert "This workshop has ended" in response.content.decode()


def test_a_tampered_cookie_is_not_a_participant(session, participant):
    client = participant_client(participant)
    name = identity.cookie_name(session.code)
    value = client.cookies[name].value
    client.cookies[name] = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    response = client.get(reverse("workshop:participant", kwargs={"code": session.code}))
    assert response.status_code == 302
    assert response["Location"] == reverse("workshop:join_code", kwargs={"code": session.code})


def test_a_cookie_of_one_session_means_nothing_in_another(
    session, participant, template, facilitator
):
    from workshop import services

    other = services.create_session(template, facilitator)
    client = participant_client(participant)
    client.cookies[identity.cookie_name(other.code)] = client.cookies[
        identity.cookie_name(session.code)
    ].value
    response = client.get(reverse("workshop:participant", kwargs={"code": other.code}))
    assert response.status_code == 302


def test_the_screen_shows_the_join_code_and_a_qr_code(client, session):
    response = client.get(reverse("workshop:screen", kwargs={"public_id": session.public_id}))
    html = response.content.decode()
    assert session.code in html
    assert "<svg" in html
    assert "testserver" in html


def test_wrong_codes_are_rate_limited(client, session, settings):
    settings.JOIN_RATE_LIMIT = 3
    for _ in range(3):
        assert client.post(reverse("workshop:join"), {"code": "ZZZZZZ"}).status_code == 404
    response = client.post(reverse("workshop:join"), {"code": session.code})
    assert response.status_code == 429
    assert "Too many wrong codes" in response.content.decode()
    assert session.participants.count() == 0


def test_pages_forbid_inline_script(client, session):
    response = client.get(reverse("workshop:screen", kwargs={"public_id": session.public_id}))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
