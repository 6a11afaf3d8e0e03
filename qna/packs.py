"""The template's Q&A default in content packs, a top-level section:

    qna: {enabled: true, moderated: true, anonymous_allowed: true}

Every key is optional (defaults: all on). A pack without the section leaves
the template with the defaults; exporting writes the section only when the
template has a default of its own.
"""

from __future__ import annotations

from typing import Any

from workshop.models import WorkshopTemplate
from workshop.packs import BasePackExtension, PackContext

from .models import TemplateQna

KEYS = ("enabled", "moderated", "anonymous_allowed")


class QnaPackExtension(BasePackExtension):
    top_keys = {"qna"}

    def validate(self, ctx: PackContext) -> None:
        spec = ctx.data.get("qna")
        if spec is None:
            return
        if not isinstance(spec, dict):
            ctx.error("qna", f"must be a mapping of {', '.join(KEYS)}")
            return
        for key, value in spec.items():
            if key not in KEYS:
                ctx.error(f"qna.{key}", f"unknown field; use {', '.join(KEYS)}")
            elif not isinstance(value, bool):
                ctx.error(f"qna.{key}", "must be true or false")

    def apply(self, ctx: PackContext, template: WorkshopTemplate) -> None:
        spec = ctx.data.get("qna")
        TemplateQna.objects.filter(template=template).delete()
        if spec is not None:
            TemplateQna.objects.create(template=template, **spec)

    def export(self, template: WorkshopTemplate) -> dict[str, Any]:
        default = TemplateQna.objects.filter(template=template).first()
        return {"qna": default.options()} if default else {}
