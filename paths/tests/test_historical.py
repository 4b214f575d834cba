"""Internships older than the rule sets Ponte holds: refused on the pages, recorded unchecked only by the import of
the past (path_create(historical=True)), with history and audit saying so."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.choices import Action
from audit.models import AuditEvent
from paths import services
from paths.choices import PathKind
from paths.models import Path, PathChange
from paths.tests.conftest import internship_fields

D = datetime.date
# Before 1 March 2018, the start of the only rule set Ponte holds (paths/migrations/0002); 30 months and €300: both
# against the rules of 2018.
OLD = {"starts_on": D(2016, 3, 1), "planned_end_on": D(2018, 8, 31), "monthly_indemnity": Decimal("300")}


def test_the_page_service_refuses_an_internship_older_than_the_rules(cast, person_a, case_a, host):
    with pytest.raises(ValidationError) as refused:
        services.path_create(actor=cast.operator_a, person=person_a, case=case_a, **internship_fields(host, **OLD))
    assert "starts_on" in refused.value.error_dict
    assert not Path.objects.exists()


def test_the_import_of_the_past_records_it_unchecked_and_says_so(cast, person_a, case_a, host):
    path = services.path_create(
        actor=cast.operator_a, person=person_a, case=case_a, historical=True, **internship_fields(host, **OLD)
    )
    created = PathChange.objects.get(path=path)
    assert created.note == services._unchecked_note()
    event = AuditEvent.objects.get(action=Action.PATH_SAVE, object_id=str(path.pk))
    assert event.detail == {"created": True, "rules_checked": False}
    # A later change of its details (a later file) goes through the same option, and says so again.
    changed = services.path_update(
        actor=cast.operator_a, path=path, version=path.version, historical=True, host_tutor="Sig. Rossi"
    )
    assert changed.host_tutor == "Sig. Rossi"
    assert PathChange.objects.filter(path=path).last().note == services._unchecked_note()
    assert AuditEvent.objects.filter(object_id=str(path.pk), detail__rules_checked=False).count() == 2
    with pytest.raises(ValidationError):  # without the option, as on the page, the change is refused
        services.path_update(actor=cast.operator_a, path=changed, version=changed.version, host_tutor="Sig. Verdi")


def test_the_option_does_not_skip_the_rules_in_force(cast, person_a, case_a, host):
    with pytest.raises(ValidationError) as refused:  # 2019: the rules of 2018 apply, €300 is below the minimum
        services.path_create(
            actor=cast.operator_a,
            person=person_a,
            case=case_a,
            historical=True,
            **internship_fields(host, starts_on=D(2019, 3, 1), planned_end_on=D(2019, 8, 31), **{
                "monthly_indemnity": Decimal("300")
            }),
        )  # fmt: skip
    assert "monthly_indemnity" in refused.value.error_dict
    path = services.path_create(
        actor=cast.operator_a, person=person_a, case=case_a, historical=True, **internship_fields(host)
    )
    assert PathChange.objects.get(path=path).note == ""
    assert AuditEvent.objects.get(action=Action.PATH_SAVE, object_id=str(path.pk)).detail == {"created": True}


def test_a_course_of_before_2018_needs_no_option_and_is_not_marked(cast, person_a, case_a, host):
    path = services.path_create(
        actor=cast.operator_a, person=person_a, case=case_a, kind=PathKind.COURSE, host=host, starts_on=D(2014, 1, 1)
    )
    assert AuditEvent.objects.get(action=Action.PATH_SAVE, object_id=str(path.pk)).detail == {"created": True}
    assert services.predates_rules(D(2018, 2, 28)) and not services.predates_rules(D(2018, 3, 1))
