"""The cases and referrals layouts: history with its real dates, through the case services, idempotent, with
every bad cell reported, access and consent applied."""

import datetime

import pytest
from django.utils import timezone

from audit.choices import Action
from audit.models import AuditEvent
from cases.models import Case, Referral
from core.testing.cast import make_case, make_consent, make_person
from imports import services
from imports.choices import Entity, RowAction, RunStatus
from imports.models import SourceKey
from imports.tests.files import case_row, csv_bytes, person_row, referral_row, xlsx_bytes
from imports.tests.test_services import errors_of

PERSONS = [
    person_row(consent_care_given_on="01/09/2014", consent_care_withdrawn_on="01/01/2020"),
    person_row(source_id="1002", last_name="Colombo", first_name="Marco", sex="M", birth_date="03/11/1975"),
]


def run_file(user, entity: str, data: bytes, name: str = "file.csv", *, commit: bool = True):
    run = services.import_upload(actor=user, filename=name, data=data, entity=entity)
    run = services.import_preview(actor=user, run=run)
    return services.import_commit(actor=user, run=run) if commit else run


def marco_open_case(**over):
    row = case_row(source_id="C-2", person_source_id="", status="", closed_on="", closing_reason="",
                   closing_note="", opened_on="01/02/2024", case_manager="operator_a")  # fmt: skip
    row["fiscal_code"] = PERSONS[1]["fiscal_code"]
    row.update(over)
    return row


# ---------------------------------------------------------------------------------------------- cases


def test_cases_import_with_their_real_dates_through_the_case_services(cast, persons):
    run = run_file(cast.coordinator_a, Entity.CASES, csv_bytes([case_row(), marco_open_case()]))
    assert run.status == RunStatus.DONE and run.counts[RowAction.CREATE] == 2, errors_of(run)
    past = Case.objects.get(person=persons["1001"])
    assert (past.opened_on, past.closed_on, past.closing_reason, past.closing_note, past.status) == (
        datetime.date(2012, 9, 15), datetime.date(2017, 6, 30), "goals_met", "Assunta", "closed"
    )  # fmt: skip
    assert (past.unit, past.area, past.organisation) == (cast.unit_a, "work", cast.org_a)
    current = Case.objects.get(person=persons["1002"])
    assert current.is_open and current.case_manager == cast.operator_a
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count(Action.CASE_OPEN) == 2 and actions.count(Action.CASE_CLOSE) == 1
    key = SourceKey.objects.get(entity=Entity.CASES, source_id="C-1")
    assert (key.object_id, key.person) == (past.pk, persons["1001"])


def test_importing_the_cases_again_changes_nothing(cast, persons):
    data = csv_bytes([case_row(), marco_open_case()])
    run_file(cast.coordinator_a, Entity.CASES, data)
    events = AuditEvent.objects.exclude(action__startswith="import.").count()
    before = list(Case.objects.values_list("pk", "version", "updated_at"))
    again = run_file(cast.coordinator_a, Entity.CASES, data)
    assert again.counts[RowAction.UNCHANGED] == 2, errors_of(again)
    assert list(Case.objects.values_list("pk", "version", "updated_at")) == before
    assert AuditEvent.objects.exclude(action__startswith="import.").count() == events


def test_a_corrected_file_closes_and_reassigns_through_the_services(cast, persons):
    run_file(cast.coordinator_a, Entity.CASES, csv_bytes([marco_open_case()]))
    reassigned = run_file(cast.coordinator_a, Entity.CASES, csv_bytes([marco_open_case(case_manager="coordinator_a")]))
    assert reassigned.rows[0]["fields"] == ["case_manager"], errors_of(reassigned)
    closed = marco_open_case(status="closed", closed_on="30/09/2024", closing_reason="drop_out")
    run = run_file(cast.coordinator_a, Entity.CASES, csv_bytes([closed]))
    assert run.counts[RowAction.UPDATE] == 1, errors_of(run)
    case = Case.objects.get()
    assert (case.case_manager, case.closed_on, case.closing_reason) == (
        cast.coordinator_a, datetime.date(2024, 9, 30), "drop_out"
    )  # fmt: skip
    assert AuditEvent.objects.filter(action=Action.CASE_UPDATE).count() == 1
    assert AuditEvent.objects.filter(action=Action.CASE_CLOSE).count() == 1
    # The older file, imported again, does not reopen it: it says why.
    reopened = run_file(cast.coordinator_a, Entity.CASES, csv_bytes([marco_open_case(case_manager="coordinator_a")]))
    assert "an import does not reopen it" in errors_of(reopened)[0][2] and not Case.objects.get().is_open


