"""Quiz questions, their choices, one run of a question in a live session,
and the participants' answers."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

TEXT_MAX_LENGTH_LIMIT = 280
RANKING_MIN_OPTIONS, RANKING_MAX_OPTIONS = 3, 10
RANKED_OR_SHARED = ("ranking", "points")


class Quiz(models.Model):
    """A named bank of questions. A template's own questions are those of the
    quiz whose key is the template's slug (packs import them there); a step
    may still ask a question of another quiz."""

    key = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SDG = "sdg", _("SDG choice")
        NUMBER = "number", _("Number (estimate)")
        TEXT = "text", _("Open text (word cloud)")
        SCALE = "scale", _("Scale")
        RANKING = "ranking", _("Ranking")
        POINTS = "points", _("Points to share")

    # Unique within its quiz only: two workshops may both have an "iom-founded".
    key = models.SlugField(
        max_length=80, help_text=_("Packs and steps refer to the question by it.")
    )
    quiz = models.ForeignKey(
        Quiz, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    text = models.CharField(max_length=300)
    explanation = models.TextField(blank=True, help_text=_("Shown at the reveal."))
    # SDG choice: may participants tap more than one goal?
    multiple = models.BooleanField(default=False, help_text=_("SDG choice: allow several goals."))
    correct_sdgs = models.JSONField(default=list, blank=True, help_text=_("SDG choice: e.g. [10]."))
    number_correct = models.FloatField(null=True, blank=True)
    number_tolerance = models.FloatField(
        default=0, help_text=_("Number: answers this close to the true value count as right.")
    )
    number_min = models.FloatField(null=True, blank=True)
    number_max = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)
    scale_min_label = models.CharField(max_length=60, blank=True)
    scale_max_label = models.CharField(max_length=60, blank=True)
    max_length = models.PositiveSmallIntegerField(
        default=60, help_text=_("Open text: the longest answer accepted.")
    )
    approve_first = models.BooleanField(
        default=False, help_text=_("Open text: show an answer only once a facilitator approves it.")
    )
    allow_change = models.BooleanField(
        default=True, help_text=_("Participants may change their answer until the question closes.")
    )
    show_results_live = models.BooleanField(
        null=True,
        blank=True,
        help_text=_(
            "Show results on the projector while people answer. Empty: hidden when the "
            "question has a correct answer (so the room is not biased), shown otherwise."
        ),
    )
    timer_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Default timer when the question opens.")
    )
    points = models.PositiveSmallIntegerField(default=1, help_text=_("For a correct answer."))
    points_budget = models.PositiveSmallIntegerField(
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Points to share: how many points each participant shares out."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["quiz", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "key"], name="question_key_unique_in_quiz"),
            # NULLs are distinct to the constraint above: questions outside any quiz too.
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(quiz__isnull=True),
                name="question_key_unique_without_quiz",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.text}"

    @property
    def is_choice(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)

    @property
    def has_options(self) -> bool:
        """Its answers refer to its choices (ranking and points too)."""
        return self.kind in RANKED_OR_SHARED or self.is_choice

    @property
    def accepts_several(self) -> bool:
        return self.kind == self.Kind.MULTIPLE or (self.kind == self.Kind.SDG and self.multiple)

    def has_correct_answer(self, choices: list[Choice] | None = None) -> bool:
        if self.is_choice:
            choices = choices if choices is not None else list(self.choices.all())
            return any(c.correct for c in choices)
        if self.kind == self.Kind.SDG:
            return bool(self.correct_sdgs)
        if self.kind == self.Kind.NUMBER:
            return self.number_correct is not None
        if self.kind == self.Kind.RANKING:
            choices = choices if choices is not None else list(self.choices.all())
            return any(c.correct_rank for c in choices)
        return False

    def results_live_by_default(self, choices: list[Choice] | None = None) -> bool:
        if self.show_results_live is not None:
            return self.show_results_live
        return not self.has_correct_answer(choices)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=200)
    correct = models.BooleanField(default=False)
    # Ranking: this option's place in the right order (1 = first); empty: no right order.
    correct_rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Ranking: its place in the right order (1 = first).")
    )

    class Meta:
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.text


class QuestionRun(models.Model):
    """A question as asked in one session: its state, timer and display options."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Not open yet")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        REVEALED = "revealed", _("Revealed")

    session = models.ForeignKey(
        "workshop.WorkshopSession", on_delete=models.CASCADE, related_name="question_runs"
    )
    # SET_NULL: re-importing a template rebuilds its steps; past results stay.
    step = models.ForeignKey(
        "workshop.Step", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="runs")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    show_results = models.BooleanField(default=False)
    leaderboard_shown = models.BooleanField(default=False)
    speed_bonus = models.BooleanField(default=False)
    # Pacing. A paused countdown keeps what was left and has no closes_at;
    # locked answers are refused while the question stays open.
    paused_remaining = models.DurationField(null=True, blank=True)
    answers_locked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "step"], name="one_run_per_session_step")
        ]

    def __str__(self) -> str:
        return f"{self.question.key} in {self.session_id} ({self.state})"

    @property
    def is_paused(self) -> bool:
        return self.paused_remaining is not None

    def time_is_up(self, now) -> bool:
        return self.closes_at is not None and now >= self.closes_at

    def shown_state(self, now) -> str:
        """The state as the room should see it: open past its deadline is closed,
        even before the server's timer has stored it (a restart, a late timer)."""
        if self.state == self.State.OPEN and self.time_is_up(now):
            return self.State.CLOSED
        return self.state


class Answer(models.Model):
    run = models.ForeignKey(QuestionRun, on_delete=models.CASCADE, related_name="answers")
    participant = models.ForeignKey(
        "workshop.Participant", on_delete=models.CASCADE, related_name="answers"
    )
    # The id the phone gave its message: a resend after a reconnect carries it again.
    client_id = models.CharField(max_length=64)
    # single/multiple: [choice ids]; sdg: [goal numbers]; number: a number;
    # scale: an integer; text: a string; ranking: [choice ids], first ranked
    # first; points: {"<choice id>": whole points}, adding up to the budget.
    value = models.JSONField()
    is_correct = models.BooleanField(null=True)
    points = models.PositiveSmallIntegerField(default=0)
    hidden = models.BooleanField(default=False, help_text=_("Never shown on the projector."))
    approved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["run", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "participant"], name="one_answer_per_participant_per_run"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.value!r}"
