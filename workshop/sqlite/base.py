"""Django's SQLite backend, with each query's placeholders converted once.

Python's sqlite3 module takes "?" placeholders; Django writes "%s", and its
cursor converts every query with a regular expression over the whole SQL
text, every time it runs. In a join storm of 2,000 phones that was 2.1 % of
the server's time (py-spy, docs/performance.md), for the same few texts
again and again: the lookups of workshop/prepared.py, the join's insert.
"""

from __future__ import annotations

import functools

from django.db.backends.sqlite3 import base


@functools.lru_cache(maxsize=2048)
def _format_to_qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _format_to_qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)
