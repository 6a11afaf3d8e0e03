"""The take-away page a participant keeps once the session has ended: the
workshop's content, their own answers with the right ones and the
explanations, their group's map; in their language, and theirs alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from live.regions import audience_for_participant, render_regions
from quizzes import services as quiz
from quizzes.models import Question
from reports import services as report_services
from sdgmap import services as sdg
from workshop import identity, packs
from workshop import services as room

from ..conftest import participant_client

pytestmark = pytest.mark.django_db

CLIMATE_PACK = Path(__file__).parent.parent / "data" / "climate-pack.yaml"


def _pack() -> dict:
    """The climate workshop with a resources step and three questions."""
    data = packs.read_pack(CLIMATE_PACK)
    data["template"]["steps"][1:1] = [
        {"kind": "question", "question": "heat-plan", "title": {"en": "Warm-up"}},
        {"kind": "question", "question": "heat-goal", "title": {"en": "Quiz"}},
        {"kind": "question", "question": "one-word", "title": {"en": "Ice-breaker"}},
    ]
    data["template"]["steps"].append(
        {
            "kind": "content",
            "title": {"en": "Thank you!", "fr": "Merci !"},
            "body": {"en": "- Read more: climate-adapt.example", "fr": "- À lire : climat.example"},
        }
    )
    data["questions"] = [
        {
            "key": "heat-plan",
            "kind": "single",
            "text": {"en": "When did Paris adopt its heat plan?", "fr": "Depuis quand ?"},
            "choices": [{"text": {"en": "2004"}, "correct": True}, {"text": {"en": "2019"}}],
            "explanation": {"en": "After 2003.", "fr": "Après la canicule de 2003."},
        },
        {
            "key": "heat-goal",
            "kind": "sdg",
            "correct_sdgs": [13],
            "text": {"en": "Which SDG is climate action?"},
        },
        {"key": "one-word", "kind": "text", "text": {"en": "One word for your city?"}},
    ]
    return data


def _answer(session, facilitator, key, answers):
    step = session.ordered_steps().get(question__key=key)
    session = room.go_to_step(session, step.pk, facilitator)
    run = quiz.open_question(session, facilitator)
    for who, value in answers:
        quiz.submit_answer(who.pk, session.pk, run.pk, value, f"{who.pk}-{key}")
    quiz.reveal_question(session, facilitator)
    return session


@pytest.fixture
def ended(facilitator):
    """Amina (French) and Bruno in two groups; a session that ran and ended."""
    template = packs.import_pack(_pack())
    session = room.create_session(template, facilitator, group_count=2, base_url="http://t")
    amina = room.join_session(session.code, nickname="Amina", language="fr")
    bruno = room.join_session(session.code, nickname="Bruno")
    right, wrong = Question.objects.get(key="heat-plan").choices.order_by("position")
    session = _answer(session, facilitator, "heat-plan", [(amina, [right.pk]), (bruno, [wrong.pk])])
    session = _answer(session, facilitator, "heat-goal", [(bruno, [13])])  # Amina is silent
    session = _answer(session, facilitator, "one-word", [(amina, "ombre"), (bruno, "brunos-word")])
    session = room.go_to_step(
        session, template.ordered_steps().get(kind="exercise").pk, facilitator
    )
    sdg.start_exercise(session, facilitator, allocation="all", minutes=0)
    sdg.edit_card(amina, sdg=11, field="rating", value="strong")
    sdg.edit_card(amina, sdg=11, field="target", value={"code": "11.5", "on": True})
    sdg.edit_card(bruno, sdg=11, field="rating", value="none")
    sdg.reveal_reference(session, facilitator)
    room.end_session(session, facilitator)
    return session, amina, bruno


def _takeaway(participant) -> str:
    url = reverse("reports:takeaway", kwargs={"code": participant.session.code})
    response = participant_client(participant).get(url)
    assert response.status_code == 200
    return response.content.decode()


def _answer_item(html: str, key: str) -> str:
    start = html.index(f'data-question="{key}"')
    return html[start : html.index("</li>", start)]


def test_an_ended_sessions_phone_page_is_the_takeaway(ended):
    session, amina, _bruno = ended
    url = reverse("workshop:participant", kwargs={"code": session.code})
    response = participant_client(amina).get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:takeaway", kwargs={"code": session.code})


def test_it_shows_the_participants_answers_with_the_right_ones_in_their_language(ended):
    _session, amina, _bruno = ended
    html = _takeaway(amina)
    assert '<html lang="fr">' in html and "Vos réponses" in html
    plan = _answer_item(html, "heat-plan")
    assert "Depuis quand ?" in plan
    assert '<span data-testid="given">2004</span>' in plan
    assert "Bonne réponse !" in plan
    assert "Après la canicule de 2003." in plan  # the explanation, in French
    goal = _answer_item(html, "heat-goal")
    assert "Vous n'avez pas répondu à celle-ci." in goal and "given" not in goal
    assert 'data-testid="correct-answer">ODD 13' in goal
    assert "ombre" in _answer_item(html, "one-word")
    assert "1 bonne réponse sur 2." in html  # the poll has no right answer


def test_it_shows_only_the_participants_own_answers(ended):
    _session, amina, bruno = ended
    amina_page, bruno_page = _takeaway(amina), _takeaway(bruno)
    assert "brunos-word" not in amina_page and "ombre" in amina_page
    assert "brunos-word" in bruno_page and "ombre" not in bruno_page
    assert '<span data-testid="given">2019</span>' in _answer_item(bruno_page, "heat-plan")
    assert "Not quite this time." in _answer_item(bruno_page, "heat-plan")


def test_it_shows_the_groups_map_next_to_the_revealed_reference(ended):
    _session, amina, bruno = ended
    html = _takeaway(amina)
    section = html[html.index('id="takeaway-sdgmap"') :]
    assert f'<span class="chip" dir="auto" data-ptext>{amina.group.name}</span>' in section
    card = section[section.index('data-sdg="11"') :]
    assert "rating-strong" in card.split("</li>")[0]
    assert "11.5 ✓" in card.split("</li>")[0]  # agreed with the reference
    assert "Panel climat urbain" in section
    assert amina.group_id != bruno.group_id
    assert "rating-none" not in card.split("</li>")[0]  # Bruno's group's card is not hers


def test_it_shows_the_workshops_content_and_resources(ended):
    _session, amina, _bruno = ended
    html = _takeaway(amina)
    content = html[html.index('id="takeaway-content"') :]
    assert "Merci !" in content and "À lire : climat.example" in content
    assert "L&#x27;adaptation et les 17 ODD" not in content  # the exercise is the map's


def test_a_participant_without_a_group_gets_no_map(ended):
    _session, amina, _bruno = ended
    amina.group = None
    amina.save(update_fields=["group"])
    assert 'id="takeaway-sdgmap"' not in _takeaway(amina)


def test_the_takeaway_waits_for_the_end(facilitator):
    session = room.create_session(packs.import_pack(_pack()), facilitator)
    amina = room.join_session(session.code, nickname="Amina")
    url = reverse("reports:takeaway", kwargs={"code": session.code})
    response = participant_client(amina).get(url)
    # The right answers would reach a room that is still answering.
    assert response.status_code == 302
    assert response["Location"] == reverse("workshop:participant", kwargs={"code": session.code})


def test_another_sessions_participant_cannot_see_it(ended, facilitator):
    session, amina, _bruno = ended
    other = room.create_session(session.template, facilitator)
    outsider = room.join_session(other.code, nickname="Oscar")
    room.end_session(other, facilitator)
    client = participant_client(outsider)
    # Oscar's own signed token, presented under the ended session's cookie name.
    client.cookies[identity.cookie_name(session.code)] = client.cookies[
        identity.cookie_name(other.code)
    ].value
    response = client.get(reverse("reports:takeaway", kwargs={"code": session.code}))
    assert response.status_code == 302
    assert response["Location"] == reverse("workshop:join_code", kwargs={"code": session.code})
    anonymous = participant_client(amina)
    anonymous.cookies.clear()
    response = anonymous.get(reverse("reports:takeaway", kwargs={"code": session.code}))
    assert response.status_code == 302


def test_it_is_kept_out_of_shared_caches(ended):
    _session, amina, _bruno = ended
    url = reverse("reports:takeaway", kwargs={"code": amina.session.code})
    response = participant_client(amina).get(url)
    assert response["Cache-Control"] == "private, no-store"


def test_an_open_phone_hears_of_the_end_with_a_link_to_it(ended):
    session, amina, _bruno = ended
    session.refresh_from_db()
    stage = render_regions(session, audience_for_participant(amina), ["stage"])[0]["html"]
    assert reverse("reports:takeaway", kwargs={"code": session.code}) in stage
    assert "ombre" not in stage  # the pushed stage is shared: nothing of hers in it


def test_it_goes_with_the_participants_at_the_retention_purge(ended):
    session, amina, _bruno = ended
    client = participant_client(amina)
    url = reverse("reports:takeaway", kwargs={"code": session.code})
    assert client.get(url).status_code == 200
    report_services.purge_session(session)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("workshop:join_code", kwargs={"code": session.code})
