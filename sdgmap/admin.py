from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from workshop.admin import register_template_inline

from .models import (
    CardEdit,
    ExerciseConfig,
    ExerciseRun,
    Goal,
    GroupCard,
    Reference,
    ReferenceAction,
    ReferenceNote,
    ReferenceTheme,
    Target,
)


class TargetInline(TranslationTabularInline):
    model = Target
    fields = ("code", "position", "description")
    extra = 0


@admin.register(Goal)
class GoalAdmin(TranslationAdmin):
    list_display = ("number", "short_name", "colour")
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(TranslationAdmin):
    list_display = ("code", "goal", "description")
    list_filter = ("goal",)
    search_fields = ("code", "description")


# --- a template's reference mapping ----------------------------------------------------
# Edited on a page of its own: themes and actions carry lists of targets and
# SDGs, which inlines of the template's page (already an inline of steps) could
# not hold. The template's page shows who made it and links here.


class ReferenceThemeInline(TranslationTabularInline):
    model = ReferenceTheme
    fields = ("position", "name", "targets")
    autocomplete_fields = ("targets",)
    extra = 0


class ReferenceActionInline(TranslationStackedInline):
    model = ReferenceAction
    fields = ("number", "title", "summary", "goals")
    filter_horizontal = ("goals",)
    extra = 0


class ReferenceNoteInline(TranslationTabularInline):
    model = ReferenceNote
    fields = ("target", "text")
    autocomplete_fields = ("target",)
    extra = 0


@admin.register(Reference)
class ReferenceAdmin(TranslationAdmin):
    list_display = ("author", "template")
    search_fields = ("author", "template__title")
    inlines = [ReferenceThemeInline, ReferenceActionInline, ReferenceNoteInline]


class TemplateReferenceInline(TranslationStackedInline):
    """On the template's page: who made its reference, and a link to the rest."""

    model = Reference
    fields = ("author", "actions_title")
    show_change_link = True
    max_num = 1
    extra = 0
    verbose_name = _("SDG reference (themes and actions: save, then “Change”)")


register_template_inline(TemplateReferenceInline)


@admin.register(ExerciseConfig)
class ExerciseConfigAdmin(admin.ModelAdmin):
    list_display = ("step", "allocation", "minutes")


class GroupCardInline(admin.TabularInline):
    model = GroupCard
    fields = ("group", "goal", "rating", "reasoning", "reasoning_hidden", "version", "updated_by")
    readonly_fields = ("version", "updated_by")
    extra = 0


@admin.register(ExerciseRun)
class ExerciseRunAdmin(admin.ModelAdmin):
    list_display = ("session", "step", "state", "allocation", "started_at")
    list_filter = ("state",)
    inlines = [GroupCardInline]


@admin.register(CardEdit)
class CardEditAdmin(admin.ModelAdmin):
    list_display = ("card", "field", "outcome", "participant", "created_at")
    list_filter = ("outcome", "field")
    readonly_fields = [f.name for f in CardEdit._meta.fields]
