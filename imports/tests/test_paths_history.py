"""The paths layout for the history since 2012: internships older than the rules Ponte holds, suspended paths and
internships converted to hirings, through the paths services, idempotent, every mistake reported, and exported so
that the export imports back unchanged (CSV and XLSX)."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.choices import Action
from audit.models import AuditEvent
from imports import services as import_services
from imports.choices import Entity, RowAction, RunStatus
from imports.layouts.paths import PATH_COLUMNS
from imports.models import SourceKey
from imports.tests.files import csv_bytes, read_xlsx, xlsx_bytes
from imports.tests.test_cases import marco_open_case, run_file
from imports.tests.test_services import errors_of
from paths import services as path_services
from paths.models import FollowUp, Path, PathChange

D = datetime.date
COLUMNS = [column.name for column in PATH_COLUMNS]
HOST = "Esempio Logistica S.p.A."


def row(source_id: str, **cells) -> dict:
    """A row of Luisa's (SIAL:1001) at the cast's company; `cells` as the file writes them."""
    return {"source_system": "SIAL", "source_id": source_id, "person_source_id": "1001", "host": HOST, **cells}


def internship(source_id: str = "P-20", **cells) -> dict:
    """An internship of Luisa's, in 2019, within the rules of 2018."""
    base = {"kind": "tirocinio", "title": "Magazziniere", "starts_on": "01/05/2019", "planned_end_on": "31/10/2019",
            "hours_per_week": "20", "days_per_week": "5", "beneficiary_category": "svantaggiato",
            "monthly_indemnity": "500,00", "meal_vouchers": "no"}  # fmt: skip
    return row(source_id, **{**base, **cells})


def hiring(source_id: str = "P-21", **cells) -> dict:
    """An open-ended hiring of Luisa's from October 2019."""
    base = {"kind": "assunzione a tempo indeterminato", "title": "Magazziniere", "starts_on": "01/10/2019",
            "hours_per_week": "30", "days_per_week": "5", "beneficiary_category": "svantaggiato"}  # fmt: skip
    return row(source_id, **{**base, **cells})


def file(*rows: dict) -> bytes:
    return csv_bytes(list(rows), columns=COLUMNS)


def imported(cast, data: bytes, **kwargs):
    """Import a paths file as A's coordinator (preview only with commit=False)."""
    return run_file(cast.coordinator_a, Entity.PATHS, data, "paths.csv", **kwargs)


def history(path: Path) -> list[tuple]:
    return list(PathChange.objects.filter(path=path).values_list("from_status", "to_status", "on"))


def frozen() -> tuple:
    """Everything an import could change: the paths, their history, their checks and the audit of paths."""
    return (
        list(Path.objects.order_by("pk").values_list("pk", "status", "version", "ended_on", "previous_id")),
        PathChange.objects.count(),
        list(FollowUp.objects.order_by("pk").values_list("pk", "cancelled", "due_on")),
        AuditEvent.objects.filter(action=Action.PATH_SAVE).count(),
    )


# ---------------------------------------------------------------------------------------------- before the rules

OLD = internship("P-10", starts_on="01/03/2016", planned_end_on="31/08/2018", monthly_indemnity="300",
                 status="concluso", ended_on="31/08/2018")  # fmt: skip


def test_an_internship_of_before_the_rules_is_previewed_as_new_and_recorded_unchecked(cast, persons):
    preview = imported(cast, file(OLD), commit=False)
    assert preview.counts[RowAction.CREATE] == 1 and not errors_of(preview)
    run = import_services.import_commit(actor=cast.coordinator_a, run=preview)
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    path = Path.objects.get()
    assert (path.status, path.starts_on, path.ended_on, str(path.monthly_indemnity)) == (
        "completed", D(2016, 3, 1), D(2018, 8, 31), "300.00"
    )  # fmt: skip
    created = PathChange.objects.filter(path=path).first()
    assert created.to_status == "planned" and created.note == path_services._unchecked_note()
    events = AuditEvent.objects.filter(action=Action.PATH_SAVE, object_id=str(path.pk))
    assert events.filter(detail__created=True, detail__rules_checked=False).count() == 1
    assert imported(cast, file(OLD)).counts[RowAction.UNCHANGED] == 1


