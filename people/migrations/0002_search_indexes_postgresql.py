"""Indexes for the registry search on PostgreSQL.

The search matches words anywhere in the names (`icontains`, i.e. UPPER(name) LIKE '%WORD%') and fiscal codes by
their beginning (LIKE 'CODE%'). B-tree indexes serve neither, so on 100,000 persons every search read the whole
table. Trigram GIN indexes (pg_trgm, a trusted extension the database owner may create) serve the first, a
pattern-ops B-tree the second. SQLite, used for development and the demo, has no such indexes and needs none at
its sizes; the operations do nothing there.
"""

from django.db import migrations

INDEXES = {
    "person_last_name_trgm": "USING gin (UPPER(last_name) gin_trgm_ops)",
    "person_first_name_trgm": "USING gin (UPPER(first_name) gin_trgm_ops)",
    "person_fiscal_code_prefix": "(fiscal_code varchar_pattern_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON people_person {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
