"""Domain operations on the live room: the only code that changes sessions,
groups and participants, and the only code that announces those changes."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

import live

from . import nicknames
from .errors import DomainError, NotAllowed, NotFound
from .models import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    Group,
    Participant,
    Step,
    WorkshopSession,
    WorkshopTemplate,
)
from .prepared import PreparedInsert, PreparedQuery

NICKNAME_MAX_LENGTH = 40
GROUP_NAME_MAX_LENGTH = 60
MAX_GROUPS = 30
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


# --- checks ------------------------------------------------------------------


def check_facilitator(session: WorkshopSession, user) -> None:
    if not session.is_facilitated_by(user):
        raise NotAllowed("not_facilitator", _("Only the session's facilitators can do this."))


def check_not_ended(session: WorkshopSession) -> None:
    if session.is_ended:
        raise DomainError("session_ended", _("This session has ended; it is read-only."))


def _locked(session: WorkshopSession) -> WorkshopSession:
    """Re-read the session under a row lock (SQLite: the IMMEDIATE transaction)."""
    return WorkshopSession.objects.select_for_update().get(pk=session.pk)


# --- sessions ------------------------------------------------------------------


def generate_join_code() -> str:
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if not WorkshopSession.objects.filter(code=code).exists():
            return code


def normalise_code(raw: str) -> str:
    """What people type: lower case and stray spaces are fine."""
    return "".join(raw.split()).upper()[: JOIN_CODE_LENGTH * 2]


@transaction.atomic
def create_session(
    template: WorkshopTemplate,
    facilitator,
    *,
    title: str = "",
    group_count: int = 0,
    base_url: str = "",
) -> WorkshopSession:
    first_step = template.ordered_steps().first()
    session = WorkshopSession.objects.create(
        code=generate_join_code(),
        base_url=(settings.PUBLIC_BASE_URL or base_url or "http://localhost:8000").rstrip("/"),
        title=(title or template.title)[:200],
        template=template,
        facilitator=facilitator,
        current_step=first_step,
    )
    if group_count:
        _replace_groups(session, default_group_names(group_count))
    return session


@transaction.atomic
def start_session(session: WorkshopSession, by) -> WorkshopSession:
    check_facilitator(session, by)
    session = _locked(session)
    check_not_ended(session)
    if session.status == WorkshopSession.Status.DRAFT:
        session.status = WorkshopSession.Status.LIVE
        session.started_at = timezone.now()
        session.save(update_fields=["status", "started_at"])
        live.changed(session.pk, "session")
    return session


@transaction.atomic
def end_session(session: WorkshopSession, by) -> WorkshopSession:
    check_facilitator(session, by)
    session = _locked(session)
    check_not_ended(session)
    session.status = WorkshopSession.Status.ENDED
    session.ended_at = timezone.now()
    session.save(update_fields=["status", "ended_at"])
    live.changed(session.pk, "session")
    return session


@transaction.atomic
def go_to_step(session: WorkshopSession, step_id: int, by) -> WorkshopSession:
    check_facilitator(session, by)
    session = _locked(session)
    check_not_ended(session)
    try:
        step = session.ordered_steps().get(pk=step_id)
    except (Step.DoesNotExist, ValueError, TypeError):
        raise NotFound("unknown_step", _("That step is not part of this workshop.")) from None
    if session.status == WorkshopSession.Status.DRAFT:
        # Moving past the lobby is what starting a workshop means.
        session.status = WorkshopSession.Status.LIVE
        session.started_at = timezone.now()
    session.current_step = step
    session.save(update_fields=["current_step", "status", "started_at"])
    live.changed(session.pk, "step")
    return session


def step_by_offset(session: WorkshopSession, offset: int) -> Step | None:
    """The step ``offset`` places from the current one, or None past either end."""
    steps = list(session.ordered_steps().only("id"))
    ids = [s.pk for s in steps]
    index = ids.index(session.current_step_id) if session.current_step_id in ids else -1
    target = index + offset
    if index == -1:
        target = 0
    return steps[target] if 0 <= target < len(steps) else None


def move_by(session: WorkshopSession, offset: int, by) -> WorkshopSession:
    check_facilitator(session, by)
    step = step_by_offset(session, offset)
    if step is None:
        raise DomainError(
            "no_more_steps",
            _("This is already the last step.")
            if offset > 0
            else _("This is already the first step."),
        )
    return go_to_step(session, step.pk, by)


@transaction.atomic
def set_joining_locked(session: WorkshopSession, locked: bool, by) -> WorkshopSession:
    check_facilitator(session, by)
    session = _locked(session)
    check_not_ended(session)
    session.joining_locked = locked
    session.save(update_fields=["joining_locked"])
    live.changed(session.pk, "session")
    return session


TOPIC_JOIN_DISPLAY = "join-display"


@transaction.atomic
def set_join_display(session: WorkshopSession, by, display: str) -> WorkshopSession:
    """Show the join code on the projector in a corner, big, or not at all."""
    check_facilitator(session, by)
    if display not in WorkshopSession.JoinDisplay.values:
        raise DomainError("bad_join_display", _("Show the join code in a corner, big, or hide it."))
    session = _locked(session)
    check_not_ended(session)
    session.join_display = display
    session.save(update_fields=["join_display"])
    live.changed(session.pk, TOPIC_JOIN_DISPLAY)
    return session


@transaction.atomic
def set_languages(session: WorkshopSession, by, *, screen: str, control: str) -> WorkshopSession:
    check_facilitator(session, by)
    if screen not in LANGUAGE_CODES or control not in LANGUAGE_CODES:
        raise DomainError("unknown_language", _("Pick English, French or Dutch."))
    session = _locked(session)
    session.screen_language = screen
    session.control_language = control
    session.save(update_fields=["screen_language", "control_language"])
    live.changed(session.pk, "session")
    return session


# --- groups ------------------------------------------------------------------


def default_group_names(count: int) -> list[str]:
    """In the language of whoever sets the groups up (names are kept as made)."""
    return [gettext("Group {n}").format(n=n) for n in range(1, count + 1)]


def parse_group_names(raw: str) -> list[str]:
    """One name a line or comma-separated; a lone number N means N groups."""
    text = raw.strip()
    if text.isdigit():
        count = int(text)
        if not 1 <= count <= MAX_GROUPS:
            raise DomainError(
                "bad_group_count",
                format_lazy(_("Choose between 1 and {count} groups."), count=MAX_GROUPS),
            )
        return default_group_names(count)
    names = [n.strip() for part in text.splitlines() for n in part.split(",") if n.strip()]
    if len(names) > MAX_GROUPS:
        raise DomainError(
            "bad_group_count",
            format_lazy(_("Choose between 1 and {count} groups."), count=MAX_GROUPS),
        )
    if any(len(n) > GROUP_NAME_MAX_LENGTH for n in names):
        raise DomainError("group_name_too_long", _("A group name has at most 60 characters."))
    if len({n.casefold() for n in names}) != len(names):
        raise DomainError("duplicate_group_name", _("Two groups have the same name."))
    return names


@transaction.atomic
def configure_groups(
    session: WorkshopSession, by, *, names: list[str], mode: str
) -> WorkshopSession:
    """Set the groups by name and how participants get into them.

    Groups whose name stays keep their members; members of removed groups,
    and anyone without a group, are balanced across the groups (balanced
    mode) or asked to pick one (choose mode).
    """
    check_facilitator(session, by)
    if mode not in WorkshopSession.GroupMode.values:
        raise DomainError("bad_group_mode", _("Unknown way of forming groups."))
    session = _locked(session)
    check_not_ended(session)
    session.group_mode = mode
    session.save(update_fields=["group_mode"])
    _replace_groups(session, names)
    if mode == WorkshopSession.GroupMode.BALANCED:
        for participant in session.participants.filter(group__isnull=True).order_by("joined_at"):
            participant.group = _smallest_group(session)
            participant.save(update_fields=["group"])
    live.changed(session.pk, "all")
    live.changed(session.pk, "members")
    return session


def _replace_groups(session: WorkshopSession, names: list[str]) -> None:
    existing = {g.name: g for g in session.groups.all()}
    for name, group in existing.items():
        if name not in names:
            group.delete()
    for position, name in enumerate(names):
        group = existing.get(name)
        if group is None:
            Group.objects.create(session=session, name=name, position=position)
        elif group.position != position:
            group.position = position
            group.save(update_fields=["position"])


def _smallest_group(session: WorkshopSession) -> Group | None:
    return session.groups.annotate(size=Count("members")).order_by("size", "position", "id").first()


def _smallest_group_id(session: WorkshopSession) -> int | None:
    """The group a new participant joins: the one with fewest members, as
    _smallest_group chooses. In SQL: the ORM spent ten times longer compiling
    that query than the database running it, 10 % of the server's time while
    a whole room joined (py-spy, 1,000 phones; docs/performance.md)."""
    with connection.cursor() as cursor:
        cursor.execute(_SMALLEST_GROUP_SQL, [session.pk])
        row = cursor.fetchone()
    return row[0] if row else None


# Table names from the models; the session id is the one parameter.
_SMALLEST_GROUP_SQL = (
    f"SELECT g.id FROM {Group._meta.db_table} g WHERE g.session_id = %s"  # noqa: S608
    f" ORDER BY (SELECT COUNT(*) FROM {Participant._meta.db_table} p WHERE p.group_id = g.id),"
    " g.position, g.id LIMIT 1"
)


@transaction.atomic
def move_participant(
    session: WorkshopSession, participant_id: int, group_id: int | None, by
) -> Participant:
    check_facilitator(session, by)
    session = _locked(session)
    check_not_ended(session)
    participant = _participant_of(session, participant_id)
    participant.group = _group_of(session, group_id) if group_id else None
    participant.save(update_fields=["group"])
    live.changed(session.pk, "room")
    live.changed(session.pk, "room", participant_id=participant.pk)
    return participant


def _participant_of(session: WorkshopSession, participant_id: int) -> Participant:
    try:
        return session.participants.get(pk=participant_id)
    except (Participant.DoesNotExist, ValueError, TypeError):
        raise NotFound("unknown_participant", _("No such participant in this session.")) from None


def _group_of(session: WorkshopSession, group_id: int | str) -> Group:
    try:
        return session.groups.get(pk=group_id)
    except (Group.DoesNotExist, ValueError, TypeError):
        raise NotFound("unknown_group", _("No such group in this session.")) from None


# --- participants --------------------------------------------------------------


# What a join reads of its session: every column read costs, a room joins at once.
JOIN_FIELDS = ("id", "code", "status", "joining_locked", "group_mode")

# Looked up by every joining phone, compiled once (workshop/prepared.py).
_SESSION_TO_JOIN = PreparedQuery(
    lambda code: (
        WorkshopSession.objects.select_for_update().only(*JOIN_FIELDS).order_by().filter(code=code)
    ),
    code=WorkshopSession._meta.get_field("code"),
)
_PHONE_PARTICIPANT = PreparedQuery(
    lambda code, public_id: (
        Participant.objects.select_related(
            # The step's question too: a phone's own stage during a question
            # (its snapshot after a restart) read it, a query per phone.
            "session",
            "session__current_step",
            "session__current_step__question",
            "group",
        )
        .order_by()
        .filter(session__code=code, public_id=public_id)
    ),
    code=WorkshopSession._meta.get_field("code"),
    public_id=Participant._meta.get_field("public_id"),
)


# Every joining phone inserts one (workshop/prepared.py).
_INSERT_PARTICIPANT = PreparedInsert(Participant)


def phone_participant(code: str, public_id) -> Participant | None:
    """The participant a phone's cookie names in the session of this join
    code, with the session, its current step and the group: what the phone's
    page and its socket read first. One query, run by every phone of a join
    storm (twice: its page, its socket), so compiled once."""
    return _PHONE_PARTICIPANT.first(code=code, public_id=public_id)


def find_joinable_session(raw_code: str) -> WorkshopSession:
    """The session a join code names, under its row lock (SQLite: the
    IMMEDIATE transaction), read once with just what a join needs."""
    session = _SESSION_TO_JOIN.first(code=normalise_code(raw_code))
    if session is None:
        raise NotFound("unknown_code", _("No workshop has this code. Check it on the big screen."))
    if session.is_ended:
        raise DomainError("session_ended", _("This workshop has ended. Thank you for taking part!"))
    return session


@transaction.atomic
def join_session(raw_code: str, *, nickname: str = "", language: str = "en") -> Participant:
    """A new participant. Three statements when the nickname is given (the
    session under its lock, the smallest group, the insert), one more when it
    is made up: a whole room joins within seconds, one writer at a time, so
    every statement counts. A nickname in use fails the insert (the unique
    constraint), which rolls the whole join back."""
    session = find_joinable_session(raw_code)
    if session.joining_locked:
        raise DomainError("joining_locked", _("The facilitator has closed joining for now."))
    nickname = " ".join(nickname.split())
    if len(nickname) > NICKNAME_MAX_LENGTH:
        raise DomainError("nickname_too_long", _("A nickname has at most 40 characters."))
    nickname = nickname or _made_up_nickname(session)
    group_id = None
    if session.group_mode == WorkshopSession.GroupMode.BALANCED:
        group_id = _smallest_group_id(session)
    try:
        participant = _INSERT_PARTICIPANT.create(
            session=session,
            nickname=nickname,
            group_id=group_id,
            language=language if language in LANGUAGE_CODES else "en",
        )
    except IntegrityError:
        raise DomainError(
            "nickname_taken", _("Someone already uses this nickname. Try another.")
        ) from None
    live.changed(session.pk, "room")
    return participant


def _made_up_nickname(session: WorkshopSession) -> str:
    """A friendly name nobody in the session has, without reading every
    nickname of a large room: a few random names, then a number if need be."""
    candidates = nicknames.candidates()
    taken = set(
        session.participants.filter(nickname__in=candidates).values_list("nickname", flat=True)
    )
    free = [name for name in candidates if name not in taken]
    if free:
        return free[0]
    base = candidates[0]
    numbered = session.participants.filter(nickname__startswith=base + " ")
    return nicknames.numbered(base, set(numbered.values_list("nickname", flat=True)))


@transaction.atomic
def choose_group(participant: Participant, group_id: int | str) -> Participant:
    session = _locked(participant.session)
    check_not_ended(session)
    if session.group_mode != WorkshopSession.GroupMode.CHOOSE:
        raise NotAllowed("groups_assigned", _("The facilitator assigns the groups."))
    participant.group = _group_of(session, group_id)
    participant.save(update_fields=["group"])
    live.changed(session.pk, "room")
    live.changed(session.pk, "room", participant_id=participant.pk)
    return participant


@transaction.atomic
def set_participant_language(participant: Participant, language: str) -> Participant:
    if language not in LANGUAGE_CODES:
        raise DomainError("unknown_language", _("Pick English, French or Dutch."))
    participant.language = language
    participant.save(update_fields=["language"])
    live.changed(participant.session_id, "room", participant_id=participant.pk)
    return participant
