"""Friendly generated nicknames for participants who leave the field empty."""

from __future__ import annotations

import secrets

ADJECTIVES = [
    "Bold",
    "Bright",
    "Calm",
    "Clever",
    "Curious",
    "Eager",
    "Gentle",
    "Happy",
    "Keen",
    "Kind",
    "Lively",
    "Lucky",
    "Merry",
    "Nimble",
    "Quick",
    "Quiet",
    "Sunny",
    "Swift",
    "Warm",
    "Wise",
    "Brave",
    "Cheerful",
    "Friendly",
    "Jolly",
]
NOUNS = [
    "Albatross",
    "Crane",
    "Dolphin",
    "Falcon",
    "Gazelle",
    "Heron",
    "Ibis",
    "Kestrel",
    "Lynx",
    "Monarch",
    "Otter",
    "Pelican",
    "Puffin",
    "Robin",
    "Salmon",
    "Stork",
    "Swallow",
    "Swan",
    "Tern",
    "Turtle",
    "Whale",
    "Wildebeest",
    "Zebra",
    "Caribou",
]


def candidates(count: int = 20) -> list[str]:
    """Names like "Swift Stork", at random and all different.

    The nouns are animals (migratory ones, first chosen for the IOM
    workshop; neutral enough for any other).
    """
    names: list[str] = []
    while len(names) < count:
        name = f"{secrets.choice(ADJECTIVES)} {secrets.choice(NOUNS)}"
        if name not in names:
            names.append(name)
    return names


def numbered(base: str, taken: set[str]) -> str:
    """``base`` with the smallest number from 2 that is not in ``taken``."""
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"
