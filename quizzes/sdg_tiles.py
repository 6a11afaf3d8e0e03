"""The 17 SDG tiles (number, short name, official colour) for SDG questions.

Read from the shared reference file ``sdgmap/data/sdgs.yaml`` once per
process. The colours are applied through the CSS classes ``.sdg-1`` to
``.sdg-17`` (no inline styles: the CSP forbids them).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.utils.translation import get_language

SDGS_YAML = Path(settings.BASE_DIR) / "sdgmap" / "data" / "sdgs.yaml"
SDG_NUMBERS = range(1, 18)


@dataclass(frozen=True)
class SdgTile:
    number: int
    names: dict[str, str]
    colour: str

    @property
    def short_name(self) -> str:
        language = (get_language() or "en").split("-")[0]
        return self.names.get(language) or self.names.get("en", "")

    @property
    def css_class(self) -> str:
        return f"sdg-{self.number}"


@cache
def tiles() -> tuple[SdgTile, ...]:
    # libyaml's parser where PyYAML has it: the pure-Python one took 120 ms.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(SDGS_YAML.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a safe loader)
    found = tuple(
        SdgTile(int(sdg["number"]), dict(sdg["short_name"]), str(sdg["colour"]))
        for sdg in sorted(data["sdgs"], key=lambda s: int(s["number"]))
    )
    if [t.number for t in found] != list(SDG_NUMBERS):
        raise ValueError(f"{SDGS_YAML} must list the SDGs 1 to 17")
    return found


def tile(number: int) -> SdgTile:
    return tiles()[number - 1]
