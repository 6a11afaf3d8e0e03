"""How apps plug into the report, the exports and the purge.

The report page and the stored summary are built from the same *summary
sections*: a function of the session returning JSON-able, aggregated data
(no nicknames, nothing that points to a person). While a session's
participants exist the report computes them live; once purged, it reads the
stored ``SessionSummary`` instead. So an app registers, in its
``AppConfig.ready``:

- ``register_summary_section(key, fn, order=...)``: ``fn(session) -> dict``;
- ``register_report_section(key, template, order=...)``: a template rendered
  with ``session``, ``data`` (that section's summary dict) and ``summary``
  (all sections); skipped when its summary section is missing or empty;
- ``register_export(key, label, fn)``: ``fn(session) -> (header, rows)``,
  served as ``<key>.csv`` to the session's facilitators, cells neutralised;
- ``register_purge_hook(fn)``: ``fn(session)`` deletes the app's personal
  data of a session that deleting its participants does not cascade to;
- ``register_takeaway_section(key, template, fn, order=...)``: a part of the
  page a participant keeps once the session has ended. ``fn(participant)``
  returns that participant's own data (a dict, empty for nothing to show),
  read in their language; the template gets it as ``data``. Unlike the
  summary sections it is personal, so it is never stored or shared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from workshop.models import Participant, WorkshopSession

SummaryFn = Callable[[WorkshopSession], dict[str, Any]]
ExportFn = Callable[[WorkshopSession], tuple[Sequence[Any], Iterable[Sequence[Any]]]]
PurgeHook = Callable[[WorkshopSession], None]
TakeawayFn = Callable[[Participant], dict[str, Any]]


@dataclass(frozen=True)
class SummarySection:
    key: str
    fn: SummaryFn
    order: int


@dataclass(frozen=True)
class ReportSection:
    key: str
    template: str
    order: int


@dataclass(frozen=True)
class Export:
    key: str
    label: str | Promise
    fn: ExportFn
    order: int


@dataclass(frozen=True)
class TakeawaySection:
    key: str
    template: str
    fn: TakeawayFn
    order: int


SUMMARY_SECTIONS: dict[str, SummarySection] = {}
REPORT_SECTIONS: dict[str, ReportSection] = {}
EXPORTS: dict[str, Export] = {}
PURGE_HOOKS: list[PurgeHook] = []
TAKEAWAY_SECTIONS: dict[str, TakeawaySection] = {}


def register_summary_section(key: str, fn: SummaryFn, *, order: int = 100) -> None:
    SUMMARY_SECTIONS[key] = SummarySection(key, fn, order)


def register_report_section(key: str, template: str, *, order: int = 100) -> None:
    REPORT_SECTIONS[key] = ReportSection(key, template, order)


def register_export(key: str, label: str | Promise, fn: ExportFn, *, order: int = 100) -> None:
    if not key.replace("-", "").isalnum():
        raise ValueError(f"export key {key!r}: letters, digits and dashes only")
    EXPORTS[key] = Export(key, label, fn, order)


def register_purge_hook(fn: PurgeHook) -> None:
    if fn not in PURGE_HOOKS:
        PURGE_HOOKS.append(fn)


def register_takeaway_section(key: str, template: str, fn: TakeawayFn, *, order: int = 100) -> None:
    TAKEAWAY_SECTIONS[key] = TakeawaySection(key, template, fn, order)


def summary_sections() -> list[SummarySection]:
    return sorted(SUMMARY_SECTIONS.values(), key=lambda s: (s.order, s.key))


def report_sections() -> list[ReportSection]:
    return sorted(REPORT_SECTIONS.values(), key=lambda s: (s.order, s.key))


def exports() -> list[Export]:
    return sorted(EXPORTS.values(), key=lambda e: (e.order, e.key))


def takeaway_sections() -> list[TakeawaySection]:
    return sorted(TAKEAWAY_SECTIONS.values(), key=lambda s: (s.order, s.key))
