"""Q&A in the admin: the questions of each session, and a template's default."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .models import QnaSettings, Question, TemplateQna


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "session", "state", "lang", "anonymous", "nickname", "vote_count")
    list_filter = ("state", "lang", "anonymous")
    search_fields = ("text", "reply")
    raw_id_fields = ("session", "author")
    readonly_fields = ("created_at", "shown_at", "answered_at", "replied_at", "highlighted_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        return super().get_queryset(request).annotate(n_votes=Count("votes"))

    @admin.display(description="votes", ordering="n_votes")
    def vote_count(self, question: Question) -> int:
        return question.n_votes


@admin.register(TemplateQna)
class TemplateQnaAdmin(admin.ModelAdmin):
    list_display = ("template", "enabled", "moderated", "anonymous_allowed")


@admin.register(QnaSettings)
class QnaSettingsAdmin(admin.ModelAdmin):
    list_display = ("session", "enabled", "moderated", "anonymous_allowed")
    raw_id_fields = ("session",)
