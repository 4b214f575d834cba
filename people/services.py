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
from audit.services import audit_log, audit_log_many
from core.bulk import insert_many
from core.exceptions import StaleObjectError
from people.choices import ALL_SHARE_SECTIONS, ConsentPurpose
from people.fiscal import decode, fiscal_code_errors, normalise_fiscal_code
from people.models import Consent, Person, PersonMerge
from people.permissions import (
    can_change_person,
    can_manage_consents,
    can_merge_persons,
    treating_org_ids,
    treating_org_ids_many,
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


def _taken_code_error(existing: Person, *, visible: bool) -> ValidationError:
    """The refusal of a fiscal code that `existing` holds: named when the user sees the record, anonymous when not."""
    if visible:
        return ValidationError(
            {
                "fiscal_code": ValidationError(
                    _("This fiscal code is already registered: %(name)s (record %(pk)s)."),
                    code="duplicate",
                    params={"name": str(existing), "pk": existing.pk},
                )
            }
        )
    return ValidationError(
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


def _refuse_taken_fiscal_code(actor, code: str, *, exclude_pk: int | None = None) -> None:
    """A fiscal code belongs to one live record in the whole network.

    When that record is out of the user's reach the refusal names neither the person nor the organisation,
    and is audited on the existing record so that its treating team and the DPO can see the attempt.
    """
    existing = live_person_with_fiscal_code(code)
    if existing is None or existing.pk == exclude_pk:
        return
    visible = Person.objects.restrict(actor, "view").filter(pk=existing.pk).exists()
    if not visible:
        audit_log(actor=actor, action=Action.PERSON_DUPLICATE_HIDDEN, obj=existing, outcome=Outcome.REFUSED)
    raise _taken_code_error(existing, visible=visible)


def _full_clean(person: Person, *, exclude=(), constraints: bool = True) -> None:
    """Model validation (choices, lengths, constraints) as field messages.

    Without `constraints` the database still enforces them at the insert; the batch services leave them to it
    (Django checks each constraint with a query of its own) and redo a refused batch row by row."""
    person.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=constraints)


def _registering_org_id(access, organisation: Organisation | None) -> int:
    """The organisation a registration is for: the one given, which must be the actor's, or the actor's first."""
    if not access.write_org_ids:
        raise PermissionDenied(_("Your role may not register persons."))
    org_id = organisation.pk if organisation is not None else sorted(access.write_org_ids)[0]
    if org_id not in access.write_org_ids:
        raise ValidationError({"organisation": _("You may register persons only for your own organisation.")})
    return org_id


def _new_person(
    access,
    org_id: int,
    *,
    fiscal_code: str,
    first_name: str,
    last_name: str,
    sex: str,
    birth_date: datetime.date,
    birth_place: str,
    **profile,
) -> Person:
    """The unsaved record of a registration, after the checks that need no query. Raises ValidationError."""
    unknown = set(profile) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"person_create() got unexpected fields: {sorted(unknown)}")
    if profile.get("diagnosis_group") and org_id not in access.clinical_org_ids:
        raise ValidationError({"diagnosis_group": _("Only a clinician of the organisation may record the diagnosis.")})
    first_name, last_name, birth_place = first_name.strip(), last_name.strip(), birth_place.strip()
    code = _raise_for_fiscal_code(fiscal_code, sex=sex, birth_date=birth_date, birth_place=birth_place)
    return Person(
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
    org_id = _registering_org_id(access, organisation)
    person = _new_person(
        access, org_id, fiscal_code=fiscal_code, first_name=first_name, last_name=last_name, sex=sex,
        birth_date=birth_date, birth_place=birth_place, **profile,
    )  # fmt: skip
    _refuse_taken_fiscal_code(actor, person.fiscal_code)
    _full_clean(person)
    try:
        with transaction.atomic():
            person.save()
            audit_log(actor=actor, action=Action.PERSON_CREATE, obj=person, organisation=person.registered_by)
    except IntegrityError as exc:
        # Two registrations of the same code at the same moment: the second one loses cleanly.
        raise ValidationError({"fiscal_code": _("This fiscal code was registered a moment ago.")}) from exc
    return person


def person_create_many(
    *, actor, entries: list[dict], organisation: Organisation | None = None
) -> list[Person | ValidationError]:
    """Register several persons as `person_create(actor=actor, organisation=organisation, **entry)` would one by
    one — the same checks, messages and audit events — in a few queries, for imports of thousands of rows.

    Returns, in the order of `entries`, each new record or the ValidationError that refused its entry; refused
    entries do not stop the others. PermissionDenied, or a ValidationError for the organisation, refuses all.
    """
    access = access_for(actor)
    org_id = _registering_org_id(access, organisation)
    results: list[Person | ValidationError] = []
    for entry in entries:
        try:
            person = _new_person(access, org_id, **entry)
            # registered_by is one of the actor's active organisations (checked above): no query for it.
            _full_clean(person, exclude=("registered_by",), constraints=False)
            results.append(person)
        except ValidationError as exc:
            results.append(exc)
    waiting = [p for p in results if isinstance(p, Person)]
    existing = {
        p.fiscal_code: p for p in Person.objects.live().filter(fiscal_code__any={p.fiscal_code for p in waiting})
    }
    visible = set(
        Person.objects.restrict(actor, "view")
        .filter(pk__any=[p.pk for p in existing.values()])
        .values_list("pk", flat=True)
    )
    refusals = []
    first_with_code: dict[str, Person] = {}
    repeated: list[tuple[int, Person]] = []  # refused once the first record with the code has its number
    for index, person in enumerate(results):
        if not isinstance(person, Person):
            continue
        taken = existing.get(person.fiscal_code)
        if taken is not None:
            results[index] = _taken_code_error(taken, visible=taken.pk in visible)
            if taken.pk not in visible:
                refusals.append({"action": Action.PERSON_DUPLICATE_HIDDEN, "obj": taken, "outcome": Outcome.REFUSED})
        elif person.fiscal_code in first_with_code:
            repeated.append((index, first_with_code[person.fiscal_code]))
            results[index] = None
        else:
            first_with_code[person.fiscal_code] = person
    registering = organisation if organisation is not None else Organisation.objects.get(pk=org_id)
    new = [p for p in results if isinstance(p, Person)]
    with transaction.atomic():
        audit_log_many(actor=actor, events=refusals)
        try:
            with transaction.atomic():
                insert_many(Person, new)
        except IntegrityError:
            # A constraint the checks above leave to the database, or a registration at the same moment: redo the
            # entries one by one, so that each refusal has its own message.
            for index, entry in enumerate(entries):
                if results[index] is None or isinstance(results[index], Person):
                    try:
                        with transaction.atomic():
                            results[index] = person_create(actor=actor, organisation=registering, **entry)
                    except ValidationError as exc:
                        results[index] = exc
            return results
        audit_log_many(
            actor=actor,
            events=[{"action": Action.PERSON_CREATE, "obj": p, "organisation": registering} for p in new],
        )
    for index, first in repeated:
        results[index] = _taken_code_error(first, visible=True)  # the actor's own organisation registered it
    return results


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


_CONSENT_PURPOSES = frozenset(ConsentPurpose.values)


def _checked_consent(
    *,
    purpose: str,
    organisation: Organisation,
    given_on: datetime.date,
    sections,
    recorder: int,
    today: datetime.date | None = None,
) -> list[str]:
    """The consent's sections, sorted, after the checks that need no query. Raises ValidationError. `today` is the
    local date, read once by a caller that records many consents."""
    sections = sorted(set(sections or ()))
    errors: dict[str, str] = {}
    if purpose not in _CONSENT_PURPOSES:
        errors["purpose"] = _("Unknown purpose.")
    if given_on > (today or timezone.localdate()):
        errors["given_on"] = _("A consent cannot be dated in the future.")
    if set(sections) - ALL_SHARE_SECTIONS:
        errors["sections"] = _("Unknown section: %(names)s.") % {"names": ", ".join(set(sections) - ALL_SHARE_SECTIONS)}
    elif sections and purpose != ConsentPurpose.SHARING:
        errors["sections"] = _("Only a consent to share opens sections of the record.")
    if purpose == ConsentPurpose.SHARING and organisation.pk == recorder:
        errors["organisation"] = _("Your organisation already treats the person: share with another organisation.")
    if errors:
        raise ValidationError(errors)
    return sections


def _in_force_error(in_force: Consent) -> ValidationError:
    return ValidationError(
        {
            "purpose": _(
                "A consent for this purpose to this organisation is in force since %(date)s: withdraw it "
                "before recording a new one."
            )
            % {"date": in_force.given_on.strftime("%d/%m/%Y")}
        }
    )


def _checked_withdrawal(consent: Consent, withdrawn_on: datetime.date, *, today: datetime.date | None = None) -> None:
    if withdrawn_on > (today or timezone.localdate()):
        raise ValidationError({"withdrawn_on": _("A withdrawal cannot be dated in the future.")})
    if withdrawn_on < consent.given_on:
        raise ValidationError({"withdrawn_on": _("A consent cannot be withdrawn before it was given.")})


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
    recorder = _recording_org_id(actor, person)
    sections = _checked_consent(
        purpose=purpose, organisation=organisation, given_on=given_on, sections=sections, recorder=recorder
    )
    with transaction.atomic():
        in_force = (
            Consent.objects.select_for_update()
            .active()
            .filter(person=person, purpose=purpose, organisation=organisation)
            .first()
        )
        if in_force is not None:
            raise _in_force_error(in_force)
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


# consent_give_many builds consents from values it has checked (purpose and sections in _checked_consent; the
# relations read or the actor's own; the timestamps set at the insert): of Model.full_clean it needs the rest.
_CONSENT_CHECKED_ABOVE = [f.name for f in Consent._meta.concrete_fields if f.name not in ("given_on", "note")]
_PERSON = Consent._meta.get_field("person")
_ORGANISATION = Consent._meta.get_field("organisation")


def consent_give_many(*, actor, gifts: list[dict]) -> list[Consent | ValidationError | PermissionDenied]:
    """Record several consents as `consent_give(actor=actor, **gift)` would one by one, in order — the same checks,
    messages and audit events — in a few queries, for imports. A gift may carry `withdrawn_on`: a consent of the
    past, given and withdrawn, recorded as consent_give then consent_withdraw would (new consents have no
    referrals waiting on them).

    Returns, in the order of `gifts`, each new consent or the exception that refused it; refusals do not stop
    the others.
    """
    access = access_for(actor)
    person_ids = {gift["person"].pk for gift in gifts}
    changeable = set(Person.objects.restrict(actor, "change").filter(pk__any=person_ids).values_list("pk", flat=True))
    treating = treating_org_ids_many(
        {gift["person"] for gift in gifts if gift["person"].pk in changeable}, access.write_org_ids
    )
    active: dict[tuple, Consent] = {
        (c.person_id, c.purpose, c.organisation_id): c
        for c in Consent.objects.select_for_update().active().filter(person_id__any=changeable).order_by("-given_on")
    }
    today = timezone.localdate()
    results: list[Consent | ValidationError | PermissionDenied] = []
    events: list[dict] = []
    for gift in gifts:
        person = gift["person"]
        if person.pk not in changeable:
            results.append(PermissionDenied())
            continue
        orgs = treating[person.pk]
        recorder = min(orgs) if orgs else access.primary_org_id
        organisation, purpose, given_on = gift["organisation"], gift["purpose"], gift["given_on"]
        try:
            sections = _checked_consent(
                purpose=purpose, organisation=organisation, given_on=given_on, sections=gift.get("sections"),
                recorder=recorder, today=today,
            )  # fmt: skip
            key = (person.pk, purpose, organisation.pk)
            if key in active:
                raise _in_force_error(active[key])
            consent = Consent(
                person_id=person.pk,
                purpose=purpose,
                organisation_id=organisation.pk,
                sections=sections,
                given_on=given_on,
                note=(gift.get("note") or "").strip(),
                recorded_by_id=actor.pk,
                recorded_by_organisation_id=recorder,
            )
            _PERSON.set_cached_value(consent, person)
            _ORGANISATION.set_cached_value(consent, organisation)
            # What consent_give's full_clean checks that _checked_consent has not: the date and the note.
            consent.clean_fields(exclude=_CONSENT_CHECKED_ABOVE)
            withdrawn_on = gift.get("withdrawn_on")
            if withdrawn_on:
                _checked_withdrawal(consent, withdrawn_on, today=today)
                consent.withdrawn_on = withdrawn_on
        except ValidationError as exc:
            results.append(exc)
            continue
        if consent.is_active(today):
            active[key] = consent
        results.append(consent)
    new = [c for c in results if isinstance(c, Consent)]
    with transaction.atomic():
        try:
            with transaction.atomic():
                insert_many(Consent, new)
        except IntegrityError:
            # A constraint left to the database: redo the gifts one by one, each with its own message.
            for index, gift in enumerate(gifts):
                if isinstance(results[index], Consent):
                    results[index] = _consent_give_one(actor, gift)
            return results
        for consent in new:
            events.append(
                {
                    "action": Action.CONSENT_GIVE,
                    "obj": consent,
                    "person": consent.person,
                    "detail": {
                        "purpose": consent.purpose,
                        "organisation": consent.organisation_id,
                        "sections": consent.sections,
                    },
                }
            )
            if consent.withdrawn_on:
                events.append(
                    {
                        "action": Action.CONSENT_WITHDRAW,
                        "obj": consent,
                        "person": consent.person,
                        "detail": {"purpose": consent.purpose, "organisation": consent.organisation_id},
                    }
                )
        audit_log_many(actor=actor, events=events)
    return results


def _consent_give_one(actor, gift: dict) -> Consent | ValidationError | PermissionDenied:
    """consent_give, then consent_withdraw for a consent of the past, in a savepoint: the consent or the refusal."""
    gift = dict(gift)
    withdrawn_on = gift.pop("withdrawn_on", None)
    try:
        with transaction.atomic():
            consent = consent_give(actor=actor, **gift)
            if withdrawn_on:
                consent = consent_withdraw(actor=actor, consent=consent, withdrawn_on=withdrawn_on)
        return consent
    except (ValidationError, PermissionDenied) as exc:
        return exc


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
        _checked_withdrawal(consent, withdrawn_on)
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
