"""Inserting rows without building Django's query at every call: many rows at once for the services that import
thousands of records, and one row (`insert_one`) for the audit event that every page writes.

`insert_many` does what `QuerySet.bulk_create` does — fields filled as at a save (auto_now_add and the like),
primary keys set on the objects — and on PostgreSQL writes with COPY instead of INSERT: Django's bulk insert
spends most of its time preparing each value of each row, which COPY leaves to the server. Constraints and
triggers apply as to any insert, and errors are Django's (IntegrityError).

`fewer_collections` keeps Python's cyclic garbage collector from walking everything the process holds again and
again while a job handles thousands of rows (ADR 0024).
"""

import contextlib
import datetime
import gc
import threading
from functools import cache

from django.db import connections, models
from django.utils import timezone

# Values that PostgreSQL's COPY takes as they are for fields of these kinds: Django's preparation of them would
# return them unchanged (it converts other types, resolves lazy strings, and adapts JSON, arrays, addresses).
_AS_IS = {
    "CharField": (str,),
    "TextField": (str,),
    "IntegerField": (int,),
    "SmallIntegerField": (int,),
    "PositiveIntegerField": (int,),
    "PositiveSmallIntegerField": (int,),
    "BigIntegerField": (int,),
    "BooleanField": (bool,),
    "DateField": (datetime.date,),
    "DateTimeField": (datetime.datetime,),
    "ForeignKey": (int,),
}


def insert_many(model: type[models.Model], objs: list[models.Model], *, batch_size: int = 500) -> list:
    """Insert `objs`, unsaved instances of `model`, and give each its primary key; returns `objs`. On PostgreSQL
    their auto_now and auto_now_add timestamps are one time, that of the insert."""
    if not objs:
        return objs
    pk = model._meta.pk
    connection = connections[model.objects.db]  # the connection itself: the default proxy costs at every value
    if connection.vendor != "postgresql" or not isinstance(pk, models.AutoField):
        return model.objects.bulk_create(objs, batch_size=batch_size)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    as_is = [_AS_IS.get(f.get_internal_type(), ()) + (type(None),) for f in fields]
    # auto_now and auto_now_add timestamps: the time of the insert, read once for all the rows (as insert_values).
    stamped = [isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add) for f in fields]
    now = timezone.now()
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in [pk, *fields])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(objs)],
        )
        for obj, (value,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, value)
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                row = [getattr(obj, pk.attname)]
                for field, types, stamp in zip(fields, as_is, stamped, strict=True):
                    if stamp:
                        value = now
                        setattr(obj, field.attname, now)
                    else:
                        value = field.pre_save(obj, True)
                    row.append(value if type(value) in types else field.get_db_prep_save(value, connection))
                copy.write_row(row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


@cache
def _insert_statement(model: type[models.Model], alias: str) -> tuple[str, list[models.Field]]:
    """The INSERT of one row of `model` on connection `alias`, and the fields whose values it takes, in order."""
    connection = connections[alias]
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns, placeholders = ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names only
    if connection.features.can_return_columns_from_insert:
        sql += f" RETURNING {quote(pk.column)}"
    return sql, fields


def insert_one(obj: models.Model) -> models.Model:
    """Save `obj`, a new instance with an automatic primary key, as Model.save() would insert it — the same values,
    auto_now_add and the like filled in — with a statement built once per model instead of at every call, and
    without save signals (which Ponte's models do not use). For the audit event every page writes."""
    connection = connections[type(obj).objects.db]
    sql, fields = _insert_statement(type(obj), connection.alias)
    values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        pk = cursor.fetchone()[0] if connection.features.can_return_columns_from_insert else cursor.lastrowid
    setattr(obj, obj._meta.pk.attname, pk)
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def insert_values(model: type[models.Model], rows: list[dict]) -> int:
    """Insert rows of `model` given as {attname: value}, without building model instances (for the history and
    audit rows of an import, which nobody reads back at once); fields left out take their default, and
    auto_now_add fields the time of the insert. Returns how many; on PostgreSQL written with COPY."""
    if not rows:
        return 0
    connection = connections[model.objects.db]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {}
    for f in fields:
        auto = getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
        defaults[f.attname] = now if auto else f.get_default()
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**{**defaults, **row}) for row in rows], batch_size=500)
        return len(rows)
    as_is = [_AS_IS.get(f.get_internal_type(), ()) + (type(None),) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = []
                for field, types in zip(fields, as_is, strict=True):
                    value = row.get(field.attname, defaults[field.attname])
                    values.append(value if type(value) in types else field.get_db_prep_save(value, connection))
                copy.write_row(values)
    return len(rows)


def analyze_grown(connection=None, *, scale: float = 1.0, skip: tuple[str, ...] = ()) -> list[str]:
    """Refresh the planner's statistics of the tables whose rows changed by more than `scale` of their size since
    they were last analysed (by default: that have doubled), but for the tables named in `skip`, and return their
    names (PostgreSQL only; elsewhere nothing).

    Autovacuum does this on its own schedule (once a minute at most, and not at all where it is off); a bulk
    import between two of its rounds can grow a table from empty to many thousands of rows, and a planner still
    believing it empty reads it whole for every lookup of the next batches. Imports call this between batches.
    """
    connection = connection or connections["default"]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
            "WHERE s.schemaname = current_schema() AND s.n_mod_since_analyze > 50 + %s * GREATEST(c.reltuples, 0) "
            "ORDER BY s.relname",
            [scale],
        )
        grown = [name for (name,) in cursor.fetchall() if name not in skip]
        for name in grown:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")
    return grown


_collections_lock = threading.Lock()
_collections_held = [0, None]  # how many callers are inside fewer_collections, and the thresholds to restore


@contextlib.contextmanager
def fewer_collections(threshold: int = 50_000):
    """Run the block with Python's cyclic garbage collector working less: the objects alive on entry are left out
    of its scans (`gc.freeze()`), and it runs after `threshold` new objects instead of 700.

    For code that builds and drops thousands of objects a second while much stays alive (an import keeps its
    report and keys, Django its modules): each full collection scans everything alive, and by default they came
    often enough to take a fifth of an import's commit. Reference counting still frees what the block drops; what
    lies in cycles is collected at the higher threshold, and normally again on exit. Threads may nest it: the
    first to enter changes the collector, the last to leave restores it.
    """
    with _collections_lock:
        if _collections_held[0] == 0:
            _collections_held[1] = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(threshold, *_collections_held[1][1:])
        _collections_held[0] += 1
    try:
        yield
    finally:
        with _collections_lock:
            _collections_held[0] -= 1
            if _collections_held[0] == 0:
                gc.set_threshold(*_collections_held[1])
                gc.unfreeze()
