"""The SQLite backend converts each query's placeholders once
(workshop/sqlite/base.py), and converts them as Django's own does. On a
cursor of its own, so that it runs whichever database the suite uses."""

from __future__ import annotations

import sqlite3

import pytest
from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangoCursor

from workshop.sqlite import base

QUERIES = [
    "SELECT %s",
    "SELECT '%%s', %s WHERE a LIKE '50%%'",
    "SELECT %s, %s FROM t WHERE x = %s",
]


@pytest.fixture
def raw_cursor():
    connection = sqlite3.connect(":memory:")
    try:
        yield connection.cursor(factory=base.SQLiteCursorWrapper)
    finally:
        connection.close()


@pytest.mark.parametrize("query", QUERIES)
def test_it_converts_a_query_as_django_does(raw_cursor, query):
    assert raw_cursor.convert_query(query) == DjangoCursor.convert_query(raw_cursor, query)


def test_named_placeholders_still_convert(raw_cursor):
    converted = raw_cursor.convert_query("SELECT %(a)s, %(b)s", param_names=["a", "b"])
    assert converted == "SELECT :a, :b"


def test_the_same_text_is_converted_once(raw_cursor):
    base._format_to_qmark.cache_clear()
    for _ in range(3):
        raw_cursor.execute("SELECT %s, '%%'", [1])
        assert raw_cursor.fetchone() == (1, "%")
    assert base._format_to_qmark.cache_info().misses == 1


@pytest.mark.django_db
def test_the_embedded_default_uses_it():
    from django.conf import settings
    from django.db import connection

    if settings.DATABASE_URL:  # the scale-out settings: PostgreSQL
        assert connection.vendor == "postgresql"
        return
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, base.SQLiteCursorWrapper)
