"""The media the app serves itself: rendered slides and step images.

Only those: the uploaded PDFs (``decks/``) and anything else in the storage
are refused, whatever the path says.
"""

from __future__ import annotations

import re
import uuid

from django import forms
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from workshop.errors import DomainError
from workshop.models import WorkshopTemplate

from . import jobs, services
from .models import Deck

# A folder we serve, safe path segments, an image extension: no "..", no PDF.
SERVED = re.compile(r"(?:slides|images)/(?:[A-Za-z0-9_-]+/)*[A-Za-z0-9_-]+\.(webp|png|jpe?g|gif)")
CONTENT_TYPES = {
    "webp": "image/webp",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
}
# Every served name carries a hash of its bytes: it never changes content.
CACHE_CONTROL = "public, max-age=31536000, immutable"


@require_safe
def media(request: HttpRequest, path: str) -> FileResponse:
    match = SERVED.fullmatch(path)
    if match is None:
        raise Http404("not a served file")
    try:
        handle = default_storage.open(path, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404("no such file") from None
    response = FileResponse(handle, content_type=CONTENT_TYPES[match.group(1)])
    response["Cache-Control"] = CACHE_CONTROL
    return response


# --- uploading from the facilitator's side of the app ------------------------------


class DeckForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    pdf = forms.FileField(
        label=_("PDF file"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


def _get_template_for_uploader(request: HttpRequest, slug: str) -> WorkshopTemplate:
    # The permission first: a refused user learns nothing of which slugs exist.
    try:
        services.check_may_upload(request.user, None)
    except DomainError as error:
        raise PermissionDenied(str(error.message)) from None
    return get_object_or_404(WorkshopTemplate, slug=slug)


@staff_member_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    """A template's decks, and the form that uploads one (a new version
    replaces that language's deck page by page). The upload renders in the
    background (slides.jobs); the page then shows its progress."""
    template = _get_template_for_uploader(request, slug)
    form = DeckForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["pdf"]
        try:
            if upload.size > services.max_bytes():
                raise DomainError("too_large", services.too_large_message())
            job = jobs.start_upload(
                template, form.cleaned_data["language"], upload.read(), user=request.user
            )
        except DomainError as error:
            form.add_error("pdf", str(error.message))
        else:
            url = reverse("slides:upload", kwargs={"slug": slug})
            return redirect(f"{url}?job={job.public_id}")
    decks = Deck.objects.filter(template=template).order_by("language")
    context = {
        "template": template,
        "form": form,
        "decks": decks,
        **_progress_context(template, request.GET.get("job")),
    }
    status = 400 if form.errors else 200
    return render(request, "slides/upload.html", context, status=status)


def _progress_context(template: WorkshopTemplate, job: object) -> dict[str, object]:
    """An upload of this template's (None for another's or an unknown one)."""
    if not job:
        return {"job": ""}
    upload = jobs.find(job)
    if upload is not None and upload.template_id != template.pk:
        upload = None
    return {
        "job": job,
        "upload": upload,
        "result": jobs.describe(upload.result) if upload and upload.result else "",
    }


@staff_member_required
@require_safe
def job_progress(request: HttpRequest, slug: str, job: uuid.UUID) -> HttpResponse:
    """The upload's progress, polled by the upload page until it ends."""
    template = _get_template_for_uploader(request, slug)
    context = {
        "template": template,
        # Shown again once the upload ends: it has a new deck or version.
        "decks": Deck.objects.filter(template=template).order_by("language"),
        **_progress_context(template, job),
    }
    return render(request, "slides/progress.html", context)
