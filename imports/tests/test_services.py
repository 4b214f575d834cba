"""Preview and commit of the persons layout: what is created, updated, left alone, refused, and never duplicated."""

import datetime

import pytest
from django.utils import timezone

from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_case, make_person
from imports import services
from imports.choices import RowAction, RunStatus
from imports.models import ImportRun, SourceKey
from imports.tests.files import csv_bytes, person_row, xlsx_bytes
from people.models import Consent, Person


def preview(user, data: bytes, name: str = "persons.csv", **kwargs):
    run = services.import_upload(actor=user, filename=name, data=data, **kwargs)
    return services.import_preview(actor=user, run=run)


def commit(user, data: bytes, name: str = "persons.csv", **kwargs):
    return services.import_commit(actor=user, run=preview(user, data, name), **kwargs)


def errors_of(run) -> list[tuple[int, str, str]]:
    return [(row["line"], column, message) for row in run.rows for column, message in row["errors"]]


ROWS = [
    person_row(),
    person_row(
        source_id="1002",
        last_name="Colombo",
        first_name="Marco",
        sex="M",
        birth_date="03/11/1975",
        consent_statistics_given_on="05/05/2021",
        consent_statistics_withdrawn_on="06/06/2022",
    ),
]


def test_preview_writes_nothing_but_its_audit_event(cast):
    run = preview(cast.coordinator_a, csv_bytes(ROWS))
    assert run.status == RunStatus.PREVIEWED
    assert run.counts["rows"] == 2 and run.counts[RowAction.CREATE] == 2
    assert not Person.objects.exists() and not SourceKey.objects.exists()
    assert AuditEvent.objects.filter(action=Action.IMPORT_PREVIEW).count() == 1


def test_happy_path_creates_persons_consents_source_keys_and_audit(cast):
    run = commit(cast.coordinator_a, csv_bytes(ROWS))
    assert run.status == RunStatus.DONE, run.error
    assert run.counts[RowAction.CREATE] == 2
    assert run.content == b""
    luisa = Person.objects.get(last_name="Brivio")
    assert luisa.registered_by == cast.org_a
    assert luisa.birth_date == datetime.date(1988, 4, 12)
    assert luisa.residence_municipio == 8 and luisa.education == "upper_secondary"
    assert luisa.civil_invalidity_percent == 67 and luisa.law68_registered is True
    assert luisa.phone == "+39 333 1234567"
    assert luisa.consents.get().purpose == "care"
    marco_consent = Consent.objects.get(person__last_name="Colombo", purpose="statistics")
    assert (marco_consent.given_on, marco_consent.withdrawn_on) == (
        datetime.date(2021, 5, 5),
        datetime.date(2022, 6, 6),
    )
    key = SourceKey.objects.get(person=luisa)
    assert (key.source_system, key.source_id, key.organisation) == ("SIAL", "1001", cast.org_a)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count(Action.PERSON_CREATE) == 2 and actions.count(Action.CONSENT_GIVE) == 3
    assert actions.count(Action.CONSENT_WITHDRAW) == 1 and actions.count(Action.IMPORT_COMMIT) == 1


def test_importing_the_same_file_twice_changes_nothing(cast):
    commit(cast.coordinator_a, csv_bytes(ROWS))
    before = list(Person.objects.values_list("pk", "version", "updated_at"))
    events = AuditEvent.objects.exclude(action__startswith="import.").count()
    again = commit(cast.coordinator_a, csv_bytes(ROWS))
    assert again.counts[RowAction.UNCHANGED] == 2 and RowAction.CREATE not in again.counts
    assert list(Person.objects.values_list("pk", "version", "updated_at")) == before
    assert AuditEvent.objects.exclude(action__startswith="import.").count() == events
    assert Consent.objects.count() == 3 and SourceKey.objects.count() == 2


def test_a_corrected_file_updates_only_what_it_changed(cast):
    commit(cast.coordinator_a, csv_bytes(ROWS))
    luisa = Person.objects.get(last_name="Brivio")
    # Meanwhile someone changes the address in Ponte; the file never had one.
    Person.objects.filter(pk=luisa.pk).update(address="Via Nuova 1")
    corrected = [person_row(phone="+39 02 5555", consent_care_withdrawn_on="01/03/2024"), ROWS[1]]
    run = commit(cast.coordinator_a, csv_bytes(corrected))
    assert (run.counts[RowAction.UPDATE], run.counts[RowAction.UNCHANGED]) == (1, 1)
    updated = next(row for row in run.rows if row["action"] == "update")
    assert updated["fields"] == ["phone", "consent_care_withdrawn_on"]
    luisa.refresh_from_db()
    assert (luisa.phone, luisa.address, luisa.version) == ("+39 02 5555", "Via Nuova 1", 2)
    assert luisa.consents.get().withdrawn_on == datetime.date(2024, 3, 1)
    event = AuditEvent.objects.filter(action=Action.PERSON_UPDATE, person_id=luisa.pk).get()
    assert event.detail["fields"] == ["phone"]


