"""Uploading a deck in the admin: a PDF per template and language.

The form checks what can be checked at once (size, signature, the
uploader's permission, no other upload of that deck rendering); saving
starts the same background job as the run-of-show side (slides.jobs), and
the admin then shows its progress page, which comes again by itself until
the job ends. The job is all-or-nothing (slides.services).
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workshop.errors import DomainError

from . import jobs, services
from .models import Deck, DeckUpload, Slide


class DeckUploadForm(forms.ModelForm):
    pdf = forms.FileField(
        label=_("PDF file"),
        help_text=_(
            "A deck exported to PDF. A new version replaces this one page by page: "
            "the steps placed between slides stay where they are."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = Deck
        fields = ["template", "language"]

    def __init__(self, *args, request: HttpRequest | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.pdf_bytes = b""

    def clean(self):
        cleaned = super().clean()
        template = cleaned.get("template") or getattr(self.instance, "template", None)
        language = cleaned.get("language") or self.instance.language
        upload = cleaned.get("pdf")
        if not (template and language and upload) or self.errors:
            return cleaned
        if upload.size > services.max_bytes():
            raise ValidationError({"pdf": services.too_large_message()})
        data = upload.read()
        try:
            services.check_may_upload(self.request and self.request.user, template)
            services.check_upload(language, data)
            jobs.check_not_rendering(template, language)
        except DomainError as error:
            raise ValidationError({"pdf": str(error.message)}) from None
        self.pdf_bytes = data
        # A deck of a language that has one is a new version, which replaces
        # it: the form's uniqueness check must not call it a duplicate.
        self.instance = Deck.objects.filter(template=template, language=language).first() or (
            self.instance
        )
        return cleaned


class SlideInline(admin.TabularInline):
    model = Slide
    fields = ("number", "preview", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("Slide"))
    def preview(self, slide: Slide) -> str:
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="">',
            slide.thumbnail_url,
            slide.thumbnail_width,
            slide.thumbnail_height,
        )


@admin.register(Deck)
class DeckAdmin(admin.ModelAdmin):
    form = DeckUploadForm
    list_display = ("template", "language", "page_count", "render_seconds", "uploaded_at")
    list_filter = ("template", "language")
    inlines = [SlideInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class WithRequest(form_class):  # type: ignore[misc,valid-type]
            def __init__(self, *args, **inner) -> None:
                super().__init__(*args, request=request, **inner)

        return WithRequest

    def get_readonly_fields(self, request, obj=None):
        # A deck stays with its template and language; a new version replaces it.
        return ("template", "language", "page_count", "render_seconds") if obj else ()

    def get_urls(self):
        progress = path(
            "upload/<uuid:upload_id>/",
            self.admin_site.admin_view(self.upload_progress_view),
            name="slides_deck_upload",
        )
        return [progress, *super().get_urls()]

    # Saving starts the upload's job instead of writing the deck: the job
    # writes it once every page is rendered, after the admin's transaction
    # has committed.
    def save_form(self, request, form, change):
        deck = form.instance
        deck.upload_job, deck.upload_refusal = None, ""
        try:
            deck.upload_job = jobs.start_upload(
                form.cleaned_data.get("template") or deck.template,
                form.cleaned_data.get("language") or deck.language,
                form.pdf_bytes,
                user=request.user,
            )
        except DomainError as error:  # another upload began since the form was checked
            deck.upload_refusal = str(error.message)
        return deck

    def save_model(self, request, obj, form, change) -> None:
        pass

    def save_related(self, request, form, formsets, change) -> None:
        # The slides are the upload's own; the inline is read-only.
        pass

    def construct_change_message(self, request, form, formsets, add=False):
        # Nothing to describe (and the read-only inline was never saved,
        # which Django's own description would need).
        return []

    def log_addition(self, request, obj, message):
        # The deck does not exist until its job ends; the DeckUpload row
        # records who uploaded which deck, and when.
        return None

    def log_change(self, request, obj, message):
        return None

    def response_add(self, request, obj, post_url_continue=None) -> HttpResponse:
        return self._to_progress(request, obj)

    def response_change(self, request, obj) -> HttpResponse:
        return self._to_progress(request, obj)

    def _to_progress(self, request: HttpRequest, deck: Deck) -> HttpResponse:
        job = getattr(deck, "upload_job", None)
        if job is None:
            self.message_user(request, getattr(deck, "upload_refusal", ""), messages.ERROR)
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(reverse("admin:slides_deck_upload", args=[job.public_id]))

    def upload_progress_view(self, request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
        """An upload's progress; the page comes again by itself until the
        job ends (no JavaScript needed), then says what it did."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            services.check_may_upload(request.user, None)
        except DomainError as error:
            raise PermissionDenied(str(error.message)) from None
        upload = get_object_or_404(
            DeckUpload.objects.select_related("template"), public_id=upload_id
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Uploading a deck"),
            "subtitle": f"{upload.template} ({upload.get_language_display()})",
            "upload": upload,
            # Read once the job ended, when its deck is written: not while
            # the job's own connection writes it.
            "deck": (
                None
                if upload.shown_state == DeckUpload.State.RENDERING
                else Deck.objects.filter(template=upload.template, language=upload.language).first()
            ),
            "result": jobs.describe(upload.result) if upload.result else "",
        }
        return TemplateResponse(request, "admin/slides/deck/upload_progress.html", context)
