from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import Fact, Group, Participant, Step, WorkshopSession, WorkshopTemplate


class StepInline(TranslationTabularInline):
    model = Step
    fields = ("position", "kind", "title", "subtitle")
    extra = 0
    show_change_link = True
    ordering = ("position", "id")


@admin.register(WorkshopTemplate)
class WorkshopTemplateAdmin(TranslationAdmin):
    list_display = ("title", "slug", "updated_at")
    prepopulated_fields = {"slug": ("title_en",)}
    inlines = [StepInline]


class FactInline(TranslationTabularInline):
    model = Fact
    extra = 0


@admin.register(Step)
class StepAdmin(TranslationAdmin):
    list_display = ("title", "template", "position", "kind")
    list_filter = ("template", "kind")
    ordering = ("template", "position", "id")
    inlines = [FactInline]


class GroupInline(admin.TabularInline):
    model = Group
    extra = 0


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ("nickname", "group", "language", "joined_at")
    readonly_fields = ("joined_at",)
    extra = 0


@admin.register(WorkshopSession)
class WorkshopSessionAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "status", "facilitator", "created_at")
    list_filter = ("status",)
    search_fields = ("title", "code")
    readonly_fields = ("code", "public_id", "created_at", "started_at", "ended_at")
    filter_horizontal = ("co_facilitators",)
    inlines = [GroupInline, ParticipantInline]
