"""Uploading a deck in the admin: a PDF per template and language.

The upload happens while the form is validated, so that a refused file
shows its error on the form; it is all-or-nothing (slides.services).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workshop.errors import DomainError

from . import services
from .models import Deck, Slide


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
        self.summary: services.UploadSummary | None = None

    def clean(self):
        cleaned = super().clean()
        template = cleaned.get("template") or getattr(self.instance, "template", None)
        language = cleaned.get("language") or self.instance.language
        upload = cleaned.get("pdf")
        if not (template and language and upload) or self.errors:
            return cleaned
        if upload.size > services.max_bytes():
            raise ValidationError({"pdf": services.too_large_message()})
        try:
            self.summary = services.upload_deck(
                template, language, upload.read(), user=self.request and self.request.user
            )
        except DomainError as error:
            raise ValidationError({"pdf": str(error.message)}) from None
        # The deck uploaded: a language that had one has it replaced, which
        # the form's own uniqueness check must not call a duplicate.
        self.instance = self.summary.deck
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

    def save_form(self, request, form, change):
        return form.summary.deck

    def save_model(self, request, obj, form, change) -> None:
        summary = form.summary
        self.message_user(request, describe(summary), _level(summary))

    def save_related(self, request, form, formsets, change) -> None:
        # The slides are the upload's own; the inline is read-only.
        pass


def _level(summary: services.UploadSummary) -> int:
    return messages.WARNING if summary.steps_without_page else messages.SUCCESS


def describe(summary: services.UploadSummary) -> str:
    """What the upload did, in a sentence or four."""
    deck = summary.deck
    parts = [
        format_html(
            gettext("Rendered {pages} pages in {seconds} s."),
            pages=deck.page_count,
            seconds=f"{summary.seconds:.1f}",
        )
    ]
    if summary.replaced:
        parts.append(
            format_html(
                gettext("Pages added: {added}. Pages removed: {removed}."),
                added=_numbers(summary.pages_added),
                removed=_numbers(summary.pages_removed),
            )
        )
    if summary.steps_added:
        parts.append(
            format_html(gettext("{n} slide steps added to the run of show."), n=summary.steps_added)
        )
    if summary.steps_without_page:
        parts.append(
            format_html(
                gettext("These steps show a page this deck no longer has: {steps}."),
                steps=format_html_join(", ", "{}", ((str(s),) for s in summary.steps_without_page)),
            )
        )
    return format_html_join(" ", "{}", ((p,) for p in parts))


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers) if numbers else gettext("none")
