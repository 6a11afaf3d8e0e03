from django.apps import AppConfig


class SdgmapConfig(AppConfig):
    name = "sdgmap"
    verbose_name = "SDG mapping"

    def ready(self) -> None:
        import live
        from live import CONTROL, PARTICIPANT, SCREEN, register_region
        from workshop import step_kinds
        from workshop.packs import register_extension

        from . import consumers  # noqa: F401  (registers the "card" socket action)
        from .display import exercise_context
        from .packs import ExerciseExtension, ReferenceExtension

        step_kinds.register(
            step_kinds.StepKindSpec(
                "exercise", "sdgmap/step", per_group=True, context=exercise_context
            )
        )
        # Nested inside the stages: a card edit re-renders these, not the whole step.
        register_region(SCREEN, "sdg-map", "sdgmap/regions/screen_map.html")
        register_region(CONTROL, "sdg-progress", "sdgmap/regions/control_progress.html")
        # The run changed (started, closed, spotlight, reveal): every stage.
        live.register_topic(
            "sdgrun", [(SCREEN, "stage"), (CONTROL, "stage"), (PARTICIPANT, "stage")]
        )
        # A card changed: coalesced, as groups type and tick in bursts. A phone's
        # whole stage is its group's cards, so that is what re-renders (one
        # render per group and language; the stage stays well under 64 KiB).
        live.register_topic(
            "sdgcards",
            [(PARTICIPANT, "stage"), (CONTROL, "sdg-progress"), (SCREEN, "sdg-map")],
            delay=0.25,
        )
        # Close a timed exercise when its time is up, though nobody clicks.
        from . import services

        live.register_deadlines(
            services.DEADLINE_KIND,
            expire=services.expire_exercise,
            pending=services.pending_deadlines,
        )
        register_extension(ExerciseExtension())
        register_extension(ReferenceExtension())
        from workshop import run_of_show

        from .services import check_step_deletable

        run_of_show.register_delete_check(check_step_deletable)
        from . import report, takeaway

        report.register()
        takeaway.register()
