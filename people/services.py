"""Writes to the person registry: registration, changes, merges and consents. Each writes its audit event."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import access_for
from accounts.models import Organisation
from audit.choices import Action, Outcome
from audit.models import AuditEvent
from audit.services import audit_log
from core.exceptions import StaleObjectError
from people.choices import ALL_SHARE_SECTIONS, ConsentPurpose
from people.fiscal import decode, fiscal_code_errors, normalise_fiscal_code
from people.models import Consent, Person, PersonMerge
from people.permissions import (
    can_change_person,
    can_manage_consents,
    can_merge_persons,
    treating_org_ids,
    visible_sections,
)
from people.sections import IDENTITY_FIELDS, WRITABLE_PROFILE_FIELDS, fields_in_sections
from people.selectors import live_person_with_fiscal_code

# Fields a registration or a change may set besides the identity.
PROFILE_FIELDS = frozenset(WRITABLE_PROFILE_FIELDS) | {"household", "household_role"}
# Identity fields a user types; birth_place_code is derived from the fiscal code.
TYPED_IDENTITY_FIELDS = tuple(field for field in IDENTITY_FIELDS if field != "birth_place_code")
# Fields a merge may copy from the merged record into a blank field of the kept one.
MERGEABLE_FIELDS = ("citizenship", *sorted(PROFILE_FIELDS - {"diagnosis_group"}), "diagnosis_group")


def _raise_for_fiscal_code(fiscal_code, *, sex, birth_date, birth_place) -> str:
    """The normalised code, or ValidationError with the fields that disagree."""
    code = normalise_fiscal_code(fiscal_code)
    errors = fiscal_code_errors(code, sex=sex, birth_date=birth_date, birth_place=birth_place)
    if errors:
        raise ValidationError(errors)
    return code


def _refuse_taken_fiscal_code(actor, code: str, *, exclude_pk: int | None = None) -> None:
    """A fiscal code belongs to one live record in the whole network.

    When that record is out of the user's reach the refusal names neither the person nor the organisation,
    and is audited on the existing record so that its treating team and the DPO can see the attempt.
    """
    existing = live_person_with_fiscal_code(code)
    if existing is None or existing.pk == exclude_pk:
        return
    if Person.objects.restrict(actor, "view").filter(pk=existing.pk).exists():
        raise ValidationError(
            {
                "fiscal_code": ValidationError(
                    _("This fiscal code is already registered: %(name)s (record %(pk)s)."),
                    code="duplicate",
                    params={"name": str(existing), "pk": existing.pk},
                )
            }
        )
    audit_log(actor=actor, action=Action.PERSON_DUPLICATE_HIDDEN, obj=existing, outcome=Outcome.REFUSED)
    raise ValidationError(
        {
            "fiscal_code": ValidationError(
                _(
                    "This person is already registered in the network by another organisation. To work with them, "
                    "ask for a referral or for the person's consent to share the record with your organisation."
                ),
                code="duplicate_hidden",
            )
        }
    )


def _full_clean(person: Person, *, exclude=()) -> None:
    """Model validation (choices, lengths, constraints) as field messages."""
    person.full_clean(exclude=list(exclude), validate_unique=False)


def person_create(
    *,
    actor,
    fiscal_code: str,
    first_name: str,
    last_name: str,
    sex: str,
    birth_date: datetime.date,
    birth_place: str,
    organisation: Organisation | None = None,
    **profile,
) -> Person:
    """Register a person in the actor's organisation after checking the fiscal code and its uniqueness."""
    access = access_for(actor)
    if not access.write_org_ids:
        raise PermissionDenied(_("Your role may not register persons."))
    unknown = set(profile) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"person_create() got unexpected fields: {sorted(unknown)}")
    org_id = organisation.pk if organisation is not None else sorted(access.write_org_ids)[0]
    if org_id not in access.write_org_ids:
        raise ValidationError({"organisation": _("You may register persons only for your own organisation.")})
    if profile.get("diagnosis_group") and org_id not in access.clinical_org_ids:
        raise ValidationError({"diagnosis_group": _("Only a clinician of the organisation may record the diagnosis.")})
    first_name, last_name, birth_place = first_name.strip(), last_name.strip(), birth_place.strip()
    code = _raise_for_fiscal_code(fiscal_code, sex=sex, birth_date=birth_date, birth_place=birth_place)
    _refuse_taken_fiscal_code(actor, code)

    person = Person(
        fiscal_code=code,
        first_name=first_name,
        last_name=last_name,
        sex=sex,
        birth_date=birth_date,
        birth_place=birth_place,
        birth_place_code=(decode(code) or {}).get("birthplace", {}).get("code", "")[:4],
        registered_by_id=org_id,
        **profile,
    )
    _full_clean(person)
    try:
        with transaction.atomic():
            person.save()
            audit_log(actor=actor, action=Action.PERSON_CREATE, obj=person, organisation=person.registered_by)
    except IntegrityError as exc:
        # Two registrations of the same code at the same moment: the second one loses cleanly.
        raise ValidationError({"fiscal_code": _("This fiscal code was registered a moment ago.")}) from exc
    return person


