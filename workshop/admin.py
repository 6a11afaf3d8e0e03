from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from live.audiences import PARTICIPANT, SCREEN

from . import packs, previews, run_of_show
from .models import Fact, Group, Participant, Step, WorkshopSession, WorkshopTemplate


class StepInline(TranslationTabularInline):
    model = Step
    fields = ("position", "kind", "title", "subtitle")
    # The order is changed in the run-of-show editor, which keeps positions
    # dense and unique; typed numbers collided and left gaps.
    readonly_fields = ("position",)
    extra = 0
    show_change_link = True
    ordering = ("position", "id")


# Inlines other apps add to the template's page (the SDG reference), as they
# register pack extensions: the core app does not import them.
_TEMPLATE_INLINES: list[type[admin.options.InlineModelAdmin]] = []


def register_template_inline(inline: type[admin.options.InlineModelAdmin]) -> None:
    _TEMPLATE_INLINES.append(inline)


@admin.register(WorkshopTemplate)
class WorkshopTemplateAdmin(TranslationAdmin):
    list_display = ("title", "slug", "updated_at")
    prepopulated_fields = {"slug": ("title_en",)}
    inlines = [StepInline]
    actions = ["duplicate"]

    def get_inlines(self, request: HttpRequest, obj: WorkshopTemplate | None):
        return [*self.inlines, *_TEMPLATE_INLINES]

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """Steps added here go to the end of the run of show; deletions
        close their gaps."""
        if formset.model is not Step:
            super().save_formset(request, form, formset, change)
            return
        template = run_of_show.lock_template(form.instance)
        steps = formset.save(commit=False)
        for step in formset.deleted_objects:
            step.delete()
        for step in steps:
            if step.pk is None:
                step.position = run_of_show.next_position(template)
            step.save()
        formset.save_m2m()
        run_of_show.renumber(template)

    @admin.action(description=_("Duplicate the selected templates"))
    def duplicate(self, request: HttpRequest, queryset) -> None:
        for template in queryset:
            try:
                copy = packs.duplicate_template(template)
            except packs.PackError as error:
                # Content edited in the admin that a pack cannot carry: say what, copy nothing.
                self.message_user(
                    request,
                    format_html(_("{} was not duplicated: {}"), template.title, str(error)),
                    messages.ERROR,
                )
                continue
            self.message_user(
                request,
                format_html(
                    _("Created {} from {}."),
                    copy.title,
                    template.title,
                ),
                messages.SUCCESS,
            )


class FactInline(TranslationTabularInline):
    model = Fact
    extra = 0


@admin.register(Step)
class StepAdmin(TranslationAdmin):
    list_display = ("title", "template", "position", "kind", "preview_links")
    list_filter = ("template", "kind")
    ordering = ("template", "position", "id")
    readonly_fields = ("position",)  # see StepInline
    inlines = [FactInline]

    def save_model(self, request: HttpRequest, obj: Step, form, change: bool) -> None:
        """A new step, or one moved to another template, goes to the end of
        its template's run of show; the template it left closes the gap."""
        left = form.initial.get("template") if change else None
        if not change or "template" in form.changed_data:
            template = run_of_show.lock_template(obj.template)
            obj.position = run_of_show.next_position(template)
        super().save_model(request, obj, form, change)
        if left is not None and left != obj.template_id:
            run_of_show.renumber(WorkshopTemplate.objects.get(pk=left))

    def delete_model(self, request: HttpRequest, obj: Step) -> None:
        super().delete_model(request, obj)
        run_of_show.renumber(obj.template)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        templates = list(WorkshopTemplate.objects.filter(steps__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for template in templates:
            run_of_show.renumber(template)

    def get_urls(self):
        return [
            path(
                "<int:step_id>/preview/<str:audience>/",
                self.admin_site.admin_view(self.preview_view),
                name="workshop_step_preview",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("Preview"))
    def preview_links(self, step: Step) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:workshop_step_preview", args=[step.pk, SCREEN]),
            _("projector"),
            reverse("admin:workshop_step_preview", args=[step.pk, PARTICIPANT]),
            _("phone"),
        )

    def preview_view(self, request: HttpRequest, step_id: int, audience: str) -> HttpResponse:
        """The step as the projector or a phone shows it, in a chosen language,
        rendered by the step kind's own templates inside a throwaway session."""
        step = get_object_or_404(Step.objects.select_related("template"), pk=step_id)
        if audience not in (SCREEN, PARTICIPANT):
            audience = SCREEN
        language = previews.language_asked(request)
        with translation.override(language):
            stage = previews.render_stage(request, step, audience)
            context = {
                **self.admin_site.each_context(request),
                "step": step,
                "audience": audience,
                "stage": stage,
                "language": language,
                "languages": settings.LANGUAGES,
                "screen_kind": SCREEN,
                "phone_kind": PARTICIPANT,
            }
            response = TemplateResponse(request, "admin/workshop/step_preview.html", context)
            return response.render()


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
