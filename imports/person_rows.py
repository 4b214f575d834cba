"""Comparing rows of the persons layout with Ponte, and writing them through people.services.

A row is matched on its source key (old system and old id) first, then on the fiscal code; a row whose name and
birth date resemble a registered person's is held for review, never merged. Comparison uses the fingerprints of
the last import (imports.models.SourceKey), so that a corrected file changes only what it changed and what users
changed in Ponte since is left alone.
"""

from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.choices import Action, Outcome
from audit.services import audit_log
from imports.choices import Entity, RowAction
from imports.layouts.common import RowByRow
from imports.layouts.persons import PERSON_FIELDS, ConsentSpec, Context, ParsedRow, fingerprint
from imports.models import SourceKey
from people import services as people_services
from people.models import Consent, Person
from people.selectors import folded_name, folded_names_look_alike


@dataclass
class RowPlan:
    """What importing a row will do (preview) or did (commit)."""

    row: ParsedRow
    action: str = RowAction.CREATE
    person: Person | None = None
    source_key: SourceKey | None = None
    changes: dict = field(default_factory=dict)
    consents_new: list[ConsentSpec] = field(default_factory=list)
    consents_withdraw: list[tuple[Consent, ConsentSpec]] = field(default_factory=list)
    hidden_duplicate: Person | None = None

    def as_report(self) -> dict:
        changed = sorted(self.changes)
        changed += [f"consent_{spec.purpose}" for spec in self.consents_new]
        changed += [f"consent_{spec.purpose}_withdrawn_on" for _c, spec in self.consents_withdraw]
        return {
            "line": self.row.line,
            "key": f"{self.row.source_system}:{self.row.source_id}",
            "name": self.row.name,
            "action": str(self.action),
            "person": self.person.pk if self.person else None,
            "fields": changed,
            "errors": [list(error) for error in self.row.errors],
        }


class BatchLookup:
    """The source keys, persons and consents a batch of rows needs, read in a few queries."""

    def __init__(self, actor, ctx: Context, rows: list[ParsedRow]):
        keys = {(r.source_system, r.source_id) for r in rows if r.source_id}
        self.keys = SourceKey.objects.select_related("person").keyed(ctx.org_id, Entity.PERSONS, keys)
        codes = {r.values["fiscal_code"] for r in rows if r.values.get("fiscal_code")}
        self.by_code = {p.fiscal_code: p for p in Person.objects.live().filter(fiscal_code__any=codes)}
        linked = {k.person_id for k in self.keys.values() if k.person_id}
        candidates = linked | {p.pk for p in self.by_code.values()}
        self.changeable = set(
            Person.objects.restrict(actor, "change").filter(pk__any=candidates).values_list("pk", flat=True)
        )
        self.visible = set(
            Person.objects.restrict(actor, "view").filter(pk__any=candidates).values_list("pk", flat=True)
        )
        self.consents: dict[int, list[Consent]] = {}
        for consent in Consent.objects.filter(person_id__any=candidates):
            self.consents.setdefault(consent.person_id, []).append(consent)
        # people.selectors.likely_duplicates for the whole batch in one query: the persons the actor sees born on
        # the days of the rows that match no one; the persons this batch registers are added as they are.
        days = {
            r.values["birth_date"]
            for r in rows
            if r.values.get("birth_date") and r.values.get("fiscal_code") not in self.by_code
        }
        self.born: dict = {}
        if days:
            registered = Person.objects.restrict(actor, "view").filter(birth_date__any=days)
            for row in registered.values_list("pk", "first_name", "last_name", "fiscal_code", "birth_date"):
                self.add_born(Born(*row))
        # Source keys of the rows written, saved together at the end of the batch (services.import_commit).
        self.new_keys: list[SourceKey] = []

    def add_born(self, person: "Born | Person") -> None:
        """A registered person the later rows of the import are compared with."""
        if person.birth_date:
            born = person if isinstance(person, Born) else Born.of(person)
            self.born.setdefault(born.birth_date, []).append((folded_name(born.first_name, born.last_name), born))

    def likely_duplicates(self, *, first_name: str, last_name: str, birth_date) -> list["Born"]:
        """people.selectors.likely_duplicates, from the persons read for the batch."""
        if not birth_date or not (first_name or last_name):
            return []
        name = folded_name(first_name, last_name)
        return [born for folded, born in self.born.get(birth_date, []) if folded_names_look_alike(name, folded)]


