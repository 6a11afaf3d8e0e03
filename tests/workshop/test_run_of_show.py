"""The run-of-show editor: access, every action with and without htmx, bad
input that changes nothing, dense positions after each action, and the
sessions that are running meanwhile."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from quizzes.models import Question, Quiz
from workshop import services
from workshop.models import Step, WorkshopSession

from ..factories import FacilitatorFactory, StepFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def order(template) -> list[tuple[int, str]]:
    return [(s.position, s.title) for s in template.ordered_steps()]


def titles(template) -> list[str]:
    titles = [t for _p, t in order(template)]
    # Dense and unique after every action, changed or not.
    assert [p for p, _t in order(template)] == list(range(1, len(titles) + 1))
    return titles


@pytest.fixture
def editor(db):
    """A staff member who may edit templates."""
    user = FacilitatorFactory(username="edith")
    user.user_permissions.add(Permission.objects.get(codename="change_workshoptemplate"))
    return user


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def question(template):
    quiz = Quiz.objects.create(key=template.slug, title="Quiz")
    return Question.objects.create(
        quiz=quiz,
        key="founded",
        text="When was IOM founded?",
        text_fr="Quand l'OIM a-t-elle été fondée ?",
    )


def url(name, template, **kwargs):
    return reverse(f"workshop:{name}", kwargs={"slug": template.slug, **kwargs})


def step_id(template, title):
    return template.ordered_steps().get(title_en=title).pk


# --- the page -------------------------------------------------------------------


def test_it_lists_the_steps_with_their_kind_and_question(editor_client, template, question):
    StepFactory(
        template=template, position=4, kind=Step.Kind.QUESTION, title="Warm-up", question=question
    )
    html = editor_client.get(url("run_of_show", template)).content.decode()
    for text in ("Welcome", "Lobby (join code)", "Warm-up", "When was IOM founded?", "Alt+↑"):
        assert text in html
    assert "js/run-of-show.js" in html and "<script>" not in html


def test_the_admin_change_page_links_to_the_editor(template):
    client = Client()
    client.force_login(UserFactory(username="ada", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:workshop_workshoptemplate_change", args=[template.pk]))
    assert url("run_of_show", template) in page.content.decode()


def test_the_dashboard_links_to_the_editor_for_editors_only(
    editor_client, facilitator_client, template
):
    link = url("run_of_show", template)
    assert link in editor_client.get(reverse("workshop:dashboard")).content.decode()
    assert link not in facilitator_client.get(reverse("workshop:dashboard")).content.decode()


# --- access -------------------------------------------------------------------------


def _requests(template):
    first = step_id(template, "Welcome")
    yield "get", url("run_of_show", template), {}
    yield "get", url("ros_preview", template, step_id=first), {}
    yield "get", url("ros_preview_frame", template, step_id=first, audience="screen"), {}
    yield "get", url("ros_delete_confirm", template, step_id=first), {}
    yield "post", url("ros_move", template), {"step": first, "to": "down"}
    yield "post", url("ros_insert", template), {"after": first, "kind": "content", "title": "X"}
    yield "post", url("ros_delete", template), {"step": first, "confirm": "yes"}


@pytest.mark.parametrize("who", ["anonymous", "plain_user", "facilitator"])
def test_it_refuses_everyone_who_may_not_edit_templates(who, request, template):
    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    before = order(template)
    for method, address, data in _requests(template):
        response = getattr(client, method)(address, data)
        if who == "facilitator":  # staff, without the permission
            assert response.status_code == 403, address
        else:  # to the sign-in page, like every facilitator page
            assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert order(template) == before


def test_actions_need_a_csrf_token(editor, template):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(
        url("ros_move", template), {"step": step_id(template, "Welcome"), "to": "down"}
    )
    assert response.status_code == 403
    assert titles(template)[0] == "Welcome"


def test_actions_are_posts(editor_client, template):
    assert editor_client.get(url("ros_move", template)).status_code == 405


def test_an_unknown_template_is_not_found(editor_client):
    assert (
        editor_client.get(reverse("workshop:run_of_show", kwargs={"slug": "nope"})).status_code
        == 404
    )


# --- moving -------------------------------------------------------------------------


def test_it_moves_a_step_down_and_back_to_the_editor(editor_client, template):
    welcome = step_id(template, "Welcome")
    response = editor_client.post(url("ros_move", template), {"step": welcome, "to": "down"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?focus={welcome}#step-{welcome}")
    assert titles(template) == ["Who is IOM?", "Welcome", "SDG 10 and target 10.7"]
    page = editor_client.get(response["Location"]).content.decode()
    assert "Moved “Welcome” to position 2." in page


def test_it_moves_a_step_up_with_htmx_and_marks_it_for_focus(editor_client, template):
    last = step_id(template, "SDG 10 and target 10.7")
    response = editor_client.post(url("ros_move", template), {"step": last, "to": "up"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="run-of-show"')
    assert (
        f'id="step-{last}" tabindex="0" draggable="true" data-step="{last}" data-position="2"'
        in html
    )
    assert 'data-focus-button="up"' in html and "data-focus " in html
    assert 'id="ros-status" class="ros-status" hx-swap-oob="true"' in html
    assert titles(template) == ["Welcome", "SDG 10 and target 10.7", "Who is IOM?"]


def test_a_keyboard_move_focuses_the_row_not_the_button(editor_client, template):
    data = {"step": step_id(template, "Welcome"), "to": "down", "via": "keyboard"}
    html = editor_client.post(url("ros_move", template), data, **HTMX).content.decode()
    assert 'data-focus-button=""' in html


def test_it_moves_a_step_to_a_position_as_a_drop_does(editor_client, template):
    data = {"step": step_id(template, "Welcome"), "to": "3"}
    editor_client.post(url("ros_move", template), data, **HTMX)
    assert titles(template) == ["Who is IOM?", "SDG 10 and target 10.7", "Welcome"]


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"to": "up"}, 400, "This step is already the first."),
        ({"to": "4"}, 400, "Choose a position from 1 to 3."),
        ({"to": "0"}, 400, "Choose a position from 1 to 3."),
        ({"to": "sideways"}, 400, "Choose a position from 1 to 3."),
        ({"to": "down", "step": "999999"}, 404, "That step is not part of this workshop."),
        ({"to": "down", "step": "x"}, 404, "That step is not part of this workshop."),
    ],
)
def test_a_bad_move_says_why_and_changes_nothing(editor_client, template, data, status, message):
    data = {"step": step_id(template, "Welcome"), **data}
    for extra in ({}, HTMX):
        response = editor_client.post(url("ros_move", template), data, **extra)
        assert response.status_code == status
        assert message in response.content.decode()
    assert titles(template) == ["Welcome", "Who is IOM?", "SDG 10 and target 10.7"]


def test_the_last_step_cannot_move_down(editor_client, template):
    data = {"step": step_id(template, "SDG 10 and target 10.7"), "to": "down"}
    response = editor_client.post(url("ros_move", template), data)
    assert response.status_code == 400 and "already the last" in response.content.decode()


def test_a_step_of_another_template_cannot_be_moved_here(editor_client, template):
    stranger = StepFactory(title="Elsewhere")
    response = editor_client.post(url("ros_move", template), {"step": stranger.pk, "to": "1"})
    assert response.status_code == 404
    assert titles(template) == ["Welcome", "Who is IOM?", "SDG 10 and target 10.7"]


# --- inserting ------------------------------------------------------------------------


def test_it_inserts_a_content_step_at_a_place(editor_client, template):
    data = {
        "after": step_id(template, "Welcome"),
        "kind": "content",
        "title": " Agenda ",
        "body": "- one",
    }
    response = editor_client.post(url("ros_insert", template), data)
    assert response.status_code == 302
    assert titles(template) == ["Welcome", "Agenda", "Who is IOM?", "SDG 10 and target 10.7"]
    step = template.ordered_steps().get(title_en="Agenda")
    assert step.kind == "content" and step.body == "- one"


def test_it_inserts_at_the_start(editor_client, template):
    editor_client.post(
        url("ros_insert", template), {"after": "", "kind": "lobby", "title": "Doors open"}, **HTMX
    )
    assert titles(template)[0] == "Doors open"


def test_it_inserts_a_question_step_titled_by_its_question(editor_client, template, question):
    data = {"after": step_id(template, "Who is IOM?"), "kind": "question", "question": question.pk}
    html = editor_client.post(url("ros_insert", template), data, **HTMX).content.decode()
    assert "Inserted “When was IOM founded?” at position 3." in html
    step = template.ordered_steps()[2]
    assert step.question == question and step.kind == "question"
    assert step.title_fr == "Quand l'OIM a-t-elle été fondée ?"  # the question's own translation
    assert titles(template)[3] == "SDG 10 and target 10.7"


def test_a_title_typed_in_french_shows_in_every_language(editor_client, template):
    editor_client.post(
        url("ros_insert", template),
        {"after": "", "kind": "content", "title": "Pause café"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    step = template.ordered_steps()[0]
    assert step.title_fr == "Pause café" and step.title_en == "Pause café"


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"kind": "content", "title": "  "}, 400, "Give the step a title."),
        ({"kind": "nonsense", "title": "X"}, 400, "Choose a kind of step."),
        ({"kind": "question", "title": "X"}, 400, "Choose the question this step asks."),
        (
            {"kind": "question", "question": "999999"},
            404,
            "That question is not one of this workshop",
        ),
        ({"kind": "content", "title": "X", "after": "999999"}, 404, "That step is not part of"),
    ],
)
def test_a_bad_insert_says_why_and_changes_nothing(editor_client, template, data, status, message):
    data = {"after": step_id(template, "Welcome"), **data}
    for extra in ({}, HTMX):
        response = editor_client.post(url("ros_insert", template), data, **extra)
        assert response.status_code == status
        assert message in response.content.decode()
    assert titles(template) == ["Welcome", "Who is IOM?", "SDG 10 and target 10.7"]


def test_a_refused_insert_form_comes_back_filled_in(editor_client, template):
    data = {"after": step_id(template, "Welcome"), "kind": "question", "title": "Keep me"}
    html = editor_client.post(url("ros_insert", template), data).content.decode()
    assert 'value="Keep me"' in html and '<details class="ros-insert" open>' in html


def test_another_templates_question_cannot_be_asked(editor_client, template):
    other = Quiz.objects.create(key="someone-else", title="Theirs")
    theirs = Question.objects.create(quiz=other, key="theirs", text="Not yours")
    data = {"after": "", "kind": "question", "question": theirs.pk}
    assert editor_client.post(url("ros_insert", template), data).status_code == 404
    assert not template.steps.filter(question=theirs).exists()


# --- deleting -------------------------------------------------------------------------


def test_it_asks_before_deleting(editor_client, template):
    first = step_id(template, "Welcome")
    page = editor_client.get(url("ros_delete_confirm", template, step_id=first)).content.decode()
    assert "Delete step 1, “Welcome”" in page and 'name="confirm" value="yes"' in page
    response = editor_client.post(url("ros_delete", template), {"step": first})
    assert (
        response.status_code == 400
        and "Confirm that the step is to be deleted." in response.content.decode()
    )
    assert len(titles(template)) == 3


def test_it_deletes_a_step_and_closes_the_gap(editor_client, template):
    data = {"step": step_id(template, "Who is IOM?"), "confirm": "yes"}
    html = editor_client.post(url("ros_delete", template), data, **HTMX).content.decode()
    assert "Deleted “Who is IOM?”." in html
    assert titles(template) == ["Welcome", "SDG 10 and target 10.7"]


def test_it_will_not_delete_the_step_a_session_is_on(editor_client, session, template):
    data = {"step": session.current_step_id, "confirm": "yes"}
    response = editor_client.post(url("ros_delete", template), data)
    assert (
        response.status_code == 400 and "A session is on this step now" in response.content.decode()
    )
    assert len(titles(template)) == 3


def test_it_deletes_the_step_an_ended_session_was_on(editor_client, session, template, facilitator):
    services.end_session(session, facilitator)
    data = {"step": session.current_step_id, "confirm": "yes"}
    assert editor_client.post(url("ros_delete", template), data).status_code == 302
    assert len(titles(template)) == 2


def test_it_will_not_delete_an_exercise_that_sessions_ran(
    editor_client, session, template, facilitator
):
    """The groups' cards would go with the step (the runs cascade)."""
    from sdgmap.models import ExerciseRun

    exercise = StepFactory(template=template, position=4, kind=Step.Kind.EXERCISE, title="Map")
    ExerciseRun.objects.create(session=session, step=exercise)
    services.end_session(session, facilitator)
    data = {"step": exercise.pk, "confirm": "yes"}
    response = editor_client.post(url("ros_delete", template), data)
    assert response.status_code == 400
    assert "Sessions ran this exercise" in response.content.decode()
    assert len(titles(template)) == 4


