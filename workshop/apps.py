from django.apps import AppConfig


class WorkshopConfig(AppConfig):
    name = "workshop"
    verbose_name = "Workshops"

    def ready(self) -> None:
        import live
        from live import CONTROL, SCREEN

        # The core step kinds: every process renders steps, a management command too.
        from . import step_kinds  # noqa: F401

        # The run of show of a template changed (workshop.run_of_show): the
        # control views of its open sessions show the new order. The projector
        # and phones show the current step only, which an edit of the order
        # leaves as it was.
        live.register_topic("run_of_show", [(CONTROL, "agenda"), (CONTROL, "stage")])
        # The projector's join code, and the control view's buttons for it.
        live.register_topic("join-display", [(SCREEN, "joinbar"), (CONTROL, "room")])