class Born(NamedTuple):
    """What the likely-duplicate check of a row needs of a registered person."""

    pk: int
    first_name: str
    last_name: str
    fiscal_code: str
    birth_date: object

    @classmethod
    def of(cls, person: Person) -> "Born":
        return cls(person.pk, person.first_name, person.last_name, person.fiscal_code, person.birth_date)


def _live(person: Person | None) -> Person | None:
    seen = 0
    while person is not None and person.merged_into_id is not None and seen < 10:
        person = Person.objects.get(pk=person.merged_into_id)
        seen += 1
    return person


def plan_row(actor, ctx: Context, row: ParsedRow, lookup: BatchLookup) -> RowPlan:
    """Decide what the row does, reading Ponte but writing nothing."""
    plan = RowPlan(row=row)
    if row.errors:
        plan.action = RowAction.ERROR
        return plan
    values = row.values
    key = lookup.keys.get((row.source_system, row.source_id))
    plan.source_key = key
    person = _live(key.person) if key is not None else None
    by_code = lookup.by_code.get(values["fiscal_code"])
    if person is not None and by_code is not None and by_code.pk != person.pk:
        row.error(
            "fiscal_code",
            _(
                "This fiscal code belongs to another record (%(pk)s) than the one this old id was imported into "
                "(%(own)s): check the fiscal code, or the old id."
            )
            % {"pk": by_code.pk, "own": person.pk},
        )
        plan.action = RowAction.ERROR
        return plan
    person = person or by_code
    if person is None:
        similar = lookup.likely_duplicates(
            first_name=values["first_name"], last_name=values["last_name"], birth_date=values["birth_date"]
        )
        if similar and not row.new_person_confirmed:
            listed = ", ".join(f"{p.last_name} {p.first_name} ({p.fiscal_code}, {p.pk})" for p in similar[:3])
            row.error(
                "fiscal_code",
                _(
                    "A person born the same day with a similar name is already registered: %(persons)s. If it is "
                    "the same person, correct the fiscal code; if not, write sì in new_person_confirmed."
                )
                % {"persons": listed},
            )
            plan.action = RowAction.REVIEW
            return plan
        plan.action = RowAction.CREATE
        plan.changes = dict(values)
        plan.consents_new = list(row.consents)
        return plan

    plan.person = person
    if person.pk not in lookup.changeable:
        if person.pk in lookup.visible:
            message = _(
                "This person is registered by another organisation (record %(pk)s) and your organisation has no "
                "open case for them: ask for a referral, then import the row again; or remove the row."
            ) % {"pk": person.pk}
        else:
            # The words of people.services for the same refusal: nothing about who or where.
            message = _(
                "This person is already registered in the network by another organisation. To work with them, "
                "ask for a referral or for the person's consent to share the record with your organisation."
            )
            plan.hidden_duplicate = person
            plan.person = None
        row.error("fiscal_code", message)
        plan.action = RowAction.ERROR
        return plan

    known = key.fingerprints if key is not None else {}
    allowed = people_services.changeable_fields(actor, person)
    for name in PERSON_FIELDS:
        if name not in values:
            continue  # an empty cell never clears a value
        value = values[name]
        if getattr(person, name) == value or known.get(name) == fingerprint(value):
            continue
        if name not in allowed:
            row.error(name, _("You may not change this field of this person: empty the cell, or change it in Ponte."))
            continue
        plan.changes[name] = value
    existing = lookup.consents.get(person.pk, [])
    for spec in row.consents:
        same = [
            c
            for c in existing
            if (c.purpose, c.organisation_id, c.given_on) == (spec.purpose, spec.organisation_id, spec.given_on)
        ]
        if same:
            consent = same[0]
            if tuple(sorted(consent.sections or [])) != tuple(spec.sections):
                row.error(
                    "consent_sharing_sections",
                    _(
                        "This consent is in Ponte with other sections (%(sections)s): a consent is not changed by an "
                        "import; withdraw it in Ponte and record the new one, or write the sections Ponte has."
                    )
                    % {"sections": ", ".join(consent.sections or []) or "—"},
                )
                continue
            if spec.withdrawn_on and consent.withdrawn_on is None:
                plan.consents_withdraw.append((consent, spec))
            continue
        in_force = [
            c for c in existing
            if (c.purpose, c.organisation_id) == (spec.purpose, spec.organisation_id) and c.is_active(ctx.today)
        ]  # fmt: skip
        if in_force:
            row.error(
                spec.column,
                _(
                    "A consent for this purpose is in force in Ponte since %(date)s: write that date, or withdraw "
                    "the consent in Ponte first."
                )
                % {"date": in_force[0].given_on.strftime("%d/%m/%Y")},
            )
            continue
        plan.consents_new.append(spec)
    if row.errors:
        plan.action = RowAction.ERROR
    elif plan.changes or plan.consents_new or plan.consents_withdraw:
        plan.action = RowAction.UPDATE
    else:
        plan.action = RowAction.UNCHANGED
    return plan


