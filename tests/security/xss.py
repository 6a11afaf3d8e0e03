"""What counts as an XSS: payloads, and a parser that finds what they injected."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Short enough for a nickname (40 characters) on their own; hypothesis also
# glues pieces together and cuts them to the field's length.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><svg/onload=alert(1)>",
    "</textarea><script>alert(1)//",
    "</title><script>alert(1)//",
    '" autofocus onfocus="alert(1)',
    "' onmouseover='alert(1)",
    "<iframe src=javascript:alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
    "<details open ontoggle=alert(1)>",
    "<math><mi xlink:href=javascript:1>",
    "{{ 7|add:7 }}{% debug %}",
    "<!--",
    "]]><x>",
    "&lt;script&gt;",
    "<style>*{display:none}</style>",
    '<form action="//evil.example">',
    "<base href=//evil.example/>",
    '<div hx-get="/x" hx-trigger="load">',
    "<div hx-on:click=alert(1)>",
    "\u202e<b>RTL</b>",
    '=HYPERLINK("http://evil.example")',
    "@SUM(1+1)",
    "+1-1",
]

# Elements no participant text may ever produce in our pages.
FORBIDDEN_TAGS = {"iframe", "math", "base", "object", "embed", "marquee", "style", "x"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"event handler attribute <{tag} {name}=...>")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in <{tag} {name}>")
            if name in {"hx-get", "hx-trigger"} and value in {"/x", "load"}:
                self.problems.append(f"injected htmx attribute <{tag} {name}>")
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"injected <{tag}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.problems.append("injected <img src=x>")
        if tag == "form" and "evil.example" in (dict(attrs).get("action") or ""):
            self.problems.append("injected <form>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/") or src.startswith("//"):
                self.problems.append("inline or foreign <script>")


def injected(html: str, payloads: list[str]) -> list[str]:
    """What participant text injected into ``html``: parsed elements and
    attributes no page of ours has, and any payload that appears unescaped."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    problems = list(finder.problems)
    for payload in payloads:
        if len(payload) >= 5 and re.search(r"<[a-zA-Z/!]|[\"']", payload) and payload in html:
            problems.append(f"unescaped payload {payload!r}")
    return problems