def test_same_file_does_not_undo_a_change_made_in_ponte(cast):
    commit(cast.coordinator_a, csv_bytes(ROWS))
    Person.objects.filter(last_name="Brivio").update(phone="+39 02 7777")
    run = commit(cast.coordinator_a, csv_bytes(ROWS))
    assert run.counts[RowAction.UNCHANGED] == 2
    assert Person.objects.get(last_name="Brivio").phone == "+39 02 7777"


def test_existing_person_is_matched_on_fiscal_code_and_linked(cast):
    # Born on a fixed day: the cast's generated birth dates move on with every person made in the session.
    person_a = make_person(
        registered_by=cast.org_a, last_name="Rossi", first_name="Maria", birth_date=datetime.date(1980, 3, 25)
    )
    row = person_row(
        source_id="77",
        last_name="Rossi",
        first_name="Maria",
        birth_date=person_a.birth_date.strftime("%d/%m/%Y"),
        fiscal_code=person_a.fiscal_code,
        education="laurea",
    )
    run = commit(cast.coordinator_a, csv_bytes([row]))
    assert run.counts.get(RowAction.UPDATE) == 1, run.rows
    assert Person.objects.count() == 1
    person_a.refresh_from_db()
    assert person_a.education == "tertiary"
    assert SourceKey.objects.get(source_id="77").person == person_a


def test_similar_name_and_birth_date_is_held_for_review_never_merged(cast):
    existing = make_person(
        registered_by=cast.org_a,
        last_name="Brivio",
        first_name="Luisa",
        birth_date=datetime.date(1988, 4, 12),
        fiscal_code="BRVLSU88D52F205H",
    )
    run = preview(cast.coordinator_a, csv_bytes([person_row(first_name="Luiza")]))
    assert run.counts[RowAction.REVIEW] == 1
    [(line, column, message)] = errors_of(run)
    assert (line, column) == (2, "fiscal_code")
    assert str(existing.pk) in message and "new_person_confirmed" in message
    done = services.import_commit(actor=cast.coordinator_a, run=run)
    assert done.counts[RowAction.REVIEW] == 1 and Person.objects.count() == 1
    confirmed = commit(cast.coordinator_a, csv_bytes([person_row(first_name="Luiza", new_person_confirmed="sì")]))
    assert confirmed.counts[RowAction.CREATE] == 1 and Person.objects.count() == 2


def test_a_person_of_another_organisation_is_refused_without_naming_it(cast):
    hidden = make_person(
        registered_by=cast.org_b, last_name="Brivio", first_name="Luisa", birth_date=datetime.date(1988, 4, 12)
    )
    run = commit(cast.coordinator_a, csv_bytes([person_row()]))
    assert run.counts[RowAction.ERROR] == 1
    [(_line, column, message)] = errors_of(run)
    assert column == "fiscal_code" and "another organisation" in message
    assert "Niguarda" not in message and str(hidden.pk) not in message
    assert AuditEvent.objects.filter(action=Action.PERSON_DUPLICATE_HIDDEN, person_id=hidden.pk).count() == 1
    hidden.refresh_from_db()
    assert hidden.version == 1


def test_a_person_treated_by_the_importer_through_a_case_is_updated(cast):
    other = make_person(
        registered_by=cast.org_b, last_name="Brivio", first_name="Luisa", birth_date=datetime.date(1988, 4, 12)
    )
    make_case(person=other, unit=cast.unit_a)
    run = commit(cast.coordinator_a, csv_bytes([person_row(fiscal_code=other.fiscal_code)]))
    assert run.counts[RowAction.UPDATE] == 1, run.rows


def test_rows_with_errors_are_left_out_and_the_others_imported(cast):
    rows = [
        person_row(),
        person_row(source_id="1002", last_name="Colombo", birth_date="31/02/1975", fiscal_code="CLMLSU75B71F205X"),
    ]
    run = commit(cast.coordinator_a, csv_bytes(rows))
    assert (run.counts[RowAction.CREATE], run.counts[RowAction.ERROR]) == (1, 1)
    assert list(Person.objects.values_list("last_name", flat=True)) == ["Brivio"]


def test_same_person_twice_in_a_file(cast):
    run = preview(cast.coordinator_a, csv_bytes([person_row(), person_row(source_id="1002")]))
    assert errors_of(run) == [(3, "fiscal_code", "Row 2 has the same fiscal code: each person once per file.")]
    run = preview(cast.coordinator_a, csv_bytes([person_row(), person_row(last_name="Colombo")]))
    assert errors_of(run) == [(3, "source_id", "Row 2 has the same old id: each person once per file.")]


