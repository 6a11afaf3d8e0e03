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


def generate(taken: set[str]) -> str:
    """A name like "Swift Stork", made unique with a number if need be.

    The nouns are migratory animals, fitting the workshop's theme.
    """
    for _ in range(20):
        name = f"{secrets.choice(ADJECTIVES)} {secrets.choice(NOUNS)}"
        if name not in taken:
            return name
    base = f"{secrets.choice(ADJECTIVES)} {secrets.choice(NOUNS)}"
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"
