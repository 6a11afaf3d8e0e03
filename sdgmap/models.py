"""The SDG-mapping exercise: the shared SDG data (goals and targets), each
workshop template's reference mapping (who made it, its themes and targets,
its actions) and each session's run of the exercise (the groups' cards and
everything they submitted)."""

from __future__ import annotations

import re

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workshop.models import Group, Participant, Step, WorkshopSession, WorkshopTemplate

REASONING_MAX_LENGTH = 500
HEX_COLOUR = RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("A colour like #E5243B."))


def _luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def readable_text_colour(hex_colour: str) -> str:
    """White or black, whichever contrasts more with the colour (WCAG)."""
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", hex_colour or ""):
        return "#000000"
    lum = _luminance(hex_colour)
    on_white = 1.05 / (lum + 0.05)
    on_black = (lum + 0.05) / 0.05
    return "#ffffff" if on_white >= on_black else "#000000"


# --- the SDGs: shared by every workshop ---------------------------------------------


class Goal(models.Model):
    """One of the 17 Sustainable Development Goals."""

    number = models.PositiveSmallIntegerField(unique=True)
    short_name = models.CharField(max_length=80)
    title = models.CharField(max_length=300)
    colour = models.CharField(max_length=7, validators=[HEX_COLOUR])

    class Meta:
        ordering = ["number"]
        verbose_name = _("SDG")
        verbose_name_plural = _("SDGs")

    def __str__(self) -> str:
        return f"SDG {self.number}: {self.short_name}"

    @property
    def text_colour(self) -> str:
        return readable_text_colour(self.colour)


class Target(models.Model):
    """An SDG target by its official code: 1.1 to 17.19, lettered ones included."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(max_length=8, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    description = models.TextField()

    class Meta:
        ordering = ["goal__number", "position", "id"]

    def __str__(self) -> str:
        return self.code


# --- a template's reference mapping -------------------------------------------------


class Reference(models.Model):
    """The mapping a template's exercise is compared with once the facilitator
    reveals it. It belongs to the template, not to the installation: a
    template without one reveals the groups' map alone."""

    template = models.OneToOneField(
        WorkshopTemplate,
        on_delete=models.CASCADE,
        related_name="sdg_reference",
        verbose_name=_("workshop template"),
    )
    author = models.CharField(
        _("made by"),
        max_length=80,
        help_text=_("Who made the reference, as the projector and phones name it."),
    )
    actions_title = models.CharField(
        _("title of the actions"),
        max_length=200,
        blank=True,
        help_text=_("The heading of the list of actions, if the reference has any."),
    )

    class Meta:
        verbose_name = _("SDG reference")
        verbose_name_plural = _("SDG references")

    def __str__(self) -> str:
        return f"{self.author}: {self.template}"


class ReferenceTheme(models.Model):
    """A theme of the reference and the targets it names directly."""

    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="themes")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    targets = models.ManyToManyField(Target, related_name="reference_themes")

    class Meta:
        ordering = ["reference", "position", "id"]

    def __str__(self) -> str:
        return self.name


class ReferenceAction(models.Model):
    """One of the reference's numbered actions and the SDGs it advances."""

    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    goals = models.ManyToManyField(Goal, related_name="reference_actions")

    class Meta:
        ordering = ["reference", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "number"], name="one_reference_action_per_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class ReferenceNote(models.Model):
    """What the reference says about one target (for facilitators; not shown
    to the room)."""

    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="notes")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["reference", "target__goal__number", "target__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "target"], name="one_reference_note_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference.author}: {self.target.code}"


# --- the exercise -------------------------------------------------------------------


class Allocation(models.TextChoices):
    ALL = "all", _("Every group gets all 17 SDGs")
    SHARED = "shared", _("Share the SDGs out across groups (every SDG covered)")


