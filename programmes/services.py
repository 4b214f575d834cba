"""Writes of the programmes app: each validates, writes its audit event in the same transaction."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import access_for
from accounts.models import Organisation
from audit.choices import Action
from audit.services import audit_log
from programmes.models import ManualValue, ProgrammeIndicator
from programmes.permissions import can_record_manual_value


@transaction.atomic
def manual_value_record(
    *, indicator: ProgrammeIndicator, actor, on: datetime.date, value: Decimal, evidence: str
) -> ManualValue:
    """Record a value of a manual indicator (meetings held, protocols signed…) with its evidence."""
    if not can_record_manual_value(actor):
        raise PermissionDenied
    if indicator.indicator_key:
        raise ValidationError(_("This indicator is computed from Ponte's records: it takes no manual values."))
    errors = {}
    if value is None or value < 0:
        errors["value"] = _("Enter a value of zero or more.")
    if not (evidence or "").strip():
        errors["evidence"] = _("Say where the value can be checked.")
    if errors:
        raise ValidationError(errors)
    organisation = Organisation.objects.get(pk=access_for(actor).primary_org_id)
    manual = ManualValue.objects.create(
        indicator=indicator,
        on=on,
        value=value,
        evidence=evidence.strip(),
        organisation=organisation,
        recorded_by=actor,
    )
    audit_log(
        actor=actor,
        action=Action.PROGRAMME_SAVE,
        obj=manual,
        detail={"programme": indicator.programme.code, "indicator": indicator.code, "value": str(value)},
    )
    return manual