def test_a_case_closed_in_ponte_is_left_alone_by_the_same_file(cast, persons):
    from cases.services import case_close

    data = csv_bytes([marco_open_case()])
    run_file(cast.coordinator_a, Entity.CASES, data)
    case_close(
        actor=cast.operator_a, case=Case.objects.get(), closed_on=datetime.date(2024, 5, 1), closing_reason="moved"
    )
    assert run_file(cast.coordinator_a, Entity.CASES, data).counts[RowAction.UNCHANGED] == 1
    assert not Case.objects.get().is_open


def test_a_past_case_after_the_open_one_in_the_same_unit_and_area_still_goes_in(cast, persons):
    rows = [marco_open_case(opened_on="01/02/2024"), marco_open_case(source_id="C-0", opened_on="01/01/2010",
            status="closed", closed_on="31/12/2011", closing_reason="moved")]  # fmt: skip
    run = run_file(cast.coordinator_a, Entity.CASES, csv_bytes(rows))
    assert run.counts[RowAction.CREATE] == 2, errors_of(run)
    assert Case.objects.filter(closed_on__isnull=True).count() == 1


def test_a_past_closed_case_goes_in_after_the_open_one_is_in_ponte(cast, persons):
    run_file(cast.coordinator_a, Entity.CASES, csv_bytes([marco_open_case()]))
    past = marco_open_case(source_id="C-0", opened_on="01/01/2010", status="closed", closed_on="31/12/2011",
                           closing_reason="moved", case_manager="")  # fmt: skip
    data = xlsx_bytes([past], typed=True)
    run = run_file(cast.coordinator_a, Entity.CASES, data, "past.xlsx")
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    cases = list(Case.objects.filter(person=persons["1002"]).order_by("opened_on"))
    assert [(c.opened_on, c.closed_on, c.closing_reason) for c in cases] == [
        (datetime.date(2010, 1, 1), datetime.date(2011, 12, 31), "moved"), (datetime.date(2024, 2, 1), None, ""),
    ]  # fmt: skip
    created = AuditEvent.objects.filter(object_id=str(cases[0].pk), action__startswith="case.").order_by("pk")
    assert [e.action for e in created] == [Action.CASE_OPEN, Action.CASE_CLOSE]
    assert created[0].detail == {"historical": True, "imported": run.pk}
    again = run_file(cast.coordinator_a, Entity.CASES, data, "past.xlsx")
    assert again.counts[RowAction.UNCHANGED] == 1 and Case.objects.count() == 2


def test_a_past_case_that_overlaps_the_open_one_is_refused_with_its_date(cast, persons):
    run_file(cast.coordinator_a, Entity.CASES, csv_bytes([marco_open_case()]))
    overlapping = marco_open_case(source_id="C-0", opened_on="01/01/2023", status="closed", closed_on="01/03/2024",
                                  closing_reason="moved")  # fmt: skip
    run = run_file(cast.coordinator_a, Entity.CASES, csv_bytes([overlapping]))
    [(_line, column, message)] = errors_of(run)
    assert column == "opened_on" and "from 01/02/2024: the dates overlap" in message
    assert Case.objects.count() == 1 and not SourceKey.objects.filter(source_id="C-0").exists()


def test_an_existing_case_is_matched_on_person_unit_area_and_date(cast, persons):
    existing = make_case(person=persons["1002"], unit=cast.unit_a, opened_on=datetime.date(2024, 2, 1))
    run = run_file(cast.coordinator_a, Entity.CASES, csv_bytes([marco_open_case(case_manager="")]))
    assert run.counts[RowAction.UNCHANGED] == 1, errors_of(run)
    assert SourceKey.objects.get(entity=Entity.CASES).object_id == existing.pk and Case.objects.count() == 1