def apply_row(actor, ctx: Context, plan: RowPlan, *, organisation, run, lookup: BatchLookup | None = None) -> None:
    """Write a planned row through the person services. Raises ValidationError or PermissionDenied."""
    from accounts.models import Organisation

    if plan.action == RowAction.CREATE:
        values = dict(plan.changes)
        identity = {
            k: values.pop(k) for k in ("fiscal_code", "first_name", "last_name", "sex", "birth_date", "birth_place")
        }
        person = people_services.person_create(actor=actor, organisation=organisation, **identity, **values)
        plan.person = person
        if lookup is not None:
            lookup.add_born(person)
    elif plan.action == RowAction.UPDATE and plan.changes:
        person = people_services.person_update(
            actor=actor, person=plan.person, version=plan.person.version, **plan.changes
        )
        plan.person = person
    person = plan.person
    orgs = ctx.organisation_cache
    for spec in plan.consents_new:
        org = orgs.get(spec.organisation_id) or Organisation.objects.get(pk=spec.organisation_id)
        orgs[spec.organisation_id] = org
        consent = people_services.consent_give(
            actor=actor, person=person, purpose=spec.purpose, organisation=org, given_on=spec.given_on,
            sections=spec.sections,
        )  # fmt: skip
        if spec.withdrawn_on:
            people_services.consent_withdraw(actor=actor, consent=consent, withdrawn_on=spec.withdrawn_on)
    for consent, spec in plan.consents_withdraw:
        people_services.consent_withdraw(actor=actor, consent=consent, withdrawn_on=spec.withdrawn_on)

    _keep_source_key(plan, person, organisation=organisation, run=run, lookup=lookup)


def _keep_source_key(plan: RowPlan, person: Person, *, organisation, run, lookup: BatchLookup | None) -> None:
    """Link the row's old id to the record, with the fingerprints of the values imported."""
    row = plan.row
    prints = dict(plan.source_key.fingerprints) if plan.source_key else {}
    prints.update({name: fingerprint(value) for name, value in row.values.items()})
    if plan.source_key is None:
        new_key = SourceKey(
            organisation_id=organisation.pk,
            entity=Entity.PERSONS,
            source_system=row.source_system,
            source_id=row.source_id,
            person_id=person.pk,
            fingerprints=prints,
            last_run_id=run.pk,
        )
        if lookup is not None:
            lookup.new_keys.append(new_key)
        else:
            new_key.save()
        plan.source_key = new_key
    elif plan.source_key.fingerprints != prints or plan.source_key.person_id != person.pk:
        plan.source_key.fingerprints = prints
        plan.source_key.person = person
        plan.source_key.last_run = run
        plan.source_key.save(update_fields=["fingerprints", "person", "last_run", "updated_at"])


