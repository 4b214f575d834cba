"""Reads of the imports app that pages share."""

from imports.models import CodeMapping, ImportRun


def runs_for(user, *, limit: int = 20):
    """The latest files uploaded in the organisations where `user` may import."""
    return (
        ImportRun.objects.restrict(user, "change")
        .select_related("created_by", "job")
        .defer("content", "rows")
        .order_by("-created_at", "-pk")[:limit]
    )


def mappings_for(user):
    """The value mappings of the organisations where `user` may import."""
    return CodeMapping.objects.restrict(user, "change").order_by("field", "source_value")


def report_lines(run: ImportRun):
    """One line per error, and one per row without errors: what the downloadable report holds."""
    for row in run.rows or []:
        if row.get("errors"):
            for column, message in row["errors"]:
                yield [row["line"], row["key"], row.get("name", ""), row["action"], column, message]
        else:
            yield [row["line"], row["key"], row.get("name", ""), row["action"], ", ".join(row.get("fields") or []), ""]