def test_an_internship_under_the_rules_is_still_checked(cast, persons):
    late = internship("P-11", starts_on="01/03/2019", planned_end_on="31/08/2019", monthly_indemnity="300",
                      status="concluso", ended_on="31/08/2019")  # fmt: skip
    run = imported(cast, file(late), commit=False)
    assert [(line, column) for line, column, _m in errors_of(run)] == [(2, "monthly_indemnity")]


# ---------------------------------------------------------------------------------------------- suspended


def test_suspended_paths_import_resume_and_end_by_later_files(cast, persons):
    suspended = internship("P-30", status="sospeso", suspended_on="15/07/2019")
    course = row("P-31", kind="corso", title="Sicurezza", starts_on="01/02/2019", status="in corso")
    first = file(suspended, course)
    run = imported(cast, first)
    assert run.counts[RowAction.CREATE] == 2, errors_of(run)
    course_version = Path.objects.get(kind="course").version
    path = Path.objects.get(kind="internship")
    assert path.status == "suspended"
    assert history(path) == [("", "planned", D(2019, 5, 1)), ("planned", "active", D(2019, 5, 1)),
                             ("active", "suspended", D(2019, 7, 15))]  # fmt: skip
    # The same file again changes nothing.
    before = frozen()
    assert imported(cast, first).counts[RowAction.UNCHANGED] == 2
    assert frozen() == before
    # A later file: the internship resumed (the file does not say when: the day of the import); the course is the same.
    resumed = imported(cast, file({**suspended, "status": "in corso", "suspended_on": ""}, course))
    assert (resumed.counts[RowAction.UPDATE], resumed.counts[RowAction.UNCHANGED]) == (1, 1), errors_of(resumed)
    path.refresh_from_db()
    assert path.status == "active" and history(path)[-1] == ("suspended", "active", timezone.localdate())
    assert Path.objects.get(kind="course").version == course_version
    # Suspended again, then ended: resumed and completed on its end.
    imported(cast, file({**suspended, "suspended_on": "01/08/2019"}))
    path.refresh_from_db()
    assert path.status == "suspended" and history(path)[-1] == ("active", "suspended", D(2019, 8, 1))
    ended = imported(cast, file({**suspended, "status": "concluso", "suspended_on": "", "ended_on": "31/10/2019"}))
    assert ended.counts[RowAction.UPDATE] == 1, errors_of(ended)
    path.refresh_from_db()
    assert (path.status, path.ended_on) == ("completed", D(2019, 10, 31))
    assert history(path)[-2:] == [("suspended", "active", D(2019, 10, 31)), ("active", "completed", D(2019, 10, 31))]


SUSPENSION_MISTAKES = [
    (internship("S-1", status="sospeso"), "suspended_on", "The path is suspended: write the day it was suspended"),
    (internship("S-2", status="in corso", suspended_on="01/06/2019"), "suspended_on",
     "Only a suspended path has a suspension date"),
    (internship("S-3", status="sospeso", suspended_on="01/04/2019"), "suspended_on",
     "The path is suspended before it starts"),
    (internship("S-4", status="sospeso", suspended_on="01/01/2099"), "suspended_on",
     "The date cannot be in the future"),
    (internship("S-5", status="sospeso", suspended_on="01/06/2019", ended_on="31/10/2019"), "ended_on",
     "Only a completed, interrupted or converted path has an end date"),
    (internship("S-6", status="sospeso", suspended_on="1 giugno"), "suspended_on", ""),
]  # fmt: skip


