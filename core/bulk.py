"""Inserting many rows of a model at once, for the services that import thousands of records.

`insert_many` does what `QuerySet.bulk_create` does — fields filled as at a save (auto_now_add and the like),
primary keys set on the objects — and on PostgreSQL writes with COPY instead of INSERT: Django's bulk insert
spends most of its time preparing each value of each row, which COPY leaves to the server. Constraints and
triggers apply as to any insert, and errors are Django's (IntegrityError).
"""

import datetime

from django.db import connections, models

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
    """Insert `objs`, unsaved instances of `model`, and give each its primary key; returns `objs`."""
    if not objs:
        return objs
    pk = model._meta.pk
    connection = connections[model.objects.db]  # the connection itself: the default proxy costs at every value
    if connection.vendor != "postgresql" or not isinstance(pk, models.AutoField):
        return model.objects.bulk_create(objs, batch_size=batch_size)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    as_is = [_AS_IS.get(f.get_internal_type(), ()) + (type(None),) for f in fields]
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
                for field, types in zip(fields, as_is, strict=True):
                    value = field.pre_save(obj, True)
                    row.append(value if type(value) in types else field.get_db_prep_save(value, connection))
                copy.write_row(row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
