from django.apps import AppConfig


class QnaConfig(AppConfig):
    name = "qna"
    verbose_name = "Questions from the room"

    def ready(self) -> None:
        from . import live_setup

        live_setup.register()
