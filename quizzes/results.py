"""What the views show of a question: its tally, word cloud, distribution and
leaderboard. Read-only; a few queries whatever the number of answers."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext

from workshop.models import WorkshopSession

from . import sdg_tiles
from .models import Answer, Choice, Question, QuestionRun
from .services import correct_value

NUMBER_BINS = 10
CLOUD_WORDS = 40


def pct_class(count: int, of: int) -> str:
    """A width/height class in steps of 5% (no inline styles under the CSP)."""
    if of <= 0 or count <= 0:
        return "pct-0"
    return f"pct-{max(5, round(count * 100 / of / 5) * 5)}"


@dataclass
class Bar:
    label: str
    count: int = 0
    pct: int = 0
    size: str = "pct-0"
    correct: bool = False
    key: Any = None
    css: str = ""
    # Ranking: the average place (1 = first), its standard deviation, the right place.
    mean: float | None = None
    spread: float | None = None
    right_place: int | None = None


@dataclass
class Tally:
    total: int = 0
    bars: list[Bar] = field(default_factory=list)
    words: list[Bar] = field(default_factory=list)
    mean: float | None = None
    median: float | None = None
    correct_label: str = ""
    right: int = 0


def _finish(bars: list[Bar], total: int) -> None:
    top = max((b.count for b in bars), default=0)
    for bar in bars:
        bar.pct = round(bar.count * 100 / total) if total else 0
        bar.size = pct_class(bar.count, top)


def format_number(number: float | None) -> str:
    if number is None:
        return ""
    if float(number).is_integer():
        return f"{int(number):,}".replace(",", " ")
    return f"{number:.3g}"


def tally(run: QuestionRun, question: Question, choices: list[Choice]) -> Tally:
    """Counts per option; hidden and not-yet-approved text never count."""
    answers = Answer.objects.filter(run=run)
    if question.kind == Question.Kind.TEXT:
        answers = answers.filter(hidden=False)
        if question.approve_first:
            answers = answers.filter(approved=True)
    return tally_of(question, choices, list(answers.values_list("value", "is_correct")))


def tally_of(question: Question, choices: list[Choice], rows: list[tuple[Any, Any]]) -> Tally:
    result = Tally(total=len(rows), right=sum(1 for _v, ok in rows if ok))
    values = [v for v, _ok in rows]
    expected = correct_value(question, choices)
    kind = question.kind
    if question.is_choice:
        counts = Counter(c for v in values for c in v)
        result.bars = [
            Bar(c.text, counts[c.pk], correct=c.correct, key=c.pk, css=f"choice-{i}")
            for i, c in enumerate(choices, start=1)
        ]
        result.correct_label = ", ".join(c.text for c in choices if c.correct)
    elif kind == Question.Kind.SDG:
        counts = Counter(n for v in values for n in v)
        correct = set(expected or [])
        result.bars = [
            Bar(
                t.short_name,
                counts[t.number],
                correct=t.number in correct,
                key=t.number,
                css=t.css_class,
            )
            for t in sdg_tiles.tiles()
        ]
        if len(correct) == 17:
            result.correct_label = gettext("All 17 SDGs")
        else:
            result.correct_label = ", ".join(
                gettext("SDG {n}: {name}").format(n=n, name=sdg_tiles.tile(n).short_name)
                for n in sorted(correct)
            )
    elif kind == Question.Kind.SCALE:
        counts = Counter(values)
        result.bars = [
            Bar(str(n), counts[n], key=n) for n in range(question.scale_min, question.scale_max + 1)
        ]
        if values:
            result.mean = round(statistics.fmean(values), 1)
    elif kind == Question.Kind.NUMBER:
        result.bars = _number_bins(question, values)
        if values:
            result.median = statistics.median(values)
            result.mean = statistics.fmean(values)
        if expected is not None:
            result.correct_label = f"{format_number(expected)} {question.unit}".strip()
    elif kind == Question.Kind.TEXT:
        result.words = _cloud(values)
    elif kind == Question.Kind.RANKING:
        result.bars = _ranking_rows(choices, values, expected)
        by_id = {c.pk: c.text for c in choices}
        result.correct_label = ", ".join(
            f"{place}. {by_id[choice_id]}" for place, choice_id in enumerate(expected or [], 1)
        )
    elif kind == Question.Kind.POINTS:
        totals = Counter()
        for value in values:
            totals.update({int(k): v for k, v in value.items()})
        result.bars = [
            Bar(c.text, totals[c.pk], key=c.pk, css=f"choice-{i}")
            for i, c in enumerate(choices, start=1)
        ]
        _finish(result.bars, sum(totals.values()))
        return result
    _finish(result.bars, result.total)
    return result


def _ranking_rows(choices: list[Choice], orders: list[list[int]], right) -> list[Bar]:
    """One row per option, the room's order first: by average place, then
    by the options' own order. A row's count is its Borda score (n - 1
    points for a first place, 0 for a last), which sizes its bar."""
    n = len(choices)
    places: dict[int, list[int]] = {c.pk: [] for c in choices}
    for order in orders:
        for index, choice_id in enumerate(order):
            if choice_id in places:
                places[choice_id].append(index + 1)
    right_places = {choice_id: i + 1 for i, choice_id in enumerate(right or [])}
    rows = []
    for i, choice in enumerate(choices, start=1):
        mine = places[choice.pk]
        rows.append(
            Bar(
                choice.text,
                sum(n - p for p in mine),
                key=choice.pk,
                css=f"choice-{i}",
                mean=round(statistics.fmean(mine), 1) if mine else None,
                spread=round(statistics.pstdev(mine), 1) if mine else None,
                right_place=right_places.get(choice.pk),
            )
        )
    rows.sort(key=lambda bar: (bar.mean is None, bar.mean or 0, -bar.count))
    return rows


def _nice_width(span: float) -> float:
    """A bin width of 1, 2 or 5 times a power of ten, giving about 10 bins."""
    raw = span / NUMBER_BINS
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for step in (1, 2, 5, 10):
        if raw <= step * power:
            return step * power
    return 10 * power


def _number_bins(question: Question, values: list[float]) -> list[Bar]:
    """About ten bins of a round width over the accepted range (or the
    answers' range when the question sets none)."""
    low = question.number_min if question.number_min is not None else min(values, default=0)
    high = question.number_max if question.number_max is not None else max(values, default=1)
    if question.number_correct is not None:
        low, high = min(low, question.number_correct), max(high, question.number_correct)
    width = _nice_width(max(high - low, 1e-9))
    whole = width >= 1 and all(float(x).is_integer() for x in (low, high))
    if whole and high - low < NUMBER_BINS:
        width = 1.0
    start = math.floor(low / width) * width
    bins = min(int((high - start) // width) + 1, NUMBER_BINS + 2)
    counts = Counter(min(max(int((v - start) // width), 0), bins - 1) for v in values)
    target = question.number_correct
    bars = []
    for i in range(bins):
        lower, upper = start + i * width, start + (i + 1) * width
        if whole and width == 1:
            label = format_number(lower)
        elif whole:
            label = f"{format_number(lower)}–{format_number(upper - 1)}"
        else:
            label = f"{format_number(lower)}–{format_number(upper)}"
        correct = target is not None and (
            lower <= target < upper or (i == bins - 1 and target >= lower)
        )
        bars.append(Bar(label, counts[i], correct=correct, key=i))
    return bars


_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


def _cloud(values: list[str]) -> list[Bar]:
    """Whole short answers count as one term (a word cloud of answers),
    matched without regard to case."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for value in values:
        term = " ".join(_WORD.findall(value)) or value
        key = term.casefold()
        counts[key] += 1
        shown.setdefault(key, term)
    top = counts.most_common(CLOUD_WORDS)
    most = top[0][1] if top else 0
    words = []
    for key, count in sorted(top, key=lambda kv: shown[kv[0]].casefold()):
        level = 1 + round(4 * (count - 1) / (most - 1)) if most > 1 else 3
        term = shown[key]
        words.append(Bar(term, count, key=key, css=f"cloud-{level} {_length_class(term)}"))
    return words


# Longer terms get smaller letters, so that a sentence pasted into the cloud
# does not push the other answers off the projector (quizzes.js then fits the
# whole cloud into its box). Upper bounds in characters.
CLOUD_LENGTHS = ((20, "cloud-len-1"), (50, "cloud-len-2"), (120, "cloud-len-3"))


def _length_class(term: str) -> str:
    return next((css for most, css in CLOUD_LENGTHS if len(term) <= most), "cloud-len-4")


def sample_tally(question: Question, choices: list[Choice]) -> Tally:
    """Made-up answers for the admin's preview: a plausible spread."""
    spread = [5, 9, 3, 6, 2, 4, 7, 1, 8, 2, 3, 1, 4, 2, 5, 1, 3]
    kind = question.kind
    values: list[Any] = []
    if question.is_choice:
        for index, choice in enumerate(choices):
            values += [[choice.pk]] * spread[index % len(spread)]
    elif kind == Question.Kind.SDG:
        for number in range(1, 18):
            values += [[number]] * spread[number - 1]
    elif kind == Question.Kind.NUMBER:
        low = question.number_min if question.number_min is not None else 0
        high = question.number_max if question.number_max is not None else 100
        middle = question.number_correct if question.number_correct is not None else low
        values = [min(high, max(low, middle * f)) for f in (0.5, 1, 1, 1.5, 2, 3, 1, 0.8, 5)]
    elif kind == Question.Kind.SCALE:
        for index, n in enumerate(range(question.scale_min, question.scale_max + 1)):
            values += [n] * spread[index]
    elif kind == Question.Kind.RANKING:
        ids = [c.pk for c in choices]
        values = [ids, ids[1:] + ids[:1], ids, ids[::-1], ids[:2][::-1] + ids[2:]]
    elif kind == Question.Kind.POINTS:
        budget = question.points_budget
        for shift in range(5):
            shares = [0] * len(choices)
            if shares:
                shares[shift % len(shares)] = budget - budget // 2
                shares[(shift + 1) % len(shares)] += budget // 2
            values.append({str(c.pk): p for c, p in zip(choices, shares, strict=True)})
    elif kind == Question.Kind.TEXT:
        values = ["Skills"] * 5 + ["Ideas"] * 3 + ["Diversity"] * 2 + ["Food", "Music", "Work"]
    expected = correct_value(question, choices)
    rows = [(v, None if expected is None else False) for v in values]
    return tally_of(question, choices, rows)


def moderation_queue(run: QuestionRun) -> list[Answer]:
    return list(
        Answer.objects.filter(run=run)
        .select_related("participant")
        .order_by("-created_at", "-id")[:100]
    )


@dataclass
class Leaderboard:
    people: list[dict[str, Any]]
    groups: list[dict[str, Any]]


def leaderboard(session: WorkshopSession, limit: int = 10) -> Leaderboard:
    """Points per participant and per group, over every question of the
    session: two queries."""
    answers = Answer.objects.filter(run__session=session)
    people = list(
        answers.values("participant__nickname", "participant__group__name")
        .annotate(points=Sum("points"), right=Count("id", filter=Q(is_correct=True)))
        .filter(points__gt=0)
        .order_by("-points", "participant__nickname")[:limit]
    )
    groups = list(
        answers.filter(participant__group__isnull=False)
        .values("participant__group__name")
        .annotate(points=Sum("points"), members=Count("participant", distinct=True))
        .order_by("-points", "participant__group__name")
    )
    return Leaderboard(people, groups)
