from django.apps import AppConfig


class LiveConfig(AppConfig):
    # No models: the presence tables stay in workshop's migrations, where
    # their history is.
    name = "live"
    verbose_name = "Live machinery"
