"""Repeating groups in the assessments layout: `group.row.item=value` answers, checked one by one with the pages'
checks, saved through assessments.services as the page saves them, idempotent, and exported the same way."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from assessments import services as assessment_services
from assessments.loader import load_instruments
from assessments.models import Assessment, InstrumentVersion
from imports import services
from imports.choices import Entity, RowAction
from imports.layouts.assessments import answers_cell
from imports.tests.files import csv_bytes, read_xlsx, xlsx_bytes
from imports.tests.test_cases import run_file
from imports.tests.test_services import errors_of
from plans.vocabulary import load_vocabulary

D = datetime.date
EMPLOYABILITY = (
    "wh_experience=3; wh_recent=3; ws_technical=3; ws_punctuality=3; ws_tasks=3; ss_colleagues=3; ss_authority=3; "
    "ss_conflicts=2; au_travel=3; au_selfcare=3; au_reminders=2; mo_motivation=3; mo_realism=3; nw_family=3; "
    "nw_informal=3; nw_services=3"
)
JOBS = (
    "wh_jobs.1.job_role=Magazziniere; carrellista; wh_jobs.1.job_group=9; wh_jobs.1.job_from=01/02/2015; "
    "wh_jobs.1.job_to=2016-06-30; wh_jobs.2.job_role=Aiuto cuoco; wh_jobs.2.job_group=5"
)
SKILLS = (
    "strengths=Puntuale\nPreciso nel lavoro; fragilities=Ansia nei colloqui; ts_communication=3; ts_teamwork=4; "
    "ts_problem_solving=3; ts_organisation=3; ts_reliability=5; ts_adaptability=3; ts_learning=4; ts_stress=2; "
    "mv_work=4; mv_training=4; mv_confidence=3; interest_groups=93|51; "
    "previous_training.1.course=Corso HACCP; previous_training.1.course_year=2019; "
    "previous_training.2.course=Patentino muletto; previous_training.2.course_year=2021"
)


@pytest.fixture(autouse=True)
def instruments(db):
    load_vocabulary()
    load_instruments()


def row(source_id="V-1", answers=f"{EMPLOYABILITY}; {JOBS}", **over) -> dict:
    data = {
        "source_system": "SIAL", "source_id": source_id, "person_source_id": "1001", "fiscal_code": "",
        "instrument": "employability", "instrument_version": "1", "assessed_on": "15/03/2018", "answers": answers,
    }  # fmt: skip
    data.update(over)
    return data


def snapshot():
    return sorted(
        (a.person.fiscal_code, a.instrument_version.instrument.code, a.assessed_on, a.status,
         sorted(a.answers.items()), str(a.total), a.band)
        for a in Assessment.objects.select_related("person", "instrument_version__instrument")
    )  # fmt: skip


def test_the_cell_keeps_a_semicolon_or_a_line_break_inside_a_text_answer():
    assert answers_cell("a=1; b=Magazziniere; carrellista\nil sabato;\nc.1.d = 2;") == {
        "a": "1", "b": "Magazziniere; carrellista\nil sabato", "c.1.d": "2"
    }  # fmt: skip


def test_the_rows_of_a_repeating_group_are_saved_as_the_page_saves_them(cast, persons):
    skills = row("V-2", SKILLS, instrument="skills_balance", assessed_on="20/09/2019")
    run = run_file(cast.coordinator_a, Entity.ASSESSMENTS, csv_bytes([row(), skills], columns=list(row())))
    assert run.counts[RowAction.CREATE] == 2, errors_of(run)
    employability = Assessment.objects.get(instrument_version__instrument__code="employability")
    assert employability.answers["wh_jobs"] == [
        {"job_role": "Magazziniere; carrellista", "job_group": "9", "job_from": "2015-02-01", "job_to": "2016-06-30"},
        {"job_role": "Aiuto cuoco", "job_group": "5"},
    ]
    assert employability.status == "completed" and employability.total is not None
    balance = Assessment.objects.get(instrument_version__instrument__code="skills_balance")
    assert balance.answers["previous_training"] == [
        {"course": "Corso HACCP", "course_year": 2019}, {"course": "Patentino muletto", "course_year": 2021}
    ]  # fmt: skip
    assert balance.answers["strengths"] == "Puntuale\nPreciso nel lavoro"
    assert balance.answers["interest_groups"] == ["51", "93"]  # in the order of the options, as the page keeps them


def test_the_numbers_of_the_rows_give_their_order(cast, persons):
    answers = (
        f"{EMPLOYABILITY}; wh_jobs.3.job_role=Terzo; wh_jobs.1.job_role=Primo; wh_jobs.1.job_group=9; "
        "wh_jobs.2.job_role=Secondo"
    )
    run = run_file(cast.coordinator_a, Entity.ASSESSMENTS, csv_bytes([row(answers=answers)], columns=list(row())))
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    rows = Assessment.objects.get().answers["wh_jobs"]
    assert [r["job_role"] for r in rows] == ["Primo", "Secondo", "Terzo"] and rows[0]["job_group"] == "9"


def test_importing_the_groups_again_changes_nothing_and_a_change_is_refused(cast, persons):
    rows = [row(), row("V-2", SKILLS, instrument="skills_balance", assessed_on="20/09/2019")]
    run_file(cast.coordinator_a, Entity.ASSESSMENTS, csv_bytes(rows, columns=list(row())))
    before = snapshot()
    for data, name in (
        (csv_bytes(rows, columns=list(row())), "a.csv"),
        (xlsx_bytes(rows, columns=list(row())), "a.xlsx"),
    ):
        again = run_file(cast.coordinator_a, Entity.ASSESSMENTS, data, name)
        assert again.counts[RowAction.UNCHANGED] == 2, errors_of(again)
    assert snapshot() == before and Assessment.objects.count() == 2
    changed = row(answers=f"{EMPLOYABILITY}; {JOBS.replace('Aiuto cuoco', 'Cuoco')}")
    run = run_file(cast.coordinator_a, Entity.ASSESSMENTS, csv_bytes([changed], columns=list(row())))
    [(_line, column, message)] = errors_of(run)
    assert column == "answers" and "an import does not change its answers" in message
    assert snapshot() == before


BAD = [
    ("wh_jobs.9.job_role=Cuoco", "wh_jobs.9.job_role: wh_jobs has at most 8 rows: number them from 1 to 8."),
    ("wh_jobs.0.job_role=Cuoco", "wh_jobs.0.job_role: wh_jobs has at most 8 rows: number them from 1 to 8."),
    ("wh_jobs.1.job_salary=1000", "wh_jobs.1.job_salary: job_salary is not an item of the repeating group wh_jobs, "
                                  "whose items are: job_role, job_group, job_from, job_to."),
    ("wh_jobs.1.job_group=99", "wh_jobs.1.job_group: Choose one of the options. Write one of: 1, 2, 3, 4, 5, 6, 7, "
                               "8, 9, 0."),
    ("wh_jobs.1.job_from=2015", "wh_jobs.1.job_from: Enter a valid date. Write the date as dd/mm/yyyy or "
                                "yyyy-mm-dd."),
    ("wh_jobs=Magazziniere", "wh_jobs is a repeating group: write each of its answers as wh_jobs.<row>.<item>=value, "
                             "for example wh_jobs.1.job_role=…"),
    ("job_role=Magazziniere", "job_role is an item of the repeating group wh_jobs: write it as "
                              "wh_jobs.1.job_role=value (1 for the first row, 2 for the second…)."),
    ("wh_jobs.primo.job_role=Cuoco", "“wh_jobs.primo.job_role”: write an answer of the repeating group wh_jobs as "
                                     "wh_jobs.<row>.<item>=value, the rows numbered from 1 to 8, the item one of: "
                                     "job_role, job_group, job_from, job_to."),
    ("wh_jobs.1=Cuoco", "“wh_jobs.1”: write an answer of the repeating group wh_jobs as"),
    ("wh_years.1.job_role=3", "wh_years.1.job_role: wh_years is not a repeating group: write wh_years=value."),
    ("xx_jobs.1.job_role=3", "xx_jobs.1.job_role is not an item of this instrument version."),
    ("wh_jobs.1.job_role=Cuoco; wh_jobs.01.job_role=Chef", "The item wh_jobs.01.job_role is answered twice"),
    ("mo_time=full_time|sempre", "mo_time: Choose among the options. Write one or more of: full_time, part_time, "
                                 "flexible, separated by |."),
    ("wh_years=3; wh_worked 2", "wh_years: Enter a number. “3; wh_worked 2” holds more than one answer"),
    ("wh_years=61", "wh_years: Enter a number of at most 60."),
]  # fmt: skip


@pytest.mark.parametrize(("answer", "message"), BAD)
def test_every_bad_answer_of_a_group_says_how_to_write_it(cast, persons, answer, message):
    data = csv_bytes([row(answers=f"{EMPLOYABILITY}; {answer}")], columns=list(row()))
    run = run_file(cast.coordinator_a, Entity.ASSESSMENTS, data, commit=False)
    found = errors_of(run)
    assert any(column == "answers" and message in text for _line, column, text in found), found
    assert run.counts[RowAction.ERROR] == 1
    services.import_commit(actor=cast.coordinator_a, run=run)
    assert not Assessment.objects.exists()


def test_answers_run_together_are_named(cast, persons):
    answers = EMPLOYABILITY.replace("wh_recent=3", "wh_recent=3; wh_experience 2")
    run = run_file(cast.coordinator_a, Entity.ASSESSMENTS, csv_bytes([row(answers=answers)], columns=list(row())))
    [(_line, column, message)] = errors_of(run)
    assert column == "answers" and message.startswith("wh_recent: Choose one of the options.")
    assert "“3; wh_experience 2” holds more than one answer: write each as item=value, separated by ;." in message


def test_a_group_entered_on_the_page_is_exported_and_imports_back_unchanged(cast, client_for, persons):
    client = client_for(cast.coordinator_a)
    point = transaction.savepoint()
    version = InstrumentVersion.objects.get(instrument__code="employability", number=1)
    started = assessment_services.assessment_start(
        actor=cast.operator_a, person=persons["1002"], version=version, assessed_on=D(2024, 5, 2)
    )
    page_answers = dict(answers_cell(EMPLOYABILITY))
    page_answers["wh_jobs"] = [
        {"job_role": "Commesso = banco; frutta", "job_group": "5", "job_from": D(2020, 1, 1)},
        {"job_role": "Operaio\nturni di notte", "job_to": D(2019, 12, 31)},
    ]
    assessment_services.assessment_save(
        actor=cast.operator_a, assessment=started, version=started.version, answers=page_answers, complete=True
    )
    run = run_file(cast.coordinator_a, Entity.ASSESSMENTS, csv_bytes([row()], columns=list(row())))
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    before = snapshot()
    files = {}
    for fmt in ("csv", "xlsx"):
        files[fmt] = (
            client.get(reverse("imports:export_persons", args=[fmt])).content,
            client.get(reverse("imports:export", args=["assessments", fmt])).content,
        )
    exported = read_xlsx(files["xlsx"][1])
    answers = {line[1]: line[-1] for line in exported[1:]}
    assert "wh_jobs.1.job_role=Magazziniere; carrellista; wh_jobs.1.job_group=9" in answers["V-1"]
    assert "wh_jobs.2.job_role=Operaio\nturni di notte; wh_jobs.2.job_to=2019-12-31" in answers[str(started.pk)]
    transaction.savepoint_rollback(point)
    for fmt, (persons_file, assessments_file) in files.items():
        point = transaction.savepoint()
        for entity, content in ((Entity.PERSONS, persons_file), (Entity.ASSESSMENTS, assessments_file)):
            run = run_file(cast.coordinator_a, entity, content, f"export.{fmt}")
            assert run.counts.get(RowAction.ERROR) is None, (fmt, entity, errors_of(run))
        assert snapshot() == before, fmt
        again = run_file(cast.coordinator_a, Entity.ASSESSMENTS, assessments_file, f"export.{fmt}")
        assert again.counts[RowAction.UNCHANGED] == 2, errors_of(again)
        transaction.savepoint_rollback(point)
