import re

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


# Where the long words of the SDG names may break, in English, French and Dutch.
# Small tiles (the phone's picker, the projector's results) otherwise split them
# anywhere ("INFRASTRUCT / URE"); browsers without hyphenation dictionaries
# ignore `hyphens: auto`, so the soft hyphens are put in here.
_HYPHENATED = (
    "af·for·dable",
    "assai·nisse·ment",
    "be·taal·bare",
    "change·ments",
    "cli·ma·tiques",
    "commu·nau·tés",
    "commu·ni·ties",
    "consom·ma·tion",
    "con·sump·tie",
    "con·sump·tion",
    "crois·sance",
    "doel·stel·lingen",
    "eco·no·mische",
    "gemeen·schap·pen",
    "gen·der·ge·lijk·heid",
    "ge·zond·heid",
    "in·dus·trie",
    "in·equal·ities",
    "infra·struc·ture",
    "infra·struc·tuur",
    "inno·va·tion",
    "insti·tu·tions",
    "iné·ga·li·tés",
    "kli·maat·actie",
    "kwa·li·teits·on·der·wijs",
    "on·ge·lijk·heid",
    "parte·na·riats",
    "part·ner·schap",
    "part·ner·ships",
    "pro·duc·tion",
    "res·pon·sables",
    "re·spon·sible",
    "réali·sa·tion",
    "sani·ta·tion",
    "sus·tain·able",
    "ver·ant·woorde",
    "ver·min·deren",
    "éco·no·mique",
)
SOFT_HYPHENS = {word.replace("·", ""): word for word in _HYPHENATED}


@register.filter
def soft_hyphens(text: str) -> str:
    """The text with soft hyphens (U+00AD) in the long words of SDG names."""

    def hyphenate(match) -> str:
        word = match.group(0)
        pattern = SOFT_HYPHENS.get(word.lower())
        if pattern is None:
            return word
        out, i = [], 0
        for part in pattern.split("·"):
            out.append(word[i : i + len(part)])
            i += len(part)
        return "\u00ad".join(out)

    return re.sub(r"\w{10,}", hyphenate, str(text or ""))
