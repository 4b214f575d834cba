"""Rejections and withdrawals of the referrals layout go through the dated case services (referral_reject_on,
referral_withdraw_on): their checks, their audit events, and their refusals as row errors."""

import datetime

from django.utils import timezone

from audit.choices import Action
from audit.models import AuditEvent
from cases.models import Referral
from cases.services import referral_accept
from core.testing.cast import make_consent
from imports import services
from imports.choices import Entity, RowAction, RunStatus
from imports.tests.files import csv_bytes, referral_row
from imports.tests.test_cases import run_file
from imports.tests.test_services import errors_of

D = datetime.date


def _waiting_inside_a(persons, cast, **over):
    """Marco (SIAL:1002), with a consent to care by A since 2021, referred from A's CPS to A's Polo Lavoro in 2023."""
    make_consent(
        person=persons["1002"], organisation=cast.org_a, recorded_by=cast.operator_a, purpose="care",
        given_on=D(2021, 1, 1),
    )  # fmt: skip
    row = referral_row(source_id="R-9", person_source_id="1002", sent_on="05/05/2023", status="inviata",
                       decided_on="")  # fmt: skip
    row.update(over)
    return row


def test_a_rejection_is_recorded_by_the_service_on_the_day_of_the_file(cast, persons):
    row = referral_row(status="rifiutata", rejection_reason="Nessun posto disponibile")
    run = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([row]))
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    referral = Referral.objects.get()
    assert (referral.status, referral.rejection_reason, referral.decided_by) == (
        "rejected", "Nessun posto disponibile", cast.coordinator_a
    )  # fmt: skip
    assert timezone.localtime(referral.decided_at).date() == D(2015, 3, 24)
    event = AuditEvent.objects.get(action=Action.REFERRAL_REJECT)
    assert event.detail == {"decided_on": "2015-03-24", "imported": run.pk}
    assert (event.object_id, event.organisation_id) == (str(referral.pk), cast.org_a.pk)
    again = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([row]))
    assert again.counts[RowAction.UNCHANGED] == 1, errors_of(again)
    assert AuditEvent.objects.filter(action=Action.REFERRAL_REJECT).count() == 1


def test_a_withdrawal_of_a_referral_to_another_organisation_is_recorded_by_the_service(cast, persons):
    marco = persons["1002"]
    make_consent(person=marco, organisation=cast.org_b, recorded_by=cast.operator_a, given_on=D(2021, 1, 1))
    row = referral_row(source_id="R-2", person_source_id="1002", from_unit="Polo Lavoro Sacco",
                       to_unit="Polo Lavoro Niguarda", sent_on="05/05/2023", status="ritirata", decided_on="",
                       withdrawn_on="20/05/2023")  # fmt: skip
    run = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([row]))
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    referral = Referral.objects.get()
    assert (referral.status, referral.decided_at) == ("withdrawn", None)
    assert timezone.localtime(referral.withdrawn_at).date() == D(2023, 5, 20)
    event = AuditEvent.objects.get(action=Action.REFERRAL_WITHDRAW)
    assert event.detail == {"withdrawn_on": "2023-05-20", "imported": run.pk}
    assert event.organisation_id == cast.org_a.pk


def test_a_rejection_refused_by_the_service_is_a_row_error_that_says_why(cast, persons):
    """The old file has the same referral twice, under two old ids: withdrawn in one row, rejected in the next.
    Both rows find the waiting referral when the batch is read; the first withdraws it, the service refuses the
    second, and the row says why on its status."""
    row = _waiting_inside_a(persons, cast)
    run = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([row]))
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
    withdrawn = {**row, "status": "ritirata", "withdrawn_on": "20/05/2023"}
    rejected = {**row, "source_id": "R-10", "status": "rifiutata", "decided_on": "10/05/2023",
                "rejection_reason": "Non idoneo ora"}  # fmt: skip
    preview = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([withdrawn, rejected]), commit=False)
    assert preview.counts[RowAction.UPDATE] == 2, errors_of(preview)
    run = services.import_commit(actor=cast.coordinator_a, run=preview)
    assert run.status == RunStatus.DONE and (run.counts[RowAction.UPDATE], run.counts[RowAction.ERROR]) == (1, 1)
    assert errors_of(run) == [(3, "status", "This referral is no longer waiting: its status is Withdrawn.")]
    referral = Referral.objects.get()
    assert (referral.status, referral.rejection_reason, referral.decided_at) == ("withdrawn", "", None)
    assert not AuditEvent.objects.filter(action=Action.REFERRAL_REJECT).exists()


def test_a_withdrawal_refused_by_the_service_during_the_import_is_a_row_error(cast, persons):
    """The referral is accepted on its page while the import runs (after the batch was read): the withdrawal is
    refused by the service and reported on the row."""
    row = _waiting_inside_a(persons, cast)
    run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([row]))
    withdrawn = {**row, "status": "ritirata", "withdrawn_on": "20/05/2023"}
    other = referral_row(source_id="R-8", sent_on="10/03/2015")
    preview = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([other, withdrawn]), commit=False)
    assert (preview.counts[RowAction.CREATE], preview.counts[RowAction.UPDATE]) == (1, 1), errors_of(preview)
    waiting = Referral.objects.get()

    def accept_on_the_page(line):
        if line == 2:
            referral_accept(actor=cast.operator_a, referral=waiting)

    run = services.import_commit(actor=cast.coordinator_a, run=preview, on_row=accept_on_the_page)
    [(line, column, message)] = errors_of(run)
    assert (line, column) == (3, "status") and "no longer waiting: its status is Accepted" in message
    waiting.refresh_from_db()
    assert (waiting.status, waiting.withdrawn_at) == ("accepted", None)
    assert not AuditEvent.objects.filter(action=Action.REFERRAL_WITHDRAW).exists()


def test_a_corrected_file_rejects_a_waiting_referral_on_the_day_it_gives(cast, persons):
    row = _waiting_inside_a(persons, cast)
    run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([row]))
    rejected = {**row, "status": "respinta", "decided_on": "10/05/2023", "rejection_reason": "Non idoneo ora"}
    run = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([rejected]))
    assert run.rows[0]["fields"] == ["status"], errors_of(run)
    referral = Referral.objects.get()
    assert (referral.status, timezone.localtime(referral.decided_at).date()) == ("rejected", D(2023, 5, 10))
    again = run_file(cast.coordinator_a, Entity.REFERRALS, csv_bytes([rejected]))
    assert again.counts[RowAction.UNCHANGED] == 1, errors_of(again)