def test_it_inserts_an_exercise_step(editor_client, template):
    data = {
        "after": step_id(template, "SDG 10 and target 10.7"),
        "kind": "exercise",
        "title": "Map",
    }
    editor_client.post(url("ros_insert", template), data)
    assert template.ordered_steps().last().kind == Step.Kind.EXERCISE


# --- sessions that are running ------------------------------------------------------------


def test_a_live_session_stays_on_its_step_through_every_edit(
    editor_client, session, template, facilitator, question, django_capture_on_commit_callbacks
):
    who = template.ordered_steps().get(title_en="Who is IOM?")
    services.go_to_step(session, who.pk, facilitator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        editor_client.post(url("ros_move", template), {"step": who.pk, "to": "up"})
    assert callbacks  # the control views hear of the new order
    editor_client.post(
        url("ros_insert", template), {"after": "", "kind": "question", "question": question.pk}
    )
    editor_client.post(
        url("ros_delete", template), {"step": step_id(template, "Welcome"), "confirm": "yes"}
    )
    session.refresh_from_db()
    assert session.current_step_id == who.pk and session.status == WorkshopSession.Status.LIVE
    assert titles(template) == ["When was IOM founded?", "Who is IOM?", "SDG 10 and target 10.7"]
    # Next follows the new order.
    services.move_by(session, 1, facilitator)
    session.refresh_from_db()
    assert session.current_step.title == "SDG 10 and target 10.7"


def test_the_control_view_shows_the_new_order(editor_client, session, template):
    from live.audiences import CONTROL, Audience
    from live.regions import render_regions

    editor_client.post(url("ros_move", template), {"step": step_id(template, "Welcome"), "to": "3"})
    session.refresh_from_db()
    (agenda,) = render_regions(session, Audience(CONTROL, session.pk), ["agenda"])
    html = agenda["html"]
    assert html.index("Who is IOM?") < html.index("SDG 10") < html.index("Welcome")
    assert 'aria-current="step"' in html.split("Welcome")[0].rsplit("<li", 1)[1]


def test_the_editor_shows_which_step_a_session_is_on(editor_client, session, template):
    html = editor_client.get(url("run_of_show", template)).content.decode()
    assert html.count("A session is on it") == 1


# --- preview ------------------------------------------------------------------------------


def test_the_preview_frames_the_projector_and_a_phone(editor_client, template):
    who = step_id(template, "Who is IOM?")
    html = editor_client.get(
        url("ros_preview", template, step_id=who) + "?lang=fr"
    ).content.decode()
    assert 'width="1920" height="1080"' in html and 'width="390"' in html
    assert "/preview/screen?lang=fr" in html and "/preview/participant?lang=fr" in html


@pytest.mark.parametrize("audience", ["screen", "participant"])
def test_a_preview_frame_renders_the_real_step_in_the_language_asked(
    editor_client, template, audience
):
    step = template.ordered_steps().get(title_en="Who is IOM?")
    step.title_nl = "Wie is IOM?"
    step.save()
    response = editor_client.get(
        url("ros_preview_frame", template, step_id=step.pk, audience=audience) + "?lang=nl"
    )
    html = response.content.decode()
    assert 'id="stage"' in html and "Wie is IOM?" in html and "Since 1951" in html
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert not WorkshopSession.objects.exists()  # the preview keeps nothing


def test_a_question_preview_shows_the_question(editor_client, template, question):
    step = StepFactory(
        template=template, position=4, kind=Step.Kind.QUESTION, title="Quiz", question=question
    )
    html = editor_client.get(
        url("ros_preview_frame", template, step_id=step.pk, audience="participant")
    ).content.decode()
    assert "When was IOM founded?" in html


def test_a_preview_of_a_step_of_another_template_is_not_found(editor_client, template):
    stranger = StepFactory(title="Elsewhere")
    assert editor_client.get(url("ros_preview", template, step_id=stranger.pk)).status_code == 404


# --- languages ----------------------------------------------------------------------------

ENGLISH_UI = ("Insert here", "Move a step", "Delete", "Preview", "Kind", "Run of show", "Edit")


@pytest.mark.parametrize(
    ("language", "insert_here"), [("fr", "Insérer ici"), ("nl", "Hier invoegen")]
)
def test_the_editor_speaks_french_and_dutch(editor_client, template, language, insert_here):
    welcome = step_id(template, "Welcome")
    pages = [
        url("run_of_show", template),
        url("ros_delete_confirm", template, step_id=welcome),
        url("ros_preview", template, step_id=welcome),
    ]
    for address in pages:
        html = editor_client.get(address, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        visible = html.replace("Welcome", "").replace("Leaving no one behind", "")
        assert [text for text in ENGLISH_UI if f">{text}<" in visible] == [], address
    html = editor_client.get(pages[0], HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert insert_here in html
    refused = editor_client.post(
        url("ros_move", template), {"step": welcome, "to": "up"}, HTTP_ACCEPT_LANGUAGE=language
    )
    first = {"fr": "Cette étape est déjà la première.", "nl": "Deze stap is al de eerste."}
    assert first[language] in refused.content.decode()  # the errors too


# --- a question's moments in the preview ------------------------------------------------


@pytest.fixture
def question_step(template, question):
    from quizzes.models import Choice

    Choice.objects.create(question=question, position=1, text="1951", correct=True)
    Choice.objects.create(question=question, position=2, text="1989")
    return StepFactory(
        template=template, position=4, kind=Step.Kind.QUESTION, title="Quiz", question=question
    )


def test_a_question_previews_open_by_default_with_its_answer_form(
    editor_client, template, question_step
):
    page = editor_client.get(
        url("ros_preview", template, step_id=question_step.pk)
    ).content.decode()
    assert "moment=open" in page and "moment=revealed" in page and "moment=draft" in page
    frame = url("ros_preview_frame", template, step_id=question_step.pk, audience="participant")
    assert "answer-form" in editor_client.get(frame).content.decode()
    assert "answer-form" not in editor_client.get(frame + "?moment=draft").content.decode()


def test_a_revealed_question_shows_the_answer_and_keeps_nothing(
    editor_client, template, question_step
):
    from quizzes.models import QuestionRun

    frame = url("ros_preview_frame", template, step_id=question_step.pk, audience="screen")
    html = editor_client.get(frame + "?moment=revealed").content.decode()
    assert "state-revealed" in html
    assert not QuestionRun.objects.exists() and not WorkshopSession.objects.exists()


def test_a_content_step_has_no_moments(editor_client, template):
    who = step_id(template, "Who is IOM?")
    page = editor_client.get(
        url("ros_preview", template, step_id=who) + "?moment=open"
    ).content.decode()
    assert "moment=" not in page


def test_a_refused_move_opens_no_insert_form(editor_client, template):
    data = {"step": step_id(template, "Welcome"), "to": "up"}
    html = editor_client.post(url("ros_move", template), data).content.decode()
    assert '<details class="ros-insert" open>' not in html
