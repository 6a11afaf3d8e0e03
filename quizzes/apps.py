from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self) -> None:
        from workshop import packs

        from . import consumers, stage  # noqa: F401  (consumers registers the "answer" action)
        from .packs import QuizPackExtension

        stage.register()
        packs.register_extension(QuizPackExtension())

        from . import report

        report.register()  # results in the workshop report, answers as CSV
