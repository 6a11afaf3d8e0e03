"""Checks on text that people type, shared by every app that stores it."""

from __future__ import annotations


def storable(text: str) -> bool:
    """Whether PostgreSQL can store this text: no NUL character and no lone
    surrogate (SQLite would take both, so the check is ours, not the
    database's)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True
