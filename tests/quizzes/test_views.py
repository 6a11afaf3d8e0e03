import pytest
from django.test import Client
from django.urls import reverse

from quizzes import services
from quizzes.models import Answer, QuestionRun
from workshop.models import WorkshopSession

from ..conftest import participant_client
from .conftest import go_to_question, question

pytestmark = pytest.mark.django_db


def _control_url(session):
    return reverse("quizzes:control", kwargs={"public_id": session.public_id})


def test_the_facilitator_opens_and_reveals_from_the_control_view(
    quiz_session, facilitator, facilitator_client
):
    session = go_to_question(quiz_session, "t-sdg", facilitator)
    page = facilitator_client.get(reverse("workshop:control", args=[session.public_id]))
    assert b"Open the question" in page.content
    response = facilitator_client.post(
        _control_url(session), {"do": "open", "timer": "30"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b'data-testid="answered">0<' in response.content
    run = QuestionRun.objects.get()
    assert run.state == "open" and run.closes_at is not None
    response = facilitator_client.post(_control_url(session), {"do": "reveal"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.state == "revealed"


def test_an_outsider_cannot_control_a_question(quiz_session, facilitator, other_facilitator):
    session = go_to_question(quiz_session, "t-sdg", facilitator)
    client = Client()
    client.force_login(other_facilitator)
    response = client.post(_control_url(session), {"do": "open"})
    assert response.status_code == 403
    assert not QuestionRun.objects.exists()
    anonymous = Client().post(_control_url(session), {"do": "open"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert not QuestionRun.objects.exists()


def test_a_bad_timer_is_a_clear_error(quiz_session, facilitator, facilitator_client):
    session = go_to_question(quiz_session, "t-sdg", facilitator)
    response = facilitator_client.post(
        _control_url(session), {"do": "open", "timer": "forever"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert b"Choose a timer" in response.content
    assert not QuestionRun.objects.exists()


def test_each_view_shows_the_question(quiz_session, facilitator, players):
    session = go_to_question(quiz_session, "t-sdg", facilitator)
    services.open_question(session, facilitator)
    phone = participant_client(players[0]).get(reverse("workshop:participant", args=[session.code]))
    html = phone.content.decode()
    assert "Which SDG makes an explicit" in html
    assert html.count('class="sdg-choice sdg-') == 17
    assert "Reduced inequalities" in html.replace("\u00ad", "")  # soft hyphens in long words
    assert "style=" not in html
    screen = Client().get(reverse("workshop:screen", args=[session.public_id])).content.decode()
    assert "Results are hidden until the reveal." in screen
    assert "style=" not in screen


def test_a_phone_without_javascript_can_answer(quiz_session, facilitator, players):
    session = go_to_question(quiz_session, "t-founded", facilitator)
    run = services.open_question(session, facilitator)
    choice = question("t-founded").choices.get(correct=True)
    client = participant_client(players[0])
    response = client.post(
        reverse("quizzes:answer", args=[session.code]), {"run": run.pk, "value": str(choice.pk)}
    )
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert answer.value == [choice.pk] and answer.is_correct
    page = client.get(response["Location"]).content.decode()
    assert f'data-mine="[{choice.pk}]"' in page


def test_a_refused_answer_via_the_form_says_why(quiz_session, facilitator, players):
    session = go_to_question(quiz_session, "t-one-in", facilitator)
    run = services.open_question(session, facilitator)
    client = participant_client(players[0])
    response = client.post(
        reverse("quizzes:answer", args=[session.code]), {"run": run.pk, "value": "500"}, follow=True
    )
    assert "Give a number between 1 and 100." in response.content.decode()
    assert not Answer.objects.exists()


def test_a_facilitator_can_hide_a_text_answer(
    quiz_session, facilitator, facilitator_client, players
):
    session = go_to_question(quiz_session, "t-word", facilitator)
    run = services.open_question(session, facilitator)
    services.submit_answer(players[0].pk, session.pk, run.pk, "rude", "c1")
    answer = Answer.objects.get()
    response = facilitator_client.post(
        reverse("quizzes:moderate", args=[session.public_id]),
        {"answer": answer.pk, "do": "hide"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    answer.refresh_from_db()
    assert answer.hidden
    screen = Client().get(reverse("workshop:screen", args=[session.public_id])).content.decode()
    assert "rude" not in screen


def test_the_reveal_shows_sdg_10_and_target_10_7(quiz_session, facilitator, players):
    session = go_to_question(quiz_session, "t-sdg", facilitator)
    run = services.open_question(session, facilitator)
    services.submit_answer(players[0].pk, session.pk, run.pk, [10], "c1")
    services.reveal_question(session, facilitator)
    for html in (
        Client().get(reverse("workshop:screen", args=[session.public_id])).content.decode(),
        participant_client(players[0])
        .get(reverse("workshop:participant", args=[session.code]))
        .content.decode(),
    ):
        assert "SDG 10: Reduced inequalities" in html
        assert "Its target 10.7 reads" in html
    assert WorkshopSession.objects.get().current_step.question.key == "t-sdg"


@pytest.mark.parametrize("key", ["t-sdg", "t-founded", "t-themes", "t-one-in", "t-word", "t-scale"])
def test_the_admin_edits_and_previews_every_kind(quiz_template, admin_client, key):
    q = question(key)
    change = admin_client.get(reverse("admin:quizzes_question_change", args=[q.pk]))
    assert change.status_code == 200
    assert b"Open the phone and projector preview" in change.content
    preview = admin_client.get(reverse("quizzes:preview", args=[q.pk]))
    html = preview.content.decode()
    assert preview.status_code == 200
    assert q.text in html and "Send my answer" in html
    assert "style=" not in html.split("<body", 1)[1]


def test_the_admin_lists_quizzes_and_where_questions_are_used(quiz_template, admin_client):
    assert admin_client.get(reverse("admin:quizzes_quiz_changelist")).status_code == 200
    listing = admin_client.get(reverse("admin:quizzes_question_changelist")).content.decode()
    assert "Quiz mini" in listing


def test_only_staff_see_the_preview(quiz_template, players):
    q = question("t-sdg")
    response = participant_client(players[0]).get(reverse("quizzes:preview", args=[q.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
