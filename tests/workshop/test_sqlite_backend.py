"""The SQLite backend converts each query's placeholders once
(workshop/sqlite/base.py), and converts them as Django's own does."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangoCursor

from workshop.sqlite import base

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="PostgreSQL takes Django's placeholders as they are"
    ),
]

QUERIES = [
    "SELECT %s",
    "SELECT '%%s', %s WHERE a LIKE '50%%'",
    "SELECT %s, %s FROM t WHERE x = %s",
]


@pytest.fixture
def raw_cursor():
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, base.SQLiteCursorWrapper)
        yield cursor.cursor


@pytest.mark.parametrize("query", QUERIES)
def test_it_converts_a_query_as_django_does(raw_cursor, query):
    assert raw_cursor.convert_query(query) == DjangoCursor.convert_query(raw_cursor, query)


def test_named_placeholders_still_convert(raw_cursor):
    converted = raw_cursor.convert_query("SELECT %(a)s, %(b)s", param_names=["a", "b"])
    assert converted == "SELECT :a, :b"


def test_the_same_text_is_converted_once():
    base._format_to_qmark.cache_clear()
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("SELECT %s, '%%'", [1])
            assert cursor.fetchone() == (1, "%")
    assert base._format_to_qmark.cache_info().misses == 1
