"""The project's URLconf: the admin, language switching, and the apps."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Workshop content"
admin.site.site_title = "Workshop admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("workshop.urls")),
    path("", include("reports.urls")),
    path("", include("sdgmap.urls")),
    path("", include("quizzes.urls")),
    path("", include("qna.urls")),
    path("", include("slides.urls")),
]