@pytest.mark.parametrize("bad, column, message", SUSPENSION_MISTAKES, ids=lambda v: v if isinstance(v, str) else "")
def test_a_bad_suspension_is_reported_on_its_cell(cast, persons, bad, column, message):
    run = imported(cast, file(bad), commit=False)
    found = errors_of(run)
    assert any(c == column and message in m for _line, c, m in found), found
    assert run.counts[RowAction.ERROR] == 1


def test_a_suspension_date_other_than_pontes_is_reported(cast, persons):
    suspended = internship("P-30", status="sospeso", suspended_on="15/07/2019")
    imported(cast, file(suspended))
    run = imported(cast, file({**suspended, "suspended_on": "16/07/2019"}), commit=False)
    [(_line, column, message)] = errors_of(run)
    assert column == "suspended_on" and "suspended in Ponte on 15/07/2019" in message
    run = imported(
        cast, file({**suspended, "status": "concluso", "suspended_on": "", "ended_on": "01/07/2019"}), commit=False
    )
    [(_line, column, message)] = errors_of(run)
    assert column == "ended_on" and "cannot end before that day" in message


# ---------------------------------------------------------------------------------------------- converted

CONVERTED = internship(status="convertito", ended_on="30/09/2019")
HIRED = hiring(previous_source_id="P-20", status="in corso")


def test_an_internship_and_its_hiring_import_as_the_conversion_of_the_page(cast, persons):
    preview = imported(cast, file(CONVERTED, HIRED), commit=False)
    assert preview.counts[RowAction.CREATE] == 2, errors_of(preview)
    run = import_services.import_commit(actor=cast.coordinator_a, run=preview)
    assert run.status == RunStatus.DONE and run.counts[RowAction.CREATE] == 2, errors_of(run)
    first, job = Path.objects.get(kind="internship"), Path.objects.get(kind="hiring_open")
    assert (first.status, first.ended_on) == ("converted", D(2019, 9, 30))
    assert (job.previous, job.status, job.starts_on, job.host, str(job.hours_per_week)) == (
        first, "active", D(2019, 10, 1), cast.company, "30.0"
    )  # fmt: skip
    assert history(first) == [("", "planned", D(2019, 5, 1)), ("planned", "active", D(2019, 5, 1)),
                              ("active", "converted", D(2019, 9, 30))]  # fmt: skip
    assert history(job) == [("", "active", D(2019, 10, 1))]
    assert AuditEvent.objects.filter(object_id=str(job.pk), detail__converted_from=first.pk).exists()
    # Its checks of the past waived, as for any imported job.
    assert not job.follow_ups.filter(cancelled=False, due_on__lt=timezone.localdate()).exists()
    keys = SourceKey.objects.filter(entity=Entity.PATHS).values_list("source_id", "object_id")
    assert sorted(keys) == [("P-20", first.pk), ("P-21", job.pk)]
    before = frozen()
    again = imported(cast, file(CONVERTED, HIRED))
    assert again.counts[RowAction.UNCHANGED] == 2, errors_of(again)
    assert frozen() == before


def test_a_hiring_that_ended_and_details_of_its_own(cast, persons):
    ended = {**HIRED, "status": "interrotto", "ended_on": "15/03/2020", "interruption_reason": "dimissioni",
             "host_tutor": "Paola Verdi", "service_tutor": "operator_a", "outcome_note": "Trasferita"}  # fmt: skip
    run = imported(cast, file(CONVERTED, ended))
    assert run.counts[RowAction.CREATE] == 2, errors_of(run)
    job = Path.objects.get(kind="hiring_open")
    assert (job.status, job.ended_on, job.job_end_reason, job.host_tutor, job.service_tutor) == (
        "interrupted", D(2020, 3, 15), "resignation", "Paola Verdi", cast.operator_a
    )  # fmt: skip
    assert imported(cast, file(CONVERTED, ended)).counts[RowAction.UNCHANGED] == 2


