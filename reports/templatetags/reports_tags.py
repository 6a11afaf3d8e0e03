from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..charts import Bar, bar_chart

register = template.Library()


@register.simple_tag
def group_chart(data: dict[str, Any]) -> SafeString:
    bars = [Bar(g["name"], g["participants"]) for g in data["groups"]]
    if data.get("without_group"):
        bars.append(Bar(_("No group"), data["without_group"]))
    return bar_chart(bars, title=_("Participants per group"))


@register.filter
def from_iso(value: str | None):
    """An ISO date-time kept in a summary, back to a datetime for |date."""
    if not value:
        return None
    return timezone.localtime(datetime.fromisoformat(value))


@register.filter
def in_language(value: Any) -> str:
    """A {en, fr, nl} mapping kept in a summary, in the page's language,
    falling back to English; plain text as it is."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    language = (get_language() or "en").split("-")[0]
    return value.get(language) or value.get("en") or next(iter(value.values()), "")


@register.simple_tag
def summary_chart(bars: list[dict[str, Any]], title: Any) -> SafeString:
    """A bar chart of a summary's bars: {label, count, correct}."""
    return bar_chart(
        [Bar(in_language(b["label"]), b["count"], bool(b.get("correct"))) for b in bars],
        title=in_language(title),
    )
