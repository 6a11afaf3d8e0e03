"""Pack extensions of the SDG exercise.

An exercise step may carry its defaults:

    - kind: exercise
      exercise: {allocation: shared, minutes: 15}

Both keys are optional (defaults: all 17 SDGs per group, 20 minutes); the
facilitator can still choose otherwise when starting the exercise.

A template may carry the reference mapping its exercise is compared with,
in a top-level section (without one, the reveal shows the groups' map alone):

    sdg_reference:
      author: {en: "IOM", fr: "OIM"}          # who made it, as screens name it
      themes:                                 # each theme and the targets it names
        - name: {en: "Remittances"}
          targets: ["10.c"]
      actions_title: {en: "Acceleration Actions"}
      actions:                                # numbered 1, 2, ... in this order
        - title: {en: "Extending social protection"}
          summary: {en: "..."}
          sdgs: [1, 3, 5]
      notes:                                  # for facilitators, one per target
        - target: "1.3"
          text: {en: "..."}
"""

from __future__ import annotations

from typing import Any

from workshop.models import Step, WorkshopTemplate
from workshop.packs import BasePackExtension, PackContext, check_text, text_of, translated

from .display import _code_key
from .models import (
    Allocation,
    ExerciseConfig,
    Goal,
    Reference,
    ReferenceAction,
    ReferenceNote,
    ReferenceTheme,
    Target,
)
from .services import MAX_MINUTES


class ExerciseExtension(BasePackExtension):
    step_keys = {"exercise"}

    def validate(self, ctx: PackContext) -> None:
        steps = (ctx.data.get("template") or {}).get("steps") or []
        for index, step in enumerate(steps):
            if not isinstance(step, dict) or "exercise" not in step:
                continue
            place = f"template.steps[{index}].exercise"
            spec = step["exercise"]
            if step.get("kind") != Step.Kind.EXERCISE:
                ctx.error(place, "only an exercise step has exercise settings")
            if not isinstance(spec, dict):
                ctx.error(place, "must be a mapping with allocation and minutes")
                continue
            for key in spec:
                if key not in ("allocation", "minutes"):
                    ctx.error(f"{place}.{key}", "unknown field; use allocation or minutes")
            allocation = spec.get("allocation", Allocation.ALL)
            if allocation not in Allocation.values:
                ctx.error(f"{place}.allocation", "must be all or shared")
            minutes = spec.get("minutes", 20)
            if (
                not isinstance(minutes, int)
                or isinstance(minutes, bool)
                or not (0 <= minutes <= MAX_MINUTES)
            ):
                ctx.error(f"{place}.minutes", f"must be a whole number from 0 to {MAX_MINUTES}")

    def apply(self, ctx: PackContext, template: WorkshopTemplate) -> None:
        for step, spec in ctx.steps:
            settings = spec.get("exercise")
            if step.kind == Step.Kind.EXERCISE and isinstance(settings, dict):
                ExerciseConfig.objects.update_or_create(
                    step=step,
                    defaults={
                        "allocation": settings.get("allocation", Allocation.ALL),
                        "minutes": settings.get("minutes", 20),
                    },
                )

    def export_step(self, step: Step) -> dict:
        config = ExerciseConfig.objects.filter(step=step).first()
        if step.kind != Step.Kind.EXERCISE or config is None:
            return {}
        return {"exercise": {"allocation": config.allocation, "minutes": config.minutes}}


# --- the reference mapping ------------------------------------------------------------

REFERENCE_KEYS = {"author", "themes", "actions_title", "actions", "notes"}
THEME_KEYS = {"name", "targets"}
ACTION_KEYS = {"title", "summary", "sdgs"}
NOTE_KEYS = {"target", "text"}