def test_an_internship_ending_a_batch_pairs_with_its_hiring_starting_the_next(cast, persons):
    """The file is read in batches of 500 rows: the internship is the 500th row, its hiring the 501st."""
    from imports.services import BATCH_SIZE

    filler = [row(f"X-{n}", person_source_id="9999", kind="corso", starts_on="01/02/2019", status="in corso")
              for n in range(BATCH_SIZE - 1)]  # fmt: skip
    data = file(*filler, CONVERTED, HIRED)
    preview = imported(cast, data, commit=False)
    assert (preview.counts[RowAction.CREATE], preview.counts[RowAction.ERROR]) == (2, BATCH_SIZE - 1)
    assert {line for line, _c, _m in errors_of(preview)} == set(range(2, BATCH_SIZE + 1))
    run = import_services.import_commit(actor=cast.coordinator_a, run=preview)
    assert run.counts[RowAction.CREATE] == 2
    assert Path.objects.get(kind="hiring_open").previous == Path.objects.get(kind="internship", status="converted")


def test_an_internship_ending_a_batch_without_its_hiring_is_an_error(cast, persons):
    """The 500th row, converted, followed by a row that is not its hiring: the batch reads on to that row."""
    from imports.services import BATCH_SIZE

    filler = [row(f"X-{n}", person_source_id="9999", kind="corso", starts_on="01/02/2019", status="in corso")
              for n in range(BATCH_SIZE - 1)]  # fmt: skip
    course = row("X-last", kind="corso", starts_on="01/10/2019", status="in corso")
    preview = imported(cast, file(*filler, CONVERTED, course), commit=False)
    line = BATCH_SIZE + 1  # the header is line 1
    assert [(c, m) for n, c, m in errors_of(preview) if n == line] == [
        ("status", "An internship converted to a hiring needs its hiring: on the next line, put the hiring's row "
         "with this row's old id in previous_source_id.")
    ]  # fmt: skip
    run = import_services.import_commit(actor=cast.coordinator_a, run=preview)
    assert run.counts[RowAction.CREATE] == 1  # the course; the internship waits for its hiring
    assert not Path.objects.filter(kind="internship").exists()


def test_a_later_file_converts_an_internship_imported_active(cast, persons):
    active = {**CONVERTED, "status": "in corso", "ended_on": ""}
    imported(cast, file(active))
    # The hiring alone may name it; the internship's row with its new status may come too.
    run = imported(cast, file(HIRED), commit=False)
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    run = imported(cast, file(CONVERTED, HIRED))
    assert (run.counts[RowAction.UPDATE], run.counts[RowAction.CREATE]) == (1, 1), errors_of(run)
    assert Path.objects.get(kind="internship").status == "converted"
    assert imported(cast, file(CONVERTED, HIRED)).counts[RowAction.UNCHANGED] == 2


def test_an_internship_of_before_the_rules_converted_to_a_hiring(cast, persons):
    old = {**OLD, "status": "convertito", "ended_on": "31/03/2017", "source_id": "P-20"}
    job = {**HIRED, "starts_on": "01/04/2017"}
    run = imported(cast, file(old, job))
    assert run.counts[RowAction.CREATE] == 2, errors_of(run)
    assert Path.objects.get(kind="hiring_open").previous.starts_on == D(2016, 3, 1)


