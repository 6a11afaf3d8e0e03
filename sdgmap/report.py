"""The exercise in the workshop report and the exports: the groups' SDG map,
their targets and reasoning next to the template's reference, if it has one. Aggregated by group;
nothing points to a person, so it survives the retention purge as it is. The
cards' edit history, each person's every submission, goes with them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from live import SCREEN, Audience
from live.regions import RenderTarget
from reports import registry
from workshop.models import WorkshopSession

from .display import ExerciseDisplay, _code_key
from .models import CardEdit, ExerciseRun, GroupCard


def sdg_summary(session: WorkshopSession) -> dict[str, Any]:
    runs = ExerciseRun.objects.filter(session=session).exclude(state="not_started")
    exercises = []
    for run in runs.select_related("step").order_by("step__position", "id"):
        ex = ExerciseDisplay(RenderTarget(session, Audience(SCREEN, session.pk), run.step))
        groups: dict[int, list[dict[str, Any]]] = {}
        for card in ex.cards:
            groups.setdefault(card.goal.number, []).append(
                {
                    "group": card.group.name,
                    "rating": card.rating,
                    "targets": sorted((t.code for t in card.targets.all()), key=_code_key),
                    "reasoning": card.reasoning,
                    "hidden": card.reasoning_hidden,
                }
            )
        exercises.append(
            {
                "title": run.step.title,
                "state": run.state,
                "allocation": run.allocation,
                "groups": len(ex.groups),
                "reference_by": ex.reference.author if ex.reference else "",
                "done": ex.total_done,
                "assigned": ex.total_assigned,
                "sdgs": [
                    {
                        "number": t.goal.number,
                        "name": t.goal.short_name,
                        "strong": t.strong,
                        "some": t.some,
                        "none": t.none,
                        "reference": t.reference_codes,
                        "agreed": [code for code, n in t.agreed if n],
                        "beyond": [code for code, _n in t.beyond],
                        "actions": t.actions,
                        "cards": groups.get(t.goal.number, []),
                    }
                    for t in ex.tallies
                ],
            }
        )
    return {"exercises": exercises} if exercises else {}


def cards_csv(session: WorkshopSession):
    header = [
        _("exercise"),
        _("group"),
        _("SDG"),
        _("rating"),
        _("targets"),
        _("reasoning"),
        _("hidden on the projector"),
        _("last changed at"),
    ]
    cards = (
        GroupCard.objects.filter(run__session=session)
        .select_related("run__step", "group", "goal")
        .prefetch_related("targets")
        .order_by("run__step__position", "group__position", "goal__number")
    )
    rows = (
        [
            card.run.step.title,
            card.group.name,
            card.goal.number,
            card.rating,
            " ".join(sorted((t.code for t in card.targets.all()), key=_code_key)),
            card.reasoning,
            "yes" if card.reasoning_hidden else "",
            card.updated_at,
        ]
        for card in cards
    )
    return header, rows


def purge_edit_history(session: WorkshopSession) -> None:
    """Each submission of each person, conflicts included, with who sent it
    (detached once the participants go, but still their words and times):
    the purge deletes it. The cards keep what each group settled on."""
    CardEdit.objects.filter(card__run__session=session).delete()


def register() -> None:
    registry.register_purge_hook(purge_edit_history)
    registry.register_summary_section("sdgmap", sdg_summary, order=50)
    registry.register_report_section("sdgmap", "sdgmap/report.html", order=50)
    registry.register_export("sdg-cards", _("SDG cards"), cards_csv, order=50)
