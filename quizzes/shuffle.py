"""The order a participant sees a ranking's options in: shuffled per
participant and question, the same on every load, so that nobody's ranking
leans on the order the author typed the options in.

The order is a pure function of a participant's seed (Participant.shuffle_seed,
which the phone's own ``me`` region carries), the question and the
options, computed the same way here (page loads and snapshots, the form that
works without script) and in static/js/quizzes.js (pushes, which the whole
room shares and so carry the options in their canonical order): keep
``order_key`` and its twin ``shuffleKey`` in step. The projector, the
results and the report keep the canonical order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193

T = TypeVar("T")


def order_key(seed: str, question_id: int, choice_id: int) -> int:
    """32-bit FNV-1a of "seed:question:choice" (ASCII, as in the browser)."""
    value = FNV_OFFSET
    for byte in f"{seed}:{question_id}:{choice_id}".encode("ascii"):
        value = ((value ^ byte) * FNV_PRIME) & 0xFFFFFFFF
    return value


def shuffled(choices: Sequence[T], seed: str, question_id: int) -> list[T]:
    """``choices`` (with a ``pk``) in this participant's order."""
    return sorted(choices, key=lambda c: (order_key(seed, question_id, c.pk), c.pk))


def shuffled_ids(ids: Iterable[int], seed: str, question_id: int) -> list[int]:
    return sorted(ids, key=lambda pk: (order_key(seed, question_id, pk), pk))