CONVERSION_MISTAKES = [
    # The internship's row alone, or followed by another row.
    ((CONVERTED,), 2, "status", "needs its hiring"),
    ((CONVERTED, hiring(status="in corso")), 2, "status", "needs its hiring"),
    # The internship's end is not the day before the hiring.
    (({**CONVERTED, "ended_on": "15/09/2019"}, HIRED), 2, "ended_on", "the internship ends the day before, 30/09/2019"),
    # The hiring's row has errors of its own: the internship waits for it.
    ((CONVERTED, {**HIRED, "host": "Ditta Inesistente"}), 2, "status", "The hiring on the next line has errors"),
    # The internship's row has errors: the hiring says so.
    (({**CONVERTED, "monthly_indemnity": "100"}, HIRED), 3, "previous_source_id",
     "The internship on line 2 has errors"),
    # The old id names nothing, or not an internship, or an internship at another host, or after the hiring.
    ((HIRED,), 2, "previous_source_id", "No internship has this old id"),
    ((row("P-20", kind="corso", starts_on="01/05/2019", status="in corso"), HIRED), 3, "previous_source_id",
     "No internship has this old id"),
    ((CONVERTED, {**HIRED, "host": "ASST Niguarda"}), 3, "host", "write Esempio Logistica S.p.A."),
    (({**CONVERTED, "ended_on": "01/05/2019"}, {**HIRED, "starts_on": "01/04/2019"}), 3, "starts_on",
     "cannot start before its internship"),
    # Cells of their own.
    ((CONVERTED, {**HIRED, "kind": "corso"}), 3, "previous_source_id", "Only a hiring comes from an internship"),
    ((CONVERTED, {**HIRED, "status": "programmato"}), 3, "status", "starts active"),
    (({**CONVERTED, "kind": "corso", "monthly_indemnity": ""},), 2, "status", "Only an internship is converted"),
    (({**CONVERTED, "ended_on": ""}, HIRED), 2, "ended_on", "write the day it ended"),
    (({**CONVERTED, "outcome_note": "Assunta"}, HIRED), 2, "outcome_note", "write it on the hiring's row"),
]  # fmt: skip


@pytest.mark.parametrize("rows, line, column, message", CONVERSION_MISTAKES)
def test_a_bad_conversion_is_reported_on_its_cell(cast, persons, rows, line, column, message):
    run = imported(cast, file(*rows), commit=False)
    found = errors_of(run)
    assert any((l, c) == (line, column) and (message or "") in m for l, c, m in found), found  # noqa: E741


def test_a_lone_converted_internship_says_what_to_add(cast, persons):
    # Alone at the end of the file it is the last row of its batch: the row after it is checked when there is one.
    run = imported(
        cast, file(CONVERTED, row("P-9", kind="corso", starts_on="01/02/2019", status="in corso")), commit=False
    )
    [(line, column, message)] = errors_of(run)
    assert (line, column) == (2, "status")
    assert "on the next line, put the hiring's row with this row's old id in previous_source_id" in message


def test_an_existing_hiring_keeps_its_internship(cast, persons):
    imported(cast, file(CONVERTED, HIRED))
    other = internship("P-40", starts_on="01/01/2019", planned_end_on="30/04/2019", status="concluso",
                       ended_on="30/04/2019")  # fmt: skip
    imported(cast, file(other))
    run = imported(cast, file(other, {**HIRED, "previous_source_id": "P-40"}), commit=False)
    assert any(c == "previous_source_id" and "an import does not change that" in m for _l, c, m in errors_of(run))
    # A hiring naming a path that is not an internship is refused.
    imported(cast, file(row("P-70", kind="corso", starts_on="01/02/2019", status="in corso")))
    run = imported(cast, file(hiring("P-71", previous_source_id="P-70", status="in corso")), commit=False)
    assert any("is not an internship" in m for _l, _c, m in errors_of(run)), errors_of(run)
    # A second hiring from an internship already converted is refused.
    run = imported(cast, file(hiring("P-50", previous_source_id="P-20", starts_on="01/12/2019", status="in corso")),
                   commit=False)  # fmt: skip
    assert any("already converted to another hiring" in m for _l, _c, m in errors_of(run)), errors_of(run)


# ---------------------------------------------------------------------------------------------- round trip