def test_interrupted_import_rolls_back_its_batch_and_a_rerun_finishes_without_duplicates(cast):
    rows = [
        person_row(source_id=str(2000 + n), last_name=name, first_name="Anna")
        for n, name in enumerate(["Brambilla", "Colombo", "Ferrari", "Galli", "Lombardi"])
    ]
    data = csv_bytes(rows)

    def stop_at_row_5(line):
        if line == 5:
            raise services.ImportInterrupted("worker stopped")

    run = services.import_commit(
        actor=cast.coordinator_a, run=preview(cast.coordinator_a, data), batch_size=2, on_row=stop_at_row_5
    )
    assert run.status == RunStatus.INTERRUPTED
    # Batch 1 (rows 2-3) is in; batch 2 (rows 4-5) was rolled back whole: row 4 was written, then undone.
    assert sorted(Person.objects.values_list("last_name", flat=True)) == ["Brambilla", "Colombo"]
    assert SourceKey.objects.count() == 2
    assert (
        not AuditEvent.objects.filter(action=Action.PERSON_CREATE, detail__isnull=False)
        .exclude(person_id__in=Person.objects.values("pk"))
        .exists()
    )
    resumed = services.import_commit(actor=cast.coordinator_a, run=run)
    assert resumed.status == RunStatus.DONE
    assert (resumed.counts[RowAction.UNCHANGED], resumed.counts[RowAction.CREATE]) == (2, 3)
    assert Person.objects.count() == 5 and SourceKey.objects.count() == 5


def test_a_committed_file_cannot_be_committed_again(cast):
    run = commit(cast.coordinator_a, csv_bytes(ROWS))
    with pytest.raises(services.ValidationError):
        services.import_commit(actor=cast.coordinator_a, run=run)


@pytest.mark.parametrize("who", ["operator_a", "clinician_a", "analyst", "sysadmin", "dpo", "company_referent"])
def test_only_coordinators_import(cast, who):
    with pytest.raises(services.PermissionDenied):
        services.import_upload(actor=getattr(cast, who), filename="p.csv", data=csv_bytes(ROWS))


def test_another_coordinator_cannot_preview_or_commit_a_file_of_another_organisation(cast):
    run = preview(cast.coordinator_a, csv_bytes(ROWS))
    with pytest.raises(services.PermissionDenied):
        services.import_commit(actor=cast.coordinator_b, run=run)
    assert not Person.objects.exists()


def test_diagnosis_needs_a_clinician_and_goes_through_the_mapping_table(cast, clinical_coordinator):
    services.mapping_save(
        actor=clinical_coordinator, field="diagnosis_group", source_value="Schizofrenia ", target="F20-F29"
    )
    rows = [
        person_row(diagnosis_group="schizofrenia"),
        person_row(source_id="1002", last_name="Colombo", diagnosis_group="F32.1"),
    ]
    run = commit(clinical_coordinator, xlsx_bytes(rows), "persons.xlsx")
    assert run.counts[RowAction.CREATE] == 2, run.rows
    assert dict(Person.objects.values_list("last_name", "diagnosis_group")) == {
        "Brivio": "F20-F29",
        "Colombo": "F30-F39",
    }


def test_mappings_of_another_organisation_do_not_apply(cast):
    services.mapping_save(
        actor=cast.coordinator_b, field="education", source_value="lic. media", target="lower_secondary"
    )
    run = preview(cast.coordinator_a, csv_bytes([person_row(education="lic. media")]))
    assert [column for _l, column, _m in errors_of(run)] == ["education"]
    services.mapping_save(
        actor=cast.coordinator_a, field="education", source_value="Lic. Media", target="lower_secondary"
    )
    assert preview(cast.coordinator_a, csv_bytes([person_row(education="lic. media")])).counts[RowAction.CREATE] == 1


def test_a_sharing_consent_opens_the_record_to_the_named_organisation(cast):
    row = person_row(
        consent_sharing_with="ASST Niguarda",
        consent_sharing_sections="contatti; sociale",
        consent_sharing_given_on="01/03/2021",
    )
    commit(cast.coordinator_a, csv_bytes([row]))
    consent = Consent.objects.get(purpose="sharing")
    assert (consent.organisation, consent.sections) == (cast.org_b, ["contacts", "social"])
    assert Person.objects.restrict(cast.operator_b, "view").count() == 1


def test_files_never_imported_are_dropped_after_the_keeping_period(cast):
    old = preview(cast.coordinator_a, csv_bytes(ROWS))
    ImportRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    recent = preview(cast.coordinator_a, csv_bytes(ROWS))
    old.refresh_from_db()
    assert (bytes(old.content), old.status) == (b"", RunStatus.FAILED)
    assert "removed after 7 days" in old.error
    with pytest.raises(services.ValidationError):
        services.import_commit(actor=cast.coordinator_a, run=old)
    assert bytes(ImportRun.objects.get(pk=recent.pk).content)


def test_a_sharing_consent_with_other_sections_is_not_changed_silently(cast):
    row = person_row(
        consent_sharing_with="ASST Niguarda", consent_sharing_sections="contacts", consent_sharing_given_on="01/03/2021"
    )
    commit(cast.coordinator_a, csv_bytes([row]))
    run = preview(cast.coordinator_a, csv_bytes([dict(row, consent_sharing_sections="contacts, social")]))
    [(_line, column, message)] = errors_of(run)
    assert column == "consent_sharing_sections" and "other sections (contacts)" in message