BAD_CASES = [
    ({"unit": "Polo Lavoro Niguarda"}, "unit", "is not a unit of your organisation"),
    ({"area": "sport"}, "area", "“sport” is not a known value. Write one of: work, housing"),
    ({"case_manager": "operator_b"}, "case_manager", "is not the username of an operator, coordinator or clinician"),
    ({"opened_on": "31/02/2015"}, "opened_on", "is not a day of the calendar"),
    ({"closed_on": "01/01/2011"}, "closed_on", "The case is closed before it was opened"),
    ({"closed_on": "01/01/2099"}, "closed_on", "The date cannot be in the future"),
    ({"closing_reason": ""}, "closing_reason", "The case is closed: write why"),
    ({"status": "sospesa", "closed_on": "", "closing_reason": ""}, "status", "Suspended cases are not imported"),
    ({"status": "chiusa", "closed_on": "", "closing_reason": ""}, "closed_on", "write the date it was closed"),
    ({"person_source_id": "9999"}, "person_source_id", "No person with this old id is registered"),
    ({"person_source_id": ""}, "fiscal_code", "Name the person: write the fiscal code"),
    ({"organisation": "ASST Niguarda"}, "organisation", "Cases are imported by the organisation that holds them"),
    ({"opened_on": ""}, "opened_on", "Required: fill in this cell."),
]


@pytest.mark.parametrize(("over", "column", "message"), BAD_CASES)
def test_every_bad_cell_of_a_case_says_what_to_do(cast, persons, over, column, message):
    run = run_file(cast.coordinator_a, Entity.CASES, csv_bytes([case_row(**over)]), commit=False)
    assert any(c == column and message in m for _line, c, m in errors_of(run)), errors_of(run)
    assert run.counts[RowAction.ERROR] == 1


def test_a_person_of_another_organisation_is_not_found_and_not_named(cast, persons):
    hidden = make_person(registered_by=cast.org_b)
    row = case_row(person_source_id="", fiscal_code=hidden.fiscal_code)
    run = run_file(cast.coordinator_a, Entity.CASES, csv_bytes([row]))
    [(_line, column, message)] = errors_of(run)
    assert column == "fiscal_code" and "No person with this fiscal code" in message
    assert hidden.last_name not in message and not Case.objects.exists()


def test_a_person_only_shared_with_the_importer_needs_a_referral_first(cast):
    shared = make_person(registered_by=cast.org_b)
    make_consent(person=shared, organisation=cast.org_a, recorded_by=cast.operator_b, sections=["contacts"])
    row = case_row(person_source_id="", fiscal_code=shared.fiscal_code)
    run = run_file(cast.coordinator_a, Entity.CASES, csv_bytes([row]))
    assert "Your organisation does not follow this person yet" in errors_of(run)[0][2]
    assert not Case.objects.exists()


def test_cases_of_another_organisations_import_are_not_touched(cast, persons):
    run_file(cast.coordinator_a, Entity.CASES, csv_bytes([case_row()]))
    run = run_file(cast.coordinator_b, Entity.CASES, csv_bytes([case_row(unit="Polo Lavoro Niguarda")]))
    assert "No person with this old id" in errors_of(run)[0][2]
    assert Case.objects.count() == 1


def test_a_cases_workbook_with_date_cells_imports(cast, persons):
    run = run_file(cast.coordinator_a, Entity.CASES, xlsx_bytes([case_row()], typed=True), "cases.xlsx")
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)


# ---------------------------------------------------------------------------------------------- referrals


