"""What the exercise looks like to each audience: read-only, computed lazily.

The step kind's context gives templates one ``ex`` object. Every region of a
page is rendered with the same context, so nothing here runs a query until a
template asks for it, and then at most once per render; no query runs per
group member or per card.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from workshop.models import Group

from . import services
from .models import ExerciseRun, Goal, GroupCard, Reference, ReferenceAction, ReferenceTheme, Target

if TYPE_CHECKING:
    from live.regions import RenderTarget


@dataclass
class TargetChoice:
    target: Target
    checked: bool
    in_reference: bool


@dataclass
class CardRow:
    goal: Goal
    card: GroupCard | None
    targets: list[TargetChoice]
    codes: list[str]
    reference_codes: list[str]

    @property
    def rating(self) -> str:
        return self.card.rating if self.card else ""

    @property
    def agreed(self) -> list[str]:
        return [c for c in self.codes if c in self.reference_codes]

    @property
    def beyond(self) -> list[str]:
        return [c for c in self.codes if c not in self.reference_codes]

    @property
    def missed(self) -> list[str]:
        return [c for c in self.reference_codes if c not in self.codes]


@dataclass
class GoalTally:
    goal: Goal
    groups: int  # groups that have this SDG
    strong: int = 0
    some: int = 0
    none: int = 0
    reference_codes: list[str] = field(default_factory=list)
    # reference target -> how many groups picked it
    agreed: list[tuple[str, int]] = field(default_factory=list)
    # targets groups picked that the reference does not name -> how many groups
    beyond: list[tuple[str, int]] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)

    @property
    def rated(self) -> int:
        return self.strong + self.some + self.none

    @property
    def strength(self) -> str:
        """A class for the tile: how strongly the room sees the link."""
        if not self.rated:
            return "unrated"
        score = (2 * self.strong + self.some) / self.rated
        return "strong" if score >= 1.4 else "some" if score >= 0.6 else "weak"


@dataclass
class Progress:
    group: Group
    done: int
    assigned: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 0

    @property
    def tenth(self) -> int:
        """Progress rounded to tens, for a CSS class (no inline styles)."""
        return round(self.percent, -1)


class ExerciseDisplay:
    def __init__(self, target: RenderTarget) -> None:
        self.session = target.session
        self.step = target.step
        self.group = target.group
        self.audience = target.audience.kind

    # --- the run ---------------------------------------------------------------------

    @cached_property
    def run(self) -> ExerciseRun | None:
        return services.run_for(self.session, self.step)

    @property
    def state(self) -> str:
        # Open past its deadline shows closed, stored or not yet.
        return self.run.shown_state if self.run else ExerciseRun.State.NOT_STARTED

    @cached_property
    def config(self):
        return services.config_for(self.step) if self.step else None

    @cached_property
    def groups(self) -> list[Group]:
        return list(self.session.groups.all())

    @cached_property
    def goals(self) -> list[Goal]:
        return list(Goal.objects.all())

    @cached_property
    def cards(self) -> list[GroupCard]:
        if self.run is None:
            return []
        return list(
            GroupCard.objects.filter(run=self.run)
            .select_related("goal", "updated_by", "reasoning_by", "group")
            .prefetch_related("targets")
        )

    def _codes(self, card: GroupCard) -> list[str]:
        return sorted((t.code for t in card.targets.all()), key=_code_key)

    # --- the reference ------------------------------------------------------------------

    @cached_property
    def reference(self) -> Reference | None:
        """The template's reference mapping; None when it has none, and then
        the reveal shows the groups' map alone."""
        if self.step is None:
            return None
        return Reference.objects.filter(template_id=self.step.template_id).first()

    @cached_property
    def reference_codes(self) -> dict[int, list[str]]:
        """SDG number -> the targets the reference's themes name."""
        by_goal: dict[int, set[str]] = defaultdict(set)
        for theme in self.themes:
            for target in theme.targets.all():
                by_goal[target.goal.number].add(target.code)
        return {n: sorted(codes, key=_code_key) for n, codes in by_goal.items()}

    @cached_property
    def themes(self) -> list[ReferenceTheme]:
        if self.reference is None:
            return []
        return list(self.reference.themes.prefetch_related("targets__goal"))

    @cached_property
    def actions(self) -> list[ReferenceAction]:
        if self.reference is None:
            return []
        return list(self.reference.actions.prefetch_related("goals"))

    @cached_property
    def actions_by_goal(self) -> dict[int, list[int]]:
        by_goal: dict[int, list[int]] = defaultdict(list)
        for action in self.actions:
            for goal in action.goals.all():
                by_goal[goal.number].append(action.number)
        return by_goal

    # --- the projector and the control view ---------------------------------------------

    @cached_property
    def progress(self) -> list[Progress]:
        if self.run is None:
            return []
        done: dict[int, int] = defaultdict(int)
        for card in self.cards:
            if card.is_done:
                done[card.group_id] += 1
        return [Progress(g, done[g.pk], len(self.run.goal_numbers_for(g.pk))) for g in self.groups]

    @cached_property
    def tallies(self) -> list[GoalTally]:
        groups_per_goal: dict[int, int] = defaultdict(int)
        if self.run is not None:
            for g in self.groups:
                for number in self.run.goal_numbers_for(g.pk):
                    groups_per_goal[number] += 1
        tallies = {
            goal.number: GoalTally(
                goal,
                groups_per_goal[goal.number],
                reference_codes=self.reference_codes.get(goal.number, []),
                actions=self.actions_by_goal.get(goal.number, []),
            )
            for goal in self.goals
        }
        picked: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for card in self.cards:
            tally = tallies[card.goal.number]
            if card.rating:
                setattr(tally, card.rating, getattr(tally, card.rating) + 1)
            for code in self._codes(card):
                picked[card.goal.number][code] += 1
        for number, tally in tallies.items():
            counts = picked[number]
            tally.agreed = [(c, counts.get(c, 0)) for c in tally.reference_codes]
            tally.beyond = sorted(
                ((c, n) for c, n in counts.items() if c not in tally.reference_codes),
                key=lambda item: _code_key(item[0]),
            )
        return list(tallies.values())

    @cached_property
    def spotlight(self) -> dict[str, Any] | None:
        if self.run is None or self.run.spotlight is None:
            return None
        goal = self.run.spotlight
        cards = {c.group_id: c for c in self.cards if c.goal_id == goal.pk}
        reference = self.reference_codes.get(goal.number, [])
        rows = []
        for g in self.groups:
            if goal.number not in self.run.goal_numbers_for(g.pk):
                continue
            card = cards.get(g.pk)
            codes = self._codes(card) if card else []
            rows.append(
                {
                    "group": g,
                    "card": card,
                    "codes": [(c, c in reference) for c in codes],
                }
            )
        tally = next(t for t in self.tallies if t.goal.number == goal.number)
        return {"goal": goal, "rows": rows, "tally": tally, "reference": reference}

    @cached_property
    def total_done(self) -> int:
        return sum(p.done for p in self.progress)

    @cached_property
    def total_assigned(self) -> int:
        return sum(p.assigned for p in self.progress)

    # --- a group's phones -------------------------------------------------------------

    @cached_property
    def my_cards(self) -> list[CardRow]:
        if self.run is None or self.group is None:
            return []
        numbers = self.run.goal_numbers_for(self.group.pk)
        cards = {c.goal.number: c for c in self.cards if c.group_id == self.group.pk}
        targets: dict[int, list[Target]] = defaultdict(list)
        for target in Target.objects.select_related("goal").filter(goal__number__in=numbers):
            targets[target.goal.number].append(target)
        rows = []
        for goal in self.goals:
            if goal.number not in numbers:
                continue
            card = cards.get(goal.number)
            codes = self._codes(card) if card else []
            reference = self.reference_codes.get(goal.number, [])
            choices = [
                TargetChoice(t, t.code in codes, t.code in reference) for t in targets[goal.number]
            ]
            rows.append(CardRow(goal, card, choices, codes, reference))
        return rows

    @cached_property
    def my_done(self) -> int:
        return sum(1 for row in self.my_cards if row.rating)


def _code_key(code: str) -> tuple[int, int, str]:
    """Targets in official order: 1.2 before 1.10, numbered before lettered."""
    goal, _, rest = code.partition(".")
    return (int(goal), int(rest) if rest.isdigit() else 100, rest)


def exercise_context(target: RenderTarget) -> dict[str, Any]:
    return {"ex": ExerciseDisplay(target), "rating_choices": GroupCard.Rating.choices}
