"""Step positions that cannot collide: dense and unique per template (1..n),
on SQLite and PostgreSQL alike."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from workshop import run_of_show
from workshop.models import Step

from ..factories import StepFactory, TemplateFactory, UserFactory

pytestmark = pytest.mark.django_db


def positions(template) -> list[tuple[int, str]]:
    return [(s.position, s.title) for s in template.ordered_steps()]


def test_two_steps_of_a_template_cannot_share_a_position(template):
    with pytest.raises(IntegrityError), transaction.atomic():
        StepFactory(template=template, position=2, title="Duplicate")


def test_other_templates_may_use_the_same_positions(template):
    StepFactory(template=TemplateFactory(), position=1)


def test_it_writes_a_reversed_order_without_a_collision(template):
    """The reversal swaps positions 1 and 3 in place: a one-pass update
    would meet the constraint, PostgreSQL's row-by-row check included."""
    with transaction.atomic():
        run_of_show.lock_template(template)
        run_of_show._write_order(template, list(reversed(run_of_show.step_ids(template))))
    assert positions(template) == [
        (1, "SDG 10 and target 10.7"),
        (2, "Who is IOM?"),
        (3, "Welcome"),
    ]


def test_it_refuses_an_order_that_leaves_out_a_step(template):
    with pytest.raises(ValueError), transaction.atomic():
        run_of_show._write_order(template, run_of_show.step_ids(template)[:2])
    assert [p for p, _t in positions(template)] == [1, 2, 3]


def test_renumbering_closes_gaps_in_order(db):
    template = TemplateFactory()
    for position, title in ((10, "c"), (0, "a"), (7, "b")):
        StepFactory(template=template, position=position, title=title)
    run_of_show.renumber(template)
    assert positions(template) == [(1, "a"), (2, "b"), (3, "c")]


MIGRATION = ("workshop", "0003_step_position_unique_in_template")
BEFORE = ("workshop", "0002_step_question")


@pytest.mark.django_db(transaction=True)
def test_the_migration_renumbers_ties_in_creation_order():
    """Steps saved with the same number before the constraint existed come
    out 1..n in the order they showed in (position, then creation)."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        old = executor.loader.project_state([BEFORE]).apps
        template = old.get_model("workshop", "WorkshopTemplate").objects.create(slug="t", title="T")
        old_step = old.get_model("workshop", "Step")
        for position, title in ((2, "first"), (2, "second"), (0, "zero"), (9, "last")):
            old_step.objects.create(
                template=template, position=position, title=title, title_en=title
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    steps = Step.objects.filter(template_id=template.pk).order_by("position")
    assert [(s.position, s.title) for s in steps] == [
        (1, "zero"),
        (2, "first"),
        (3, "second"),
        (4, "last"),
    ]


# --- the admin --------------------------------------------------------------------


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(UserFactory(username="ada", is_staff=True, is_superuser=True))
    return client


def _inline_data(template, *, delete: set[int] = frozenset(), new: list[str] = ()) -> dict:
    """The template's change form as the admin posts it."""
    steps = list(template.ordered_steps())
    data = {
        "slug": template.slug,
        "title_en": template.title_en or template.title,
        "steps-TOTAL_FORMS": str(len(steps) + len(new)),
        "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        # The SDG reference's inline, which the sdgmap app adds to the page.
        "sdg_reference-TOTAL_FORMS": "0",
        "sdg_reference-INITIAL_FORMS": "0",
    }
    for index, step in enumerate(steps):
        data |= {
            f"steps-{index}-id": str(step.pk),
            f"steps-{index}-template": str(template.pk),
            f"steps-{index}-kind": step.kind,
            f"steps-{index}-title_en": step.title,
        }
        if step.pk in delete:
            data[f"steps-{index}-DELETE"] = "on"
    for offset, title in enumerate(new):
        index = len(steps) + offset
        data |= {
            f"steps-{index}-template": str(template.pk),
            f"steps-{index}-kind": "content",
            f"steps-{index}-title_en": title,
        }
    return data


def _post_template(admin_client, template, data) -> None:
    url = reverse("admin:workshop_workshoptemplate_change", args=[template.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_steps_added_in_the_admin_go_to_the_end(admin_client, template):
    _post_template(admin_client, template, _inline_data(template, new=["Added", "Added too"]))
    assert positions(template)[-2:] == [(4, "Added"), (5, "Added too")]


def test_a_step_deleted_in_the_admin_leaves_no_gap(admin_client, template):
    middle = template.ordered_steps()[1]
    _post_template(admin_client, template, _inline_data(template, delete={middle.pk}))
    assert positions(template) == [(1, "Welcome"), (2, "SDG 10 and target 10.7")]


def test_a_step_added_on_its_own_page_goes_to_the_end(admin_client, template):
    response = admin_client.post(
        reverse("admin:workshop_step_add"),
        {
            "template": template.pk,
            "kind": "content",
            "title_en": "Last",
            "facts-TOTAL_FORMS": "0",
            "facts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert positions(template)[-1] == (4, "Last")


def test_a_step_moved_to_another_template_leaves_no_gap(admin_client, template):
    other = TemplateFactory()
    StepFactory(template=other, position=1, title="Theirs")
    step = template.ordered_steps()[0]
    response = admin_client.post(
        reverse("admin:workshop_step_change", args=[step.pk]),
        {
            "template": other.pk,
            "kind": step.kind,
            "title_en": step.title,
            "facts-TOTAL_FORMS": "0",
            "facts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert positions(other) == [(1, "Theirs"), (2, "Welcome")]
    assert [p for p, _t in positions(template)] == [1, 2]


def test_steps_deleted_from_the_step_list_leave_no_gap(admin_client, template):
    first = template.ordered_steps()[0]
    response = admin_client.post(
        reverse("admin:workshop_step_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert [p for p, _t in positions(template)] == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_editors_reordering_at_once_never_collide():
    """Two editors moving steps of one template at the same moment: the
    template's row lock serialises their renumbering (PostgreSQL). SQLite
    serialises every write transaction already: IMMEDIATE takes the write
    lock up front, so only the setting is checked there."""
    if connection.vendor == "sqlite":
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    template = TemplateFactory()
    for position in range(1, 9):
        StepFactory(template=template, position=position, title=f"s{position}")
    ids = run_of_show.step_ids(template)
    errors = _run_in_threads(
        [lambda i=i: run_of_show.move_step(template, ids[i % 8], 8 - i % 8) for i in range(40)]
    )
    assert errors == []
    assert [p for p, _t in positions(template)] == list(range(1, 9))


def _run_in_threads(calls) -> list[Exception]:
    """Each call on a thread (a database connection) of its own, all at once."""
    import threading

    from django.db import connections

    errors: list[Exception] = []
    start = threading.Barrier(len(calls))

    def run(call):
        try:
            start.wait()
            call()
        except Exception as error:  # reported by the test, not lost in a thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