def test_an_accepted_referral_of_2015_keeps_its_dates_and_opens_its_case(cast, persons):
    run = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([referral_row()]))
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    referral = Referral.objects.get()
    assert timezone.localtime(referral.sent_at).date() == datetime.date(2015, 3, 10)
    assert timezone.localtime(referral.decided_at).date() == datetime.date(2015, 3, 24)
    assert (referral.status, referral.from_unit, referral.to_unit) == ("accepted", cast.cps_a, cast.unit_a)
    # The consent it rests on was in force then, though withdrawn since.
    assert referral.consent.purpose == "care" and referral.consent.withdrawn_on == datetime.date(2020, 1, 1)
    assert (referral.case.opened_on, referral.case.unit) == (datetime.date(2015, 3, 24), cast.unit_a)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {Action.REFERRAL_SEND, Action.REFERRAL_ACCEPT, Action.CASE_OPEN} <= actions
    again = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([referral_row()]))
    assert again.counts[RowAction.UNCHANGED] == 1 and Referral.objects.count() == 1 and Case.objects.count() == 1


def test_an_accepted_referral_finds_the_case_the_cases_layout_brought(cast, persons):
    run_file(cast.coordinator_a, Entity.CASES, csv_bytes([case_row(opened_on="24/03/2015")]))
    run = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([referral_row()]))
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    assert Case.objects.count() == 1 and Referral.objects.get().case == Case.objects.get()


def test_a_referral_needs_the_consent_in_force_on_the_day_it_was_sent(cast, persons):
    run = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([referral_row(sent_on="10/03/2013")]))
    [(_line, column, message)] = errors_of(run)
    assert column == "sent_on" and "had not consented to care by" in message and "10/03/2013" in message
    assert not Referral.objects.exists()


def test_a_referral_to_another_organisation_waits_then_is_withdrawn_by_a_corrected_file(cast, persons):
    marco = persons["1002"]
    make_consent(person=marco, organisation=cast.org_b, recorded_by=cast.operator_a, given_on=datetime.date(2021, 1, 1))
    row = referral_row(source_id="R-2", person_source_id="1002", from_unit="Polo Lavoro Sacco",
                       to_unit="Polo Lavoro Niguarda", sent_on="05/05/2023", status="inviata",
                       decided_on="")  # fmt: skip
    run = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([row]))
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    assert Referral.objects.get().status == "sent"
    withdrawn = {**row, "status": "ritirata", "withdrawn_on": "01/06/2023"}
    run = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([withdrawn]))
    assert run.rows[0]["fields"] == ["status"], errors_of(run)
    referral = Referral.objects.get()
    assert referral.status == "withdrawn" and timezone.localtime(referral.withdrawn_at).date().month == 6
    assert AuditEvent.objects.filter(action=Action.REFERRAL_WITHDRAW, object_id=str(referral.pk)).exists()


def test_only_the_receiving_organisation_imports_a_decision(cast, persons):
    marco = persons["1002"]
    make_consent(person=marco, organisation=cast.org_b, recorded_by=cast.operator_a, given_on=datetime.date(2021, 1, 1))
    row = referral_row(person_source_id="1002", from_unit="Polo Lavoro Sacco", to_unit="Polo Lavoro Niguarda",
                       sent_on="05/05/2023", decided_on="10/05/2023")  # fmt: skip
    run = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([row]))
    assert "Only the receiving organisation imports its decision" in errors_of(run)[0][2]
    assert not Referral.objects.exists() and not Case.objects.exists()


def test_a_referral_between_two_other_organisations_is_refused(cast, persons):
    row = referral_row(from_unit="Polo Lavoro Niguarda", to_unit="Osservatorio epidemiologico", status="sent",
                       decided_on="")  # fmt: skip
    run = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([row]))
    assert "imported by the organisation that sent it or by the one that received it" in errors_of(run)[0][2]


BAD_REFERRALS = [
    ({"status": "persa"}, "status", "is not a known value"),
    ({"decided_on": ""}, "decided_on", "write the date of the decision"),
    ({"decided_on": "01/03/2015"}, "decided_on", "before the referral was sent"),
    ({"status": "rifiutata"}, "rejection_reason", "The referral was rejected: write why"),
    ({"status": "ritirata", "decided_on": ""}, "withdrawn_on", "The referral was withdrawn: write the date"),
    ({"to_unit": "CPS Sacco"}, "to_unit", "A referral goes to another unit"),
    ({"to_unit": "Ufficio inesistente"}, "to_unit", "is not a unit of the network"),
    ({"reason": ""}, "reason", "Required: fill in this cell."),
    ({"sent_on": "2015"}, "sent_on", "is not a date"),
    ({"case_manager": "operator_a", "status": "sent", "decided_on": ""}, "case_manager", "Only an accepted referral"),
]


