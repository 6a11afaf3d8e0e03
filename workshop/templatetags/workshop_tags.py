from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ..qr import qr_svg

register = template.Library()


@register.simple_tag
def qr_code(url: str) -> SafeString:
    # segno escapes nothing of ours: the URL is built from the join code only.
    return mark_safe(qr_svg(url))  # noqa: S308


@register.filter
def rich_text(text: str) -> SafeString:
    """Plain step text to HTML: blank lines make paragraphs, "- " lines bullets.

    Every piece is escaped first; only our own tags are added.
    """
    blocks = [b.strip() for b in (text or "").replace("\r\n", "\n").split("\n\n") if b.strip()]
    html: list[str] = []
    for block in blocks:
        lines = block.split("\n")
        if all(line.lstrip().startswith("- ") for line in lines):
            items = format_html_join("", "<li>{}</li>", ((line.lstrip()[2:],) for line in lines))
            html.append(f"<ul>{items}</ul>")
        else:
            html.append("<p>" + "<br>".join(conditional_escape(line) for line in lines) + "</p>")
    return mark_safe("".join(html))  # noqa: S308


@register.filter
def lang_attr(obj, field: str) -> SafeString:
    """` lang="en"` when a translated field shows its English fallback in a
    page of another language, so screen readers switch voice (WCAG 3.1.2)."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    if current == settings.LANGUAGE_CODE or obj is None:
        return mark_safe("")  # noqa: S308
    own = getattr(obj, f"{field}_{current.replace('-', '_')}", None)
    if own:
        return mark_safe("")  # noqa: S308
    return mark_safe(f' lang="{settings.LANGUAGE_CODE}"')  # noqa: S308


@register.simple_tag
def retention_days() -> int:
    return settings.RETENTION_DAYS
