"""Writes to assessments: start, save a draft, complete. Each validates, scores and writes its audit event."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit
from assessments.answers import clean_answers, missing_required
from assessments.choices import AssessmentStatus
from assessments.models import Assessment, AssessmentRevision, InstrumentVersion
from assessments.permissions import can_fill_assessment, fill_memberships, writable_item_ids
from assessments.scoring import score
from audit.choices import Action
from audit.services import audit_log
from core.exceptions import StaleObjectError
from people.models import Person


def _apply_scores(assessment: Assessment) -> None:
    result = score(assessment.definition, assessment.answers)
    assessment.scores = result
    assessment.total = result["total"]
    assessment.band = result["band"] or ""


def assessment_start(
    *, actor, person: Person, version: InstrumentVersion, assessed_on: datetime.date | None = None
) -> Assessment:
    """Open a draft assessment of `person` with `version`, for the actor's organisation that treats the person."""
    memberships = fill_memberships(actor, version, person)
    if not memberships or not Person.objects.restrict(actor, "view").filter(pk=person.pk).exists():
        raise PermissionDenied(_("Your role may not fill in this instrument for this person."))
    assessed_on = assessed_on or timezone.localdate()
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("An assessment cannot be dated in the future.")})
    org_id, unit_id, _role = memberships[0]
    with transaction.atomic():
        assessment = Assessment(
            person=person,
            instrument_version=version,
            organisation_id=org_id,
            unit=Unit.objects.get(pk=unit_id),
            author=actor,
            assessed_on=assessed_on,
        )
        _apply_scores(assessment)
        assessment.save()
        AssessmentRevision.objects.create(assessment=assessment, version=1, answers={}, saved_by=actor)
        audit_log(
            actor=actor,
            action=Action.ASSESSMENT_SAVE,
            obj=assessment,
            person=person,
            organisation=assessment.organisation,
            detail={"started": True, "instrument": version.instrument.code, "instrument_version": version.number},
        )
    return assessment


def _changed_since(current: Assessment, version: int, visible: frozenset[str]) -> dict[str, tuple[object, object]]:
    """Items whose answer differs between the version the user read and now, among those they may see."""
    then = AssessmentRevision.objects.filter(assessment=current, version=version).values_list("answers", flat=True)
    old = then.first() or {}
    changed = {}
    for item_id in sorted(set(old) | set(current.answers)):
        if item_id in visible and old.get(item_id) != current.answers.get(item_id):
            changed[item_id] = (old.get(item_id), current.answers.get(item_id))
    return changed


def assessment_save(
    *,
    actor,
    assessment: Assessment,
    version: int,
    answers: dict,
    assessed_on: datetime.date | None = None,
    complete: bool = False,
) -> Assessment:
    """Save the answers of a draft, based on `version` of it; scores are computed on every save.

    Only the items the actor may answer are taken from `answers`; the others (clinical items for non-clinical
    roles) keep what they had. With `complete`, the required items the actor may answer must be answered and
    the assessment becomes completed and read-only. A save based on an old version raises StaleObjectError
    naming the items changed meanwhile; nothing is written and the caller keeps the input.
    """
    if not can_fill_assessment(actor, assessment):
        raise PermissionDenied
    writable = writable_item_ids(actor, assessment, assessment.person)
    definition = assessment.definition
    cleaned, errors = clean_answers(definition, answers, item_ids=writable)
    if assessed_on is not None and assessed_on > timezone.localdate():
        errors["assessed_on"] = _("An assessment cannot be dated in the future.")
    with transaction.atomic():
        current = (
            Assessment.objects.select_for_update()
            .select_related("instrument_version__instrument", "person", "organisation")
            .get(pk=assessment.pk)
        )
        if current.version != version:
            raise StaleObjectError(current, _changed_since(current, version, writable))
        if not current.is_draft:
            raise ValidationError(_("This assessment is completed and can no longer be changed."))
        merged = {key: value for key, value in current.answers.items() if key not in writable}
        merged.update(cleaned)
        if complete and not errors:
            errors.update(missing_required(definition, merged, item_ids=writable))
        if errors:
            raise ValidationError(errors)
        changed = sorted(
            key for key in set(merged) | set(current.answers) if merged.get(key) != current.answers.get(key)
        )
        current.answers = merged
        if assessed_on is not None:
            current.assessed_on = assessed_on
        _apply_scores(current)
        current.version += 1
        if complete:
            current.status = AssessmentStatus.COMPLETED
            current.completed_at = timezone.now()
            current.completed_by = actor
        current.save()
        AssessmentRevision.objects.create(assessment=current, version=current.version, answers=merged, saved_by=actor)
        audit_log(
            actor=actor,
            action=Action.ASSESSMENT_COMPLETE if complete else Action.ASSESSMENT_SAVE,
            obj=current,
            person=current.person,
            detail={"items": changed, "version": current.version},
        )
    return current
