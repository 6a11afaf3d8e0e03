from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self) -> None:
        from live.regions import register_warm_up
        from workshop import packs

        from . import consumers, sdg_tiles, stage  # noqa: F401  (consumers: the "answer" action)
        from .packs import QuizPackExtension

        stage.register()
        import live

        from . import services

        # Close a question at the end of its countdown, though nobody clicks.
        live.register_deadlines(
            services.DEADLINE_KIND,
            expire=services.expire_question,
            pending=services.pending_deadlines,
        )
        register_warm_up(sdg_tiles.tiles)  # the SDG reference file, parsed once
        packs.register_extension(QuizPackExtension())

        from . import report

        report.register()  # results in the workshop report, answers as CSV
        from . import takeaway

        takeaway.register()  # each participant's answers once the session has ended
        from . import preview

        preview.register()  # open and revealed, in the run-of-show editor's preview
