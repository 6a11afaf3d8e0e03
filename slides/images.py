"""Content steps' images: stored under ``images/`` and served like slides."""

from __future__ import annotations

from workshop.models import Step

IMAGE_FOLDER = "images"


def referenced_images() -> set[str]:
    return set(Step.objects.exclude(image="").values_list("image", flat=True))