class ReferenceExtension(BasePackExtension):
    top_keys = {"sdg_reference"}

    def validate(self, ctx: PackContext) -> None:
        if "sdg_reference" not in ctx.data:
            return
        spec = ctx.data["sdg_reference"]
        if not isinstance(spec, dict):
            ctx.error("sdg_reference", "must be a mapping with author, themes and actions")
            return
        _unknown_keys(ctx, spec, "sdg_reference", REFERENCE_KEYS)
        check_text(ctx, spec.get("author"), "sdg_reference.author", required=True, max_length=80)
        check_text(
            ctx,
            spec.get("actions_title"),
            "sdg_reference.actions_title",
            required=False,
            max_length=200,
        )
        codes = set(Target.objects.values_list("code", flat=True))
        for place, theme in _items(ctx, spec, "themes"):
            _unknown_keys(ctx, theme, place, THEME_KEYS)
            check_text(ctx, theme.get("name"), f"{place}.name", required=True, max_length=200)
            _check_codes(ctx, theme.get("targets"), f"{place}.targets", codes)
        for place, action in _items(ctx, spec, "actions"):
            _unknown_keys(ctx, action, place, ACTION_KEYS)
            check_text(ctx, action.get("title"), f"{place}.title", required=True, max_length=300)
            check_text(
                ctx, action.get("summary"), f"{place}.summary", required=False, max_length=2000
            )
            _check_sdgs(ctx, action.get("sdgs"), f"{place}.sdgs")
        noted: set[str] = set()
        for place, note in _items(ctx, spec, "notes"):
            _unknown_keys(ctx, note, place, NOTE_KEYS)
            _check_codes(ctx, [note.get("target")], f"{place}.target", codes)
            if note.get("target") in noted:
                ctx.error(f"{place}.target", "has a note already; one note per target")
            noted.add(note.get("target"))
            check_text(ctx, note.get("text"), f"{place}.text", required=True, max_length=5000)

    def apply(self, ctx: PackContext, template: WorkshopTemplate) -> None:
        # Importing rebuilds the template: a pack without the section leaves none.
        Reference.objects.filter(template=template).delete()
        spec = ctx.data.get("sdg_reference")
        if spec is None:
            return
        reference = Reference.objects.create(
            template=template,
            **translated(spec["author"], "author"),
            **translated(spec.get("actions_title"), "actions_title"),
        )
        targets = {t.code: t for t in Target.objects.all()}
        goals = {g.number: g for g in Goal.objects.all()}
        for position, theme_spec in enumerate(spec.get("themes") or [], start=1):
            theme = ReferenceTheme.objects.create(
                reference=reference, position=position, **translated(theme_spec["name"], "name")
            )
            theme.targets.set([targets[code] for code in theme_spec["targets"]])
        for number, action_spec in enumerate(spec.get("actions") or [], start=1):
            action = ReferenceAction.objects.create(
                reference=reference,
                number=number,
                **translated(action_spec["title"], "title"),
                **translated(action_spec.get("summary"), "summary"),
            )
            action.goals.set([goals[n] for n in action_spec["sdgs"]])
        for note_spec in spec.get("notes") or []:
            ReferenceNote.objects.create(
                reference=reference,
                target=targets[note_spec["target"]],
                **translated(note_spec["text"], "text"),
            )

    def export(self, template: WorkshopTemplate) -> dict[str, Any]:
        reference = Reference.objects.filter(template=template).first()
        if reference is None:
            return {}
        spec: dict[str, Any] = {"author": text_of(reference, "author")}
        themes = [
            {"name": text_of(theme, "name"), "targets": _codes_in_order(theme.targets.all())}
            for theme in reference.themes.prefetch_related("targets__goal")
        ]
        if themes:
            spec["themes"] = themes
        if actions_title := text_of(reference, "actions_title"):
            spec["actions_title"] = actions_title
        actions = [_export_action(action) for action in reference.actions.prefetch_related("goals")]
        if actions:
            spec["actions"] = actions
        notes = [
            {"target": note.target.code, "text": text_of(note, "text")}
            for note in reference.notes.select_related("target__goal")
        ]
        if notes:
            spec["notes"] = notes
        return {"sdg_reference": spec}


def _items(ctx: PackContext, spec: dict[str, Any], key: str):
    """(place, mapping) for each item of an optional list of mappings."""
    items = spec.get(key, [])
    if not isinstance(items, list):
        ctx.error(f"sdg_reference.{key}", "must be a list")
        return
    for index, item in enumerate(items):
        place = f"sdg_reference.{key}[{index}]"
        if isinstance(item, dict):
            yield place, item
        else:
            ctx.error(place, "must be a mapping")


def _unknown_keys(ctx: PackContext, spec: dict[str, Any], place: str, known: set[str]) -> None:
    for key in spec:
        if key not in known:
            ctx.error(f"{place}.{key}", f"unknown field; use {', '.join(sorted(known))}")


def _check_codes(ctx: PackContext, codes: Any, place: str, known: set[str]) -> None:
    # YAML reads 8.5 unquoted as a number, and 10.10 as 10.1: codes must be quoted.
    if not isinstance(codes, list) or not codes:
        ctx.error(place, 'must be a list of target codes in quotes, like ["10.7"]')
        return
    for code in codes:
        if not isinstance(code, str):
            ctx.error(place, f'{code!r}: write target codes in quotes, like "10.7"')
        elif code not in known:
            ctx.error(place, f"{code}: no such SDG target")


def _check_sdgs(ctx: PackContext, numbers: Any, place: str) -> None:
    valid = isinstance(numbers, list) and all(
        isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 17 for n in numbers
    )
    if not valid:
        ctx.error(place, "must be a list of SDG numbers from 1 to 17")


def _codes_in_order(targets) -> list[str]:
    return sorted((t.code for t in targets), key=_code_key)


def _export_action(action: ReferenceAction) -> dict[str, Any]:
    spec: dict[str, Any] = {"title": text_of(action, "title")}
    if summary := text_of(action, "summary"):
        spec["summary"] = summary
    spec["sdgs"] = sorted(g.number for g in action.goals.all())
    return spec
