from django.conf import settings
from django.urls import path

from . import views

app_name = "slides"

# MEDIA_URL may name another host (a CDN, an S3 bucket): then it serves them.
urlpatterns = [
    path("facilitate/templates/<slug:slug>/slides/", views.upload, name="upload"),
    path(
        "facilitate/templates/<slug:slug>/slides/jobs/<uuid:job>",
        views.job_progress,
        name="job",
    ),
]
if settings.MEDIA_URL.startswith("/"):
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media, name="media")
    )
