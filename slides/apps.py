from django.apps import AppConfig


class SlidesConfig(AppConfig):
    name = "slides"
    verbose_name = "Slide decks"

    def ready(self) -> None:
        from . import live_setup

        live_setup.register()
