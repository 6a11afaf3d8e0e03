"""Q&A in the report, the CSV export, the retention purge and the packs."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from qna import services as qna
from qna.models import Question, TemplateQna, Vote
from workshop import packs, services
from workshop.models import Participant, WorkshopSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(live_session, facilitator, asker, voter):
    """Four questions in every state, with votes and a reply."""
    signed = qna.approve(live_session, facilitator, qna.ask_question(asker, "Signed, shown?").pk)
    anonymous = qna.ask_question(voter, "Anonymous, answered?", anonymous=True)
    qna.approve(live_session, facilitator, anonymous.pk)
    qna.vote(asker, anonymous.pk, client_id="a")
    qna.vote(voter, signed.pk, client_id="b")
    qna.vote(asker, signed.pk, client_id="c")
    qna.set_reply(live_session, facilitator, anonymous.pk, "=SUM(1) yes")
    qna.mark_answered(live_session, facilitator, anonymous.pk)
    Question.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    rejected = qna.ask_question(asker, "Rejected?")
    qna.reject(live_session, facilitator, rejected.pk)
    Question.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    qna.ask_question(voter, "Still waiting?")
    return live_session


def test_the_report_lists_every_question_with_votes_state_and_reply(facilitator_client, asked):
    html = facilitator_client.get(
        reverse("reports:report", kwargs={"public_id": asked.public_id})
    ).content.decode()
    section = html.split('id="section-qna"')[1].split("</section>")[0]
    for text in ("Signed, shown?", "Anonymous, answered?", "Rejected?", "Still waiting?"):
        assert text in section
    assert "=SUM(1) yes" in section and "Waiting for approval" in section
    assert "Amina" not in section  # the report names no one


def test_the_csv_has_every_question_neutralised(facilitator_client, asked):
    response = facilitator_client.get(
        reverse("reports:export", args=[asked.public_id, "questions"])
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    assert header[:7] == [
        "question",
        "language",
        "state",
        "votes",
        "anonymous",
        "nickname",
        "reply",
    ]
    assert len(body) == 4
    assert body["Signed, shown?"][1:6] == ["fr", "shown", "2", "", "Amina"]
    answered = body["Anonymous, answered?"]
    assert answered[2:6] == ["answered", "1", "yes", ""] and answered[6] == "'=SUM(1) yes"
    assert answered[9]  # answered at
    assert body["Rejected?"][2] == "rejected" and body["Still waiting?"][2] == "pending"


def test_the_purge_keeps_texts_and_counts_but_no_author_or_nickname(asked):
    services.end_session(asked, asked.facilitator)
    WorkshopSession.objects.filter(pk=asked.pk).update(ended_at=timezone.now() - timedelta(days=60))
    call_command("purge_participants")
    assert not Participant.objects.filter(session=asked).exists()
    assert Question.objects.filter(session=asked).count() == 4
    assert not Question.objects.exclude(nickname="").exists()
    assert not Question.objects.filter(author__isnull=False).exists()
    assert Vote.objects.count() == 3 and not Vote.objects.filter(participant__isnull=False).exists()
    summary = asked.summary.data["qna"]
    assert summary["votes"] == 3 and len(summary["questions"]) == 4
    assert "Amina" not in str(summary)


def test_the_report_after_the_purge_still_lists_them(facilitator_client, asked):
    services.end_session(asked, asked.facilitator)
    WorkshopSession.objects.filter(pk=asked.pk).update(ended_at=timezone.now() - timedelta(days=60))
    call_command("purge_participants")
    html = facilitator_client.get(
        reverse("reports:report", kwargs={"public_id": asked.public_id})
    ).content.decode()
    assert "Anonymous, answered?" in html and "=SUM(1) yes" in html


def _pack(**qna_section):
    data = {
        "format": packs.PACK_FORMAT,
        "template": {
            "slug": "qna-pack",
            "title": {"en": "Q&A pack"},
            "steps": [{"kind": "questions", "title": {"en": "Your questions"}}],
        },
    }
    if qna_section:
        data["qna"] = qna_section
    return data


def test_a_pack_carries_the_templates_qna_default(facilitator):
    template = packs.import_pack(_pack(enabled=True, moderated=False, anonymous_allowed=False))
    default = TemplateQna.objects.get(template=template)
    assert (default.enabled, default.moderated, default.anonymous_allowed) == (True, False, False)
    assert packs.export_pack(template)["qna"] == {
        "enabled": True,
        "moderated": False,
        "anonymous_allowed": False,
    }
    session = services.create_session(template, facilitator, base_url="http://testserver")
    assert qna.settings_for(session).moderated is False  # a new session follows it


@pytest.mark.parametrize(
    ("section", "error"),
    [
        ({"enabled": "yes"}, "qna.enabled: must be true or false"),
        ({"loud": True}, "qna.loud: unknown field"),
    ],
)
def test_a_bad_qna_section_is_refused_with_its_place(section, error):
    with pytest.raises(packs.PackError) as caught:
        packs.import_pack(_pack(**section))
    assert any(e.startswith(error) for e in caught.value.errors), caught.value.errors
    assert not TemplateQna.objects.exists()


def test_the_iom_pack_asks_for_questions_before_thank_you():
    data = packs.read_pack(
        packs.Path(packs.__file__).parent / "packs" / "iom-leaving-no-one-behind.yaml"
    )
    kinds = [step["kind"] for step in data["template"]["steps"]]
    titles = [step["title"]["en"] for step in data["template"]["steps"]]
    assert kinds[-2:] == ["questions", "content"] and titles[-1] == "Thank you!"
    assert data["qna"] == {"enabled": True, "moderated": True, "anonymous_allowed": True}
