from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString
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
