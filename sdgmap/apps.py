from django.apps import AppConfig


class SdgmapConfig(AppConfig):
    name = "sdgmap"
    verbose_name = "SDG mapping"