def changeable_fields(actor, person: Person) -> frozenset[str]:
    """The fields `actor` may change on `person`: those of the sections they see, less derived ones."""
    allowed = fields_in_sections(visible_sections(actor, person))
    return frozenset(allowed & (set(TYPED_IDENTITY_FIELDS) | PROFILE_FIELDS))


def _fields_changed_since(person: Person, version: int) -> dict[str, tuple[object, object]]:
    """What later versions changed, read from the audit events of the updates (values are not audited)."""
    events = AuditEvent.objects.filter(action=Action.PERSON_UPDATE, person_id=person.pk, outcome=Outcome.OK)
    fields: set[str] = set()
    for detail in events.values_list("detail", flat=True):
        if isinstance(detail, dict) and int(detail.get("version") or 0) > version:
            fields.update(detail.get("fields") or [])
    return {name: (None, getattr(person, name, None)) for name in sorted(fields)}


def person_update(*, actor, person: Person, version: int, **changes) -> Person:
    """Change fields of a record the actor's organisation treats, based on `version` of it."""
    if not can_change_person(actor, person):
        raise PermissionDenied
    forbidden = sorted(set(changes) - changeable_fields(actor, person))
    if forbidden:
        raise ValidationError({name: _("You may not change this field.") for name in forbidden})
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        if current.version != version:
            raise StaleObjectError(current, _fields_changed_since(current, version))
        changed = []
        for name, value in changes.items():
            if isinstance(value, str):
                value = value.strip()
            if name == "fiscal_code":
                value = normalise_fiscal_code(value)
            if getattr(current, name) != value:
                setattr(current, name, value)
                changed.append(name)
        if not changed:
            return current
        if set(changed) & set(TYPED_IDENTITY_FIELDS):
            current.fiscal_code = _raise_for_fiscal_code(
                current.fiscal_code, sex=current.sex, birth_date=current.birth_date, birth_place=current.birth_place
            )
            current.birth_place_code = (decode(current.fiscal_code) or {}).get("birthplace", {}).get("code", "")[:4]
            if "fiscal_code" in changed:
                _refuse_taken_fiscal_code(actor, current.fiscal_code, exclude_pk=current.pk)
        _full_clean(current)
        current.version += 1
        current.save()
        audit_log(
            actor=actor,
            action=Action.PERSON_UPDATE,
            obj=current,
            detail={"fields": sorted(changed), "version": current.version},
        )
    return current


def _is_blank(value) -> bool:
    return value in (None, "", False)


def person_merge(*, actor, keep: Person, drop: Person) -> Person:
    """Merge `drop` into `keep`: every row pointing at `drop` moves, blank fields of `keep` are filled from it,
    and `drop` stays, marked as merged, with a full snapshot in PersonMerge. Nothing is deleted.
    """
    if keep.pk == drop.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    if not can_merge_persons(actor, keep, drop):
        raise PermissionDenied
    from cases.models import Case

    with transaction.atomic():
        locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, drop.pk])}
        keep, drop = locked[keep.pk], locked[drop.pk]
        open_cases = Case.objects.filter(closed_on__isnull=True).values_list("unit_id", "area")
        if set(open_cases.filter(person=keep)) & set(open_cases.filter(person=drop)):
            raise ValidationError(
                _("Both records have an open case in the same unit and area: close one of the two cases first.")
            )
        snapshot = {field.attname: field.value_to_string(drop) for field in Person._meta.concrete_fields}
        taken = []
        for name in MERGEABLE_FIELDS:
            field = Person._meta.get_field(name)
            if _is_blank(getattr(keep, field.attname)) and not _is_blank(getattr(drop, field.attname)):
                setattr(keep, field.attname, getattr(drop, field.attname))
                taken.append(name)
        moved = _move_related_rows(drop, keep)
        drop.merged_into = keep
        drop.version += 1
        drop.save()
        keep.version += 1
        keep.save()
        PersonMerge.objects.create(survivor=keep, merged=drop, snapshot=snapshot, fields_taken=taken, merged_by=actor)
        detail = {"kept": keep.pk, "merged": drop.pk, "fields_taken": taken, "moved": moved}
        audit_log(actor=actor, action=Action.PERSON_MERGE, obj=keep, detail=detail)
        audit_log(actor=actor, action=Action.PERSON_MERGE, obj=drop, detail=detail)
    return keep


