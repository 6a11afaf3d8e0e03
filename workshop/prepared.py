"""Querysets compiled once, run many times.

In a join storm every phone runs the same few lookups (its participant with
its session, the session it joins), and the ORM spent longer compiling each
of them than the database spent running it: building the query and its SQL
was about two thirds of a lookup, 11 % of the server's time with 2,000
phones arriving within 10 s (py-spy, docs/performance.md).

A ``PreparedQuery`` lets the ORM write the SQL once per database, with
stand-in values for its parameters, and then only swaps in each call's
values and turns the rows into model instances as a queryset would
(``select_related`` and ``only`` included). Only exact lookups on the named
fields are supported: each stand-in must appear exactly once among the
compiled parameters, or compiling fails loudly.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Field, Model, QuerySet
from django.db.models.query import get_related_populators


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: list[Any]
    slots: dict[int, str]  # parameter position -> argument name
    init_list: list[str]
    fields_start: int
    fields_end: int
    populators: list[Any]
    converters: list[tuple[int, tuple[list[Callable], Any]]]


class PreparedQuery:
    """``build(**arguments)`` gives the queryset; ``fields`` names the model
    field each argument is compared with, which prepares its value for the
    database as the ORM would."""

    def __init__(self, build: Callable[..., QuerySet], **fields: Field) -> None:
        self._build = build
        self._fields = fields
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()
        self._model_and_alias: tuple[type[Model], str] | None = None

    def _model(self) -> type[Model]:
        return self._model_and_database()[0]

    def _model_and_database(self) -> tuple[type[Model], str]:
        if self._model_and_alias is None:
            queryset = self._build(**self._stand_ins())
            self._model_and_alias = (queryset.model, queryset.db)  # db: for write if locking
        return self._model_and_alias

    def first(self, **arguments: Any) -> Model | None:
        """The first row as a model instance, or None."""
        rows = self.all(**arguments)
        return rows[0] if rows else None

    def all(self, **arguments: Any) -> list[Model]:
        if arguments.keys() != self._fields.keys():
            raise TypeError(f"expected the arguments {sorted(self._fields)}")
        alias = self._model_and_database()[1]
        connection = connections[alias]
        compiled = self._compiled_for(alias)
        params = list(compiled.params)
        for position, name in compiled.slots.items():
            params[position] = self._prepare(name, arguments[name], connection)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return [self._instance(compiled, alias, connection, row) for row in rows]

    def _compiled_for(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(alias) or self._compile(alias)
                self._compiled[alias] = compiled
        return compiled

    def _compile(self, alias: str) -> _Compiled:
        connection = connections[alias]
        stand_ins = self._stand_ins()
        compiler = self._build(**stand_ins).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = {}
        for name, value in stand_ins.items():
            prepared = self._prepare(name, value, connection)
            positions = [i for i, p in enumerate(params) if p == prepared]
            if len(positions) != 1:
                raise ValueError(f"{name!r} must appear once in the query's parameters: {sql}")
            slots[positions[0]] = name
        klass_info, select = compiler.klass_info, compiler.select
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        expressions = [column[0] for column in select[: compiler.col_count]]
        return _Compiled(
            sql=sql,
            params=params,
            slots=slots,
            init_list=[column[0].target.attname for column in select[start:end]],
            fields_start=start,
            fields_end=end,
            populators=get_related_populators(klass_info, select, alias),
            converters=list(compiler.get_converters(expressions).items()),
        )

    def _instance(self, compiled: _Compiled, alias: str, connection, row) -> Model:
        row = list(row)
        for position, (functions, expression) in compiled.converters:
            value = row[position]
            for convert in functions:
                value = convert(value, expression, connection)
            row[position] = value
        instance = self._model().from_db(
            alias, compiled.init_list, row[compiled.fields_start : compiled.fields_end]
        )
        for populator in compiled.populators:
            populator.populate(row, instance)
        return instance

    def _prepare(self, name: str, value: Any, connection) -> Any:
        return self._fields[name].get_db_prep_value(value, connection, prepared=False)

    def _stand_ins(self) -> dict[str, Any]:
        """A value of each argument's type that no real one equals."""
        return {name: _stand_in(field, name) for name, field in self._fields.items()}


def _stand_in(field: Field, name: str) -> Any:
    kind = field.get_internal_type()
    if kind == "UUIDField":
        return uuid.uuid5(uuid.NAMESPACE_OID, f"prepared-query:{name}")
    if kind in {"CharField", "TextField", "SlugField"}:
        return f"\x1fprepared-query:{name}"
    if kind.endswith("IntegerField") or kind in {"AutoField", "BigAutoField", "ForeignKey"}:
        return -(abs(hash(name)) % 1_000_000_000) - 7_000_000
    raise TypeError(f"no stand-in value for a {kind}")


class PreparedInsert:
    """``Model.objects.create(...)`` for a model whose INSERT a join storm runs
    once per phone (its participant, its socket's connection row), with the
    SQL written once per database instead of compiled by the ORM each time.

    The instance is built and each field's value prepared as ``save()``
    would (defaults, ``auto_now_add``, ``pre_save``); what is left out is the
    save machinery around it: no model signals are sent, so use it only for
    models that nobody listens to (``tests/workshop/test_prepared.py`` checks
    that).
    A failed INSERT marks the surrounding atomic block for rollback, as
    ``save()`` does.
    """

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self._sql: dict[str, tuple[str, list[Field], bool]] = {}

    def create(self, **values: Any) -> Model:
        instance = self.model(**values)
        alias = router.db_for_write(self.model, instance=instance)
        connection = connections[alias]
        sql, fields, returns_pk = self._sql_for(alias)
        params = [
            field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
        ]
        with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
            cursor.execute(sql, params)
            meta = self.model._meta
            if returns_pk:
                instance.pk = cursor.fetchone()[0]
            elif meta.auto_field is not None:
                instance.pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
        instance._state.adding = False
        instance._state.db = alias
        return instance

    def _sql_for(self, alias: str) -> tuple[str, list[Field], bool]:
        found = self._sql.get(alias)
        if found is None:
            found = self._sql[alias] = self._write_sql(alias)
        return found

    def _write_sql(self, alias: str) -> tuple[str, list[Field], bool]:
        connection = connections[alias]
        meta = self.model._meta
        quote = connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
        columns = ", ".join(quote(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        returns_pk = bool(connection.features.can_return_columns_from_insert and meta.auto_field)
        if returns_pk:
            returning, _params = connection.ops.return_insert_columns([meta.pk])
            sql = f"{sql} {returning}"
        return sql, fields, returns_pk