def _alike_in_batch(plans: list[RowPlan]) -> bool:
    """Whether a new person of the batch resembles an earlier one of the same batch: written row by row, the later
    row would be held for review against the record the earlier one created."""
    born: dict = {}
    for plan in plans:
        if plan.action != RowAction.CREATE:
            continue
        values = plan.changes
        earlier = born.setdefault(values["birth_date"], [])
        name = folded_name(values["first_name"], values["last_name"])
        if not plan.row.new_person_confirmed and any(folded_names_look_alike(name, other) for other in earlier):
            return True
        earlier.append(name)
    return False


def commit_batch(actor, ctx: Context, rows: list[ParsedRow], lookup: BatchLookup, *, organisation, run) -> list:
    """Plan and write a batch as `plan_row` and `apply_row` would row by row, with the new persons and their
    consents registered together (people.services.person_create_many and consent_give_many). Raises RowByRow when
    a row cannot go with the others; rows that change existing records are written one by one, as they were."""
    from accounts.models import Organisation

    plans = [plan_row(actor, ctx, row, lookup) for row in rows]
    if _alike_in_batch(plans):
        raise RowByRow
    creates = [plan for plan in plans if plan.action == RowAction.CREATE]
    entries = [dict(plan.changes) for plan in creates]
    results = people_services.person_create_many(actor=actor, organisation=organisation, entries=entries)
    if any(not isinstance(result, Person) for result in results):
        raise RowByRow
    orgs = ctx.organisation_cache
    missing = {spec.organisation_id for plan in creates for spec in plan.consents_new} - set(orgs)
    orgs.update(Organisation.objects.in_bulk(missing))
    gifts = []
    for plan, person in zip(creates, results, strict=True):
        plan.person = person
        for spec in plan.consents_new:
            gifts.append(
                {
                    "person": person,
                    "purpose": spec.purpose,
                    "organisation": orgs[spec.organisation_id],
                    "given_on": spec.given_on,
                    "sections": spec.sections,
                    "withdrawn_on": spec.withdrawn_on,
                }
            )
        lookup.add_born(person)
        _keep_source_key(plan, person, organisation=organisation, run=run, lookup=lookup)
    if any(not isinstance(result, Consent) for result in people_services.consent_give_many(actor=actor, gifts=gifts)):
        raise RowByRow
    for plan in plans:
        if plan.action in (RowAction.UPDATE, RowAction.UNCHANGED):
            try:
                with transaction.atomic():
                    apply_row(actor, ctx, plan, organisation=organisation, run=run, lookup=lookup)
            except (ValidationError, PermissionDenied) as exc:
                service_errors(plan.row, exc)
                plan.action = RowAction.ERROR
        elif plan.action != RowAction.CREATE:
            refuse_hidden(actor, plan)
    return plans


def refuse_hidden(actor, plan: RowPlan) -> None:
    """Audit, at commit, a row that matched a record the importer cannot see (as people.services does)."""
    if plan.hidden_duplicate is not None:
        audit_log(
            actor=actor, action=Action.PERSON_DUPLICATE_HIDDEN, obj=plan.hidden_duplicate, outcome=Outcome.REFUSED
        )


def service_errors(row: ParsedRow, exc: Exception) -> None:
    """A service's refusal as row errors, on the column of the field it names."""
    if isinstance(exc, PermissionDenied):
        row.error("fiscal_code", _("You may not change this person's record."))
        return
    assert isinstance(exc, ValidationError)
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            column = name if name in PERSON_FIELDS else "fiscal_code" if name == "organisation" else name
            for error in errors:
                row.error(column, " ".join(error.messages))
    else:
        for message in exc.messages:
            row.error("", message)