def _move_related_rows(drop: Person, keep: Person) -> dict[str, int]:
    """Point every row of every app that refers to `drop` at `keep` instead; audit rows stay as written."""
    moved = {}
    for relation in Person._meta.related_objects:
        model = relation.related_model
        if model is Person or model is PersonMerge or model._meta.app_label == "audit" or relation.many_to_many:
            continue
        name = relation.field.name
        count = model._base_manager.filter(**{name: drop}).update(**{name: keep})
        if count:
            moved[model._meta.label_lower] = count
    return moved


def _recording_org_id(actor, person: Person) -> int:
    """The actor's organisation that treats the person: the one that records their consent."""
    access = access_for(actor)
    treating = treating_org_ids(person, access.write_org_ids)
    return min(treating) if treating else access.primary_org_id


def consent_give(
    *,
    actor,
    person: Person,
    purpose: str,
    organisation: Organisation,
    given_on: datetime.date,
    sections=(),
    note: str = "",
) -> Consent:
    """Record a consent the person gave; a sharing consent opens the record to `organisation` at once."""
    if not can_manage_consents(actor, person):
        raise PermissionDenied
    sections = sorted(set(sections or ()))
    errors: dict[str, str] = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = _("Unknown purpose.")
    if given_on > timezone.localdate():
        errors["given_on"] = _("A consent cannot be dated in the future.")
    if set(sections) - ALL_SHARE_SECTIONS:
        errors["sections"] = _("Unknown section: %(names)s.") % {"names": ", ".join(set(sections) - ALL_SHARE_SECTIONS)}
    elif sections and purpose != ConsentPurpose.SHARING:
        errors["sections"] = _("Only a consent to share opens sections of the record.")
    recorder = _recording_org_id(actor, person)
    if purpose == ConsentPurpose.SHARING and organisation.pk == recorder:
        errors["organisation"] = _("Your organisation already treats the person: share with another organisation.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        in_force = (
            Consent.objects.select_for_update()
            .active()
            .filter(person=person, purpose=purpose, organisation=organisation)
            .first()
        )
        if in_force is not None:
            raise ValidationError(
                {
                    "purpose": _(
                        "A consent for this purpose to this organisation is in force since %(date)s: withdraw it "
                        "before recording a new one."
                    )
                    % {"date": in_force.given_on.strftime("%d/%m/%Y")}
                }
            )
        consent = Consent(
            person=person,
            purpose=purpose,
            organisation=organisation,
            sections=sections,
            given_on=given_on,
            note=(note or "").strip(),
            recorded_by=actor,
            recorded_by_organisation_id=recorder,
        )
        consent.full_clean()
        consent.save()
        audit_log(
            actor=actor,
            action=Action.CONSENT_GIVE,
            obj=consent,
            person=person,
            detail={"purpose": purpose, "organisation": organisation.pk, "sections": sections},
        )
    return consent


def consent_withdraw(*, actor, consent: Consent, withdrawn_on: datetime.date | None = None) -> Consent:
    """Record the withdrawal: access resting on the consent ends at once, and referrals waiting on it are withdrawn."""
    from cases.choices import ReferralStatus
    from cases.models import Referral

    if not can_manage_consents(actor, consent.person):
        raise PermissionDenied
    today = timezone.localdate()
    withdrawn_on = withdrawn_on or today
    with transaction.atomic():
        consent = Consent.objects.select_for_update().select_related("person", "organisation").get(pk=consent.pk)
        if consent.withdrawn_on is not None:
            raise ValidationError(
                {
                    "withdrawn_on": _("This consent was already withdrawn on %(date)s.")
                    % {"date": consent.withdrawn_on.strftime("%d/%m/%Y")}
                }
            )
        if withdrawn_on > today:
            raise ValidationError({"withdrawn_on": _("A withdrawal cannot be dated in the future.")})
        if withdrawn_on < consent.given_on:
            raise ValidationError({"withdrawn_on": _("A consent cannot be withdrawn before it was given.")})
        consent.withdrawn_on = withdrawn_on
        consent.save(update_fields=["withdrawn_on", "updated_at"])
        audit_log(
            actor=actor,
            action=Action.CONSENT_WITHDRAW,
            obj=consent,
            person=consent.person,
            detail={"purpose": consent.purpose, "organisation": consent.organisation_id},
        )
        now = timezone.now()
        for referral in Referral.objects.select_for_update().filter(consent=consent, status=ReferralStatus.SENT):
            referral.status = ReferralStatus.WITHDRAWN
            referral.withdrawn_at = now
            referral.save(update_fields=["status", "withdrawn_at", "updated_at"])
            audit_log(
                actor=actor,
                action=Action.REFERRAL_WITHDRAW,
                obj=referral,
                person=consent.person,
                detail={"because": "consent_withdrawn"},
            )
    return consent