def snapshot() -> list[tuple]:
    rows = []
    for p in Path.objects.select_related("person", "previous"):
        suspended = PathChange.objects.filter(path=p, to_status="suspended").order_by("at", "pk").last()
        rows.append(
            (p.person.fiscal_code, p.kind, p.host_id, p.title, p.starts_on, p.planned_end_on, p.status, p.ended_on,
             p.interruption_reason, p.job_end_reason, p.hours_per_week, p.days_per_week, p.host_tutor,
             p.service_tutor_id, p.beneficiary_category, p.monthly_indemnity, p.meal_vouchers, p.outcome_note,
             (p.previous.kind, p.previous.starts_on) if p.previous else None,
             suspended.on if p.status == "suspended" else None)
        )  # fmt: skip
    return sorted(rows, key=repr)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_history(cast, client_for, fmt):
    from imports.tests.test_cases import PERSONS

    client = client_for(cast.coordinator_a)
    point = transaction.savepoint()
    run_file(cast.coordinator_a, Entity.PERSONS, csv_bytes(PERSONS))
    run_file(cast.coordinator_a, Entity.CASES, csv_bytes([marco_open_case(opened_on="01/02/2024")]))
    rows = [OLD, CONVERTED, HIRED, internship("P-30", starts_on="01/05/2021", planned_end_on="31/10/2021",
                                              status="sospeso", suspended_on="15/07/2021"),
            internship("P-60", starts_on="01/01/2023", planned_end_on="30/06/2023", status="in corso")]  # fmt: skip
    data = file(*rows) if fmt == "csv" else xlsx_bytes(rows, columns=COLUMNS)
    run = run_file(cast.coordinator_a, Entity.PATHS, data, f"paths.{fmt}")
    assert run.counts[RowAction.CREATE] == 5, errors_of(run)
    # On the pages: P-60 converted to a hiring (which has no old id), and a course suspended.
    on_page = path_services.path_convert_to_hiring(
        actor=cast.coordinator_a, path=Path.objects.get(starts_on=D(2023, 1, 1)), kind="hiring_fixed",
        starts_on=D(2023, 6, 1),
    )  # fmt: skip
    marco = SourceKey.objects.get(entity=Entity.PERSONS, source_id="1002").person
    course = path_services.path_create(actor=cast.coordinator_a, person=marco, case=marco.cases.get(), kind="course",
                                       host=cast.company, starts_on=D(2024, 3, 1))  # fmt: skip
    path_services.path_transition(actor=cast.coordinator_a, path=course, to_status="active", on=D(2024, 3, 1))
    path_services.path_transition(actor=cast.coordinator_a, path=course, to_status="suspended", on=D(2024, 4, 2))
    before = snapshot()
    files = {}
    for entity, name, args in ((Entity.PERSONS, "imports:export_persons", [fmt]),
                               (Entity.CASES, "imports:export", ["cases", fmt]),
                               (Entity.PATHS, "imports:export", ["paths", fmt])):  # fmt: skip
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        files[entity] = response.content
    table = (
        [line.split(";") for line in files[Entity.PATHS].decode("utf-8-sig").splitlines()]
        if fmt == "csv"
        else read_xlsx(files[Entity.PATHS])
    )
    header, body = table[0], table[1:]
    by_id = {r[header.index("source_id")]: r for r in body}
    assert by_id["P-20"][header.index("status")] == "converted"
    assert body.index(by_id["P-21"]) == body.index(by_id["P-20"]) + 1
    assert str(by_id[str(on_page.pk)][header.index("previous_source_id")]) == "P-60"
    assert "15/07/2021" in str(by_id["P-30"][header.index("suspended_on")]) or "2021-07-15" in str(
        by_id["P-30"][header.index("suspended_on")]
    )
    transaction.savepoint_rollback(point)
    assert not Path.objects.exists()
    for entity in (Entity.PERSONS, Entity.CASES, Entity.PATHS):
        run = run_file(cast.coordinator_a, entity, files[entity], f"export.{fmt}")
        assert run.counts.get(RowAction.ERROR) is None, errors_of(run)
    assert snapshot() == before
    again = run_file(cast.coordinator_a, Entity.PATHS, files[Entity.PATHS], f"export.{fmt}")
    assert again.counts[RowAction.UNCHANGED] == 7, errors_of(again)
