"""Editing quizzes, questions and choices, with a preview of how a question
shows on a phone and on the projector."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from .models import (
    RANKING_MAX_OPTIONS,
    RANKING_MIN_OPTIONS,
    Choice,
    Question,
    QuestionRun,
    Quiz,
)


class ChoiceFormSet(BaseInlineFormSet):
    """A ranking has 3 to 10 options, and a right order gives each its own
    place, 1 to n, or none has one: the rules packs follow too."""

    def clean(self) -> None:
        super().clean()
        if self.instance.kind != Question.Kind.RANKING:
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not RANKING_MIN_OPTIONS <= len(kept) <= RANKING_MAX_OPTIONS:
            raise ValidationError(
                _("A ranking has %(low)d to %(high)d options.")
                % {"low": RANKING_MIN_OPTIONS, "high": RANKING_MAX_OPTIONS}
            )
        ranks = [data.get("correct_rank") for data in kept]
        if any(ranks) and sorted(r or 0 for r in ranks) != list(range(1, len(kept) + 1)):
            raise ValidationError(
                _("A right order gives every option its own place, from 1 to %(n)d.")
                % {"n": len(kept)}
            )


class ChoiceInline(TranslationTabularInline):
    model = Choice
    formset = ChoiceFormSet
    fields = ("position", "text", "correct", "correct_rank")
    extra = 0
    ordering = ("position", "id")


class QuestionInline(TranslationStackedInline):
    model = Question
    fields = ("position", "key", "kind", "text")
    extra = 0
    show_change_link = True
    ordering = ("position", "id")


@admin.register(Quiz)
class QuizAdmin(TranslationAdmin):
    list_display = ("title", "key", "question_count")
    prepopulated_fields = {"key": ("title_en",)}
    inlines = [QuestionInline]

    @admin.display(description=_("questions"))
    def question_count(self, quiz: Quiz) -> int:
        return quiz.questions.count()


@admin.register(Question)
class QuestionAdmin(TranslationAdmin):
    list_display = ("key", "text", "kind", "quiz", "position", "used_in")
    list_filter = ("kind", "quiz")
    search_fields = ("key", "text")
    ordering = ("quiz", "position", "id")
    inlines = [ChoiceInline]
    readonly_fields = ("preview",)
    fieldsets = (
        (None, {"fields": ("quiz", "position", "key", "kind", "text", "explanation")}),
        (_("SDG choice"), {"fields": ("multiple", "correct_sdgs")}),
        (
            _("Number"),
            {"fields": ("number_correct", "number_tolerance", "number_min", "number_max", "unit")},
        ),
        (_("Scale"), {"fields": ("scale_min", "scale_max", "scale_min_label", "scale_max_label")}),
        (_("Open text"), {"fields": ("max_length", "approve_first")}),
        (_("Points to share"), {"fields": ("points_budget",)}),
        (
            _("In the room"),
            {"fields": ("allow_change", "show_results_live", "timer_seconds", "points")},
        ),
        (_("Preview"), {"fields": ("preview",)}),
    )

    @admin.display(description=_("used in"))
    def used_in(self, question: Question) -> str:
        return ", ".join(sorted({s.template.title for s in question.steps.all()})) or "—"

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("quiz").prefetch_related("steps__template")
        )

    @admin.display(description=_("How it shows"))
    def preview(self, question: Question) -> SafeString:
        if not question.pk:
            return mark_safe(_("Save the question to see a preview."))  # noqa: S308
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("quizzes:preview", args=[question.pk]),
            _("Open the phone and projector preview"),
        )


@admin.register(QuestionRun)
class QuestionRunAdmin(admin.ModelAdmin):
    list_display = ("question", "session", "state", "opened_at", "answer_count")
    list_filter = ("state",)
    readonly_fields = ("session", "step", "question", "opened_at", "closes_at", "created_at")

    @admin.display(description=_("answers"))
    def answer_count(self, run: QuestionRun) -> int:
        return run.answers.count()