class ExerciseConfig(models.Model):
    """Defaults for an exercise step, set by its pack (``exercise:``) or the admin."""

    step = models.OneToOneField(Step, on_delete=models.CASCADE, related_name="sdg_config")
    allocation = models.CharField(max_length=10, choices=Allocation.choices, default="all")
    minutes = models.PositiveSmallIntegerField(default=20)

    def __str__(self) -> str:
        return f"{self.step}: {self.allocation}, {self.minutes} min"


class ExerciseRun(models.Model):
    """One session's run of one exercise step."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        REVEALED = "revealed", _("Reference revealed")

    session = models.ForeignKey(WorkshopSession, on_delete=models.CASCADE, related_name="sdg_runs")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="sdg_runs")
    state = models.CharField(max_length=12, choices=State.choices, default=State.NOT_STARTED)
    allocation = models.CharField(max_length=10, choices=Allocation.choices, default="all")
    # Shared allocation: {"<group id>": [goal numbers]}. A group missing here gets all 17.
    assignments = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    spotlight = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "step"], name="one_sdg_run_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.session} / {self.step} ({self.state})"

    def time_is_up(self, now=None) -> bool:
        return self.ends_at is not None and (now or timezone.now()) >= self.ends_at

    @property
    def shown_state(self) -> str:
        """The state as the room should see it: open past its deadline is
        closed, even before a server's timer has stored it (a restart)."""
        if self.state == self.State.OPEN and self.time_is_up():
            return self.State.CLOSED
        return self.state

    @property
    def shown_state_label(self) -> str:
        return self.State(self.shown_state).label

    @property
    def is_open(self) -> bool:
        return self.shown_state == self.State.OPEN

    @property
    def is_revealed(self) -> bool:
        return self.state == self.State.REVEALED

    @property
    def is_finished(self) -> bool:
        return self.shown_state in (self.State.CLOSED, self.State.REVEALED)

    @property
    def closed_by_time(self) -> bool:
        """Closed because its timer ran out, not by the facilitator."""
        if self.shown_state != self.State.CLOSED or self.ends_at is None:
            return False
        return self.closed_at is None or self.closed_at >= self.ends_at

    def goal_numbers_for(self, group_id: int | None) -> list[int]:
        if self.allocation == Allocation.SHARED and group_id is not None:
            assigned = self.assignments.get(str(group_id))
            if assigned:
                return sorted(assigned)
        return list(range(1, 18))


class GroupCard(models.Model):
    """A group's card for one SDG; every member of the group edits the same card."""

    class Rating(models.TextChoices):
        NONE = "none", _("None")
        SOME = "some", _("Some")
        STRONG = "strong", _("Strong")

    run = models.ForeignKey(ExerciseRun, on_delete=models.CASCADE, related_name="cards")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sdg_cards")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=8, choices=Rating.choices, blank=True)
    targets = models.ManyToManyField(Target, blank=True, related_name="+")
    reasoning = models.TextField(blank=True, max_length=REASONING_MAX_LENGTH)
    # The card version at which the reasoning last changed, and by whom: a
    # member who typed from an older version is told, never silently overwritten.
    reasoning_version = models.PositiveIntegerField(default=0)
    reasoning_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reasoning_hidden = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["run", "group", "goal__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "group", "goal"], name="one_card_per_group_and_sdg"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} / SDG {self.goal_id}"

    @property
    def is_done(self) -> bool:
        return bool(self.rating)


class CardEdit(models.Model):
    """Everything a group submitted, applied or not: the card's history.

    The client's message id makes a resend after a reconnect harmless.
    """

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        CONFLICT = "conflict", _("Kept; a teammate had changed the text meanwhile")

    card = models.ForeignKey(GroupCard, on_delete=models.CASCADE, related_name="edits")
    participant = models.ForeignKey(
        Participant, null=True, on_delete=models.SET_NULL, related_name="sdg_edits"
    )
    client_id = models.CharField(max_length=64, blank=True)
    field = models.CharField(max_length=12)
    value = models.JSONField()
    base_version = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["card", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "client_id"],
                condition=~models.Q(client_id=""),
                name="sdg_edit_once_per_client_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.card}: {self.field} ({self.outcome})"
