"""Pack extension: an exercise step may carry its defaults.

    - kind: exercise
      exercise: {allocation: shared, minutes: 15}

Both keys are optional (defaults: all 17 SDGs per group, 20 minutes); the
facilitator can still choose otherwise when starting the exercise.
"""

from __future__ import annotations

from workshop.models import Step, WorkshopTemplate
from workshop.packs import BasePackExtension, PackContext

from .models import Allocation, ExerciseConfig
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
