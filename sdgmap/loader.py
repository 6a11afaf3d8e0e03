"""Load the SDGs and their targets (sdgmap/data/sdgs.yaml) into the database.

They are shared by every workshop; a reference mapping to compare the groups'
work with belongs to a workshop template and comes with its content pack.

Idempotent: rows are matched by their natural keys (goal number, target code)
and updated in place, so running it again after an edit of the file updates
the texts and keeps every card that points at them. Works with real models
and with a migration's historical models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).parent / "data" / "sdgs.yaml"
LANGUAGES = ("en", "fr", "nl")


def _texts(value: dict[str, str] | None, name: str) -> dict[str, str]:
    value = value or {}
    # The untranslated column first (historical models in migrations need it;
    # on real models modeltranslation routes it to the active language), then
    # every language column, so each ends up with its own text.
    fields = {name: value.get("en") or ""}
    fields.update({f"{name}_{lang}": value.get(lang) or "" for lang in LANGUAGES})
    return fields


def read_data(path: Path = DATA_FILE) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_sdgs(models: dict[str, Any], data: dict[str, Any] | None = None) -> dict[str, int]:
    """``models`` maps Goal and Target to classes."""
    data = data or read_data()
    Goal, Target = models["Goal"], models["Target"]
    goals: dict[int, Any] = {}
    targets: dict[str, Any] = {}
    for sdg in data["sdgs"]:
        goal, _ = Goal.objects.update_or_create(
            number=sdg["number"],
            defaults={
                **_texts(sdg["short_name"], "short_name"),
                **_texts(sdg["title"], "title"),
                "colour": sdg["colour"],
            },
        )
        goals[goal.number] = goal
        for position, spec in enumerate(sdg["targets"], start=1):
            target, _ = Target.objects.update_or_create(
                code=str(spec["code"]),
                defaults={
                    "goal": goal,
                    "position": position,
                    **_texts(spec["description"], "description"),
                },
            )
            targets[target.code] = target
    return {
        "goals": len(goals),
        "targets": len(targets),
    }


def load_into_current_models() -> dict[str, int]:
    from . import models

    return load_sdgs({"Goal": models.Goal, "Target": models.Target})
