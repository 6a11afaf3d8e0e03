from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import (
    AccelerationAction,
    CardEdit,
    ExerciseConfig,
    ExerciseRun,
    Goal,
    GroupCard,
    ReferenceTheme,
    Target,
)


class TargetInline(TranslationTabularInline):
    model = Target
    fields = ("code", "position", "description", "migration_note")
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


@admin.register(ReferenceTheme)
class ReferenceThemeAdmin(TranslationAdmin):
    list_display = ("name", "position")
    filter_horizontal = ("targets",)


@admin.register(AccelerationAction)
class AccelerationActionAdmin(TranslationAdmin):
    list_display = ("number", "title")
    filter_horizontal = ("goals",)


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