@pytest.mark.parametrize(("over", "column", "message"), BAD_REFERRALS)
def test_every_bad_cell_of_a_referral_says_what_to_do(cast, persons, over, column, message):
    run = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([referral_row(**over)]), commit=False)
    assert any(c == column and message in m for _line, c, m in errors_of(run)), errors_of(run)


def test_a_rejected_referral_keeps_its_reason_and_date(cast, persons):
    row = referral_row(status="rifiutata", rejection_reason="Non idoneo ora")
    run = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([row]))
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    referral = Referral.objects.get()
    assert (referral.status, referral.rejection_reason, referral.case) == ("rejected", "Non idoneo ora", None)
    assert AuditEvent.objects.filter(action=Action.REFERRAL_REJECT).count() == 1


def test_only_coordinators_import_cases(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_upload(actor=cast.operator_a, filename="c.csv", data=csv_bytes([case_row()]), entity="cases")


def test_a_case_moved_to_another_unit_in_the_file_is_refused_with_what_ponte_has(cast, persons):
    run_file(cast.coordinator_a, Entity.CASES, csv_bytes([case_row()]))
    run = run_file(cast.coordinator_a, Entity.CASES, csv_bytes([case_row(unit="CPS Sacco")]))
    [(_line, column, message)] = errors_of(run)
    assert column == "unit" and "Ponte has another value for this record (Polo Lavoro Sacco)" in message


def test_a_referral_the_receiver_accepted_comes_back_unchanged_in_the_senders_file(cast, persons):
    from cases.services import referral_accept

    marco = persons["1002"]
    make_consent(person=marco, organisation=cast.org_b, recorded_by=cast.operator_a, given_on=datetime.date(2021, 1, 1))
    row = referral_row(person_source_id="1002", from_unit="Polo Lavoro Sacco", to_unit="Polo Lavoro Niguarda",
                       sent_on="05/05/2023", status="sent", decided_on="")  # fmt: skip
    run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([row]))
    referral_accept(actor=cast.operator_b, referral=Referral.objects.get())
    accepted = {**row, "status": "accepted", "decided_on": timezone.localdate().strftime("%d/%m/%Y")}
    for data in (row, accepted):
        run = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([data]))
        assert run.counts.get(RowAction.UNCHANGED) == 1, errors_of(run)


def test_an_interrupted_cases_import_resumes_without_duplicates(cast, persons):
    open_case = {"status": "", "closed_on": "", "closing_reason": "", "closing_note": ""}
    rows = [
        case_row(source_id=f"C-1{n}", unit=unit, area=area, **open_case)
        for n, (unit, area) in enumerate(
            [("Polo Lavoro Sacco", "work"), ("Polo Lavoro Sacco", "housing"), ("CPS Sacco", "work"),
             ("CPS Sacco", "housing")]
        )
    ] + [marco_open_case()]  # fmt: skip

    def stop_at_row_5(line):
        if line == 5:
            raise services.ImportInterrupted("worker stopped")

    run = services.import_upload(actor=cast.coordinator_a, filename="c.csv", data=csv_bytes(rows), entity="cases")
    run = services.import_preview(actor=cast.coordinator_a, run=run)
    run = services.import_commit(actor=cast.coordinator_a, run=run, batch_size=2, on_row=stop_at_row_5)
    assert run.status == RunStatus.INTERRUPTED
    assert Case.objects.count() == 2 and SourceKey.objects.filter(entity=Entity.CASES).count() == 2
    resumed = services.import_commit(actor=cast.coordinator_a, run=run)
    assert (resumed.counts[RowAction.UNCHANGED], resumed.counts[RowAction.CREATE]) == (2, 3), errors_of(resumed)
    assert Case.objects.count() == 5 and SourceKey.objects.filter(entity=Entity.CASES).count() == 5
    assert AuditEvent.objects.filter(action=Action.CASE_OPEN).count() == 5
