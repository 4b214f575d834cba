"""Reads of the person registry that pages, the API and services share."""

import datetime
import unicodedata
from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache
from typing import NamedTuple

from django.db import connection, models

from accounts.access import access_for
from accounts.models import Organisation, Unit, User
from cases.models import Case, Referral
from people.models import Consent, Household, Person


def person_list_for(user):
    """The live persons `user` may see, with what the list pages show."""
    return (
        Person.objects.restrict(user, "view").select_related("registered_by").order_by("last_name", "first_name", "pk")
    )


@lru_cache(maxsize=4096)
def fold_name(text: str) -> str:
    """Lower case without accents, apostrophes or spaces: "D'Alò Maria" and "Dalo maria" compare equal.

    Kept for the last names asked: an import folds every new person's names, and names repeat."""
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch)).lower()


# How alike two folded names must be (difflib's ratio: twice the matching characters over both lengths).
NAMES_ALIKE = 0.8


class FoldedName(NamedTuple):
    """A name as names_look_alike compares it: fold once, compare with many."""

    first: str
    last: str
    letters: Counter  # of first and last together: the same whichever comes first


def folded_name(first_name: str, last_name: str) -> FoldedName:
    first, last = fold_name(first_name), fold_name(last_name)
    return FoldedName(first, last, Counter(first + last))


def names_look_alike(first_a: str, last_a: str, first_b: str, last_b: str) -> bool:
    """Two names that are probably the same person's: typing errors, accents, swapped first and last name."""
    return folded_names_look_alike(folded_name(first_a, last_a), folded_name(first_b, last_b))


def folded_names_look_alike(a: FoldedName, b: FoldedName) -> bool:
    """names_look_alike of two folded_name() results.

    The rule: difflib's ratio of the two names, last name first, one of them either way round, reaches NAMES_ALIKE.
    An import compares each new name with everyone born the same day and most pairs are far apart, so difflib's
    cheaper upper bounds of that ratio come first (real_quick_ratio: the lengths; quick_ratio: the letters in
    common, the same for both ways round); they never change the answer (people/tests/test_names.py).
    """
    if (a.first, a.last) in ((b.first, b.last), (b.last, b.first)):
        return True
    length_a, length_b = len(a.first) + len(a.last), len(b.first) + len(b.last)
    total = length_a + length_b
    if 2.0 * min(length_a, length_b) / total < NAMES_ALIKE:
        return False
    if 2.0 * sum((a.letters & b.letters).values()) / total < NAMES_ALIKE:
        return False
    whole = a.last + a.first
    return (
        SequenceMatcher(None, whole, b.last + b.first).ratio() >= NAMES_ALIKE
        or SequenceMatcher(None, whole, b.first + b.last).ratio() >= NAMES_ALIKE
    )


def likely_duplicates(
    user, *, first_name: str, last_name: str, birth_date: datetime.date | None, exclude_pk: int | None = None
) -> list[Person]:
    """Persons visible to `user` born the same day with a similar name: offered for merge before registering.

    Only visible records are offered; a record the user may not see is never hinted at by name.
    """
    if not birth_date or not (first_name or last_name):
        return []
    candidates = Person.objects.restrict(user, "view").filter(birth_date=birth_date).select_related("registered_by")
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    return [
        person
        for person in candidates[:200]
        if names_look_alike(first_name, last_name, person.first_name, person.last_name)
    ]


def live_person_with_fiscal_code(fiscal_code: str) -> Person | None:
    """The live record with this fiscal code anywhere in the network (for the uniqueness check only)."""
    return Person.objects.live().filter(fiscal_code=fiscal_code).first()


# ---------------------------------------------------------------------------------------------- the record page
#
# The record page is the busiest page of Ponte. Its rows are read with plain SQL statements and turned into model
# instances with the ORM's own converters (ADR 0020): building the same queries through the QuerySet API cost
# about three quarters of a millisecond each, more than running them. Access is still decided by
# people.permissions.person_access from the rows read here (ADR 0018).


class _Rows:
    """Instances of `model` from plain rows holding `fields` (attribute names) in order, converted as the ORM does.

    Fields left out are deferred: reading one would cost a query, so the page reads only what it loaded.
    """

    def __init__(self, model, fields: tuple[str, ...]):
        self.model = model
        # Model.from_db takes the values of a partial row in the order of the model's fields.
        order = [field.attname for field in model._meta.concrete_fields]
        self.fields = tuple(sorted(fields, key=order.index))
        self._converters: dict[str, list] = {}

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def columns(self, alias: str) -> str:
        meta = self.model._meta
        return ", ".join(f"{alias}.{meta.get_field(name).column}" for name in self.fields)

    def _converters_for(self, conn) -> list:
        """(index, column, converters) of the fields whose values the backend or the field convert (per vendor)."""
        found = self._converters.get(conn.vendor)
        if found is None:
            found = []
            for index, name in enumerate(self.fields):
                col = self.model._meta.get_field(name).get_col(self.model._meta.db_table)
                funcs = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
                if funcs:
                    found.append((index, col, funcs))
            self._converters[conn.vendor] = found
        return found

    def load(self, conn, values) -> models.Model:
        values = list(values)
        for index, col, funcs in self._converters_for(conn):
            value = values[index]
            for func in funcs:
                value = func(value, col, conn)
            values[index] = value
        return self.model.from_db(conn.alias, self.fields, values)


def _concrete(model) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


_PERSON = _Rows(Person, _concrete(Person))
_CONSENT = _Rows(Consent, _concrete(Consent))
_NAMED_ORG = _Rows(Organisation, ("id", "name", "short_name"))
_HOUSEHOLD = _Rows(Household, ("id", "name"))
_CASE = _Rows(Case, _concrete(Case))
_REFERRAL = _Rows(Referral, ("id", "person_id", "from_unit_id", "to_unit_id", "area", "status", "sent_at"))
_NAMED_UNIT = _Rows(Unit, ("id", "name", "organisation_id"))
_NAMED_USER = _Rows(User, ("id", "username", "first_name", "last_name"))

# Table and column names come from the models' metadata, values are always parameters (hence the noqa); the
# orders are those of Consent.Meta, Case.Meta and Referral.Meta.
_PERSON_SQL = (
    f"SELECT {_PERSON.columns('p')}, {_NAMED_ORG.columns('o')}, {_HOUSEHOLD.columns('h')}"  # noqa: S608
    f" FROM {_PERSON.table} p JOIN {_NAMED_ORG.table} o ON o.id = p.registered_by_id"
    f" LEFT JOIN {_HOUSEHOLD.table} h ON h.id = p.household_id WHERE p.id = %s"
)
_CONSENTS_SQL = (
    f"SELECT {_CONSENT.columns('c')}, {_NAMED_ORG.columns('o')}"  # noqa: S608
    f" FROM {_CONSENT.table} c JOIN {_NAMED_ORG.table} o ON o.id = c.organisation_id"
    " WHERE c.person_id = %s ORDER BY c.given_on DESC, c.id DESC"
)
_CASES_SQL = (
    f"SELECT {_CASE.columns('c')}, {_NAMED_ORG.columns('o')}, {_NAMED_UNIT.columns('u')}, {_NAMED_USER.columns('m')}"  # noqa: S608
    f" FROM {_CASE.table} c JOIN {_NAMED_ORG.table} o ON o.id = c.organisation_id"
    f" JOIN {_NAMED_UNIT.table} u ON u.id = c.unit_id LEFT JOIN {_NAMED_USER.table} m ON m.id = c.case_manager_id"
    " WHERE c.person_id = %s ORDER BY c.opened_on DESC, c.id DESC"
)
_REFERRALS_SQL = (
    f"SELECT {_REFERRAL.columns('r')}, {_NAMED_UNIT.columns('fu')}, {_NAMED_ORG.columns('fo')},"  # noqa: S608
    f" {_NAMED_UNIT.columns('tu')}, {_NAMED_ORG.columns('tor')}"
    f" FROM {_REFERRAL.table} r JOIN {_NAMED_UNIT.table} fu ON fu.id = r.from_unit_id"
    f" JOIN {_NAMED_ORG.table} fo ON fo.id = fu.organisation_id JOIN {_NAMED_UNIT.table} tu ON tu.id = r.to_unit_id"
    f" JOIN {_NAMED_ORG.table} tor ON tor.id = tu.organisation_id"
    " WHERE r.person_id = %s AND (r.from_organisation_id IN ({orgs}) OR r.to_organisation_id IN ({orgs}))"
    " ORDER BY r.sent_at DESC, r.id DESC"
)


def _split(row, *rows: _Rows):
    start = 0
    for part in rows:
        yield row[start : start + len(part.fields)]
        start += len(part.fields)


def record_person(pk) -> Person | None:
    """The person with primary key `pk`, live or merged, with their registering organisation and household."""
    low, high = connection.ops.integer_field_range(Person._meta.pk.get_internal_type())
    if not low <= pk <= high:  # what the ORM answers for a key no column can hold: no row
        return None
    with connection.cursor() as cursor:
        cursor.execute(_PERSON_SQL, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    person_values, org_values, household_values = _split(row, _PERSON, _NAMED_ORG, _HOUSEHOLD)
    person = _PERSON.load(connection, person_values)
    person.registered_by = _NAMED_ORG.load(connection, org_values)
    person.household = _HOUSEHOLD.load(connection, household_values) if household_values[0] is not None else None
    return person


def record_consents(person: Person) -> list[Consent]:
    """All the person's consents, newest first, each with the organisation it was given to."""
    with connection.cursor() as cursor:
        cursor.execute(_CONSENTS_SQL, [person.pk])
        rows = cursor.fetchall()
    consents = []
    for row in rows:
        consent_values, org_values = _split(row, _CONSENT, _NAMED_ORG)
        consent = _CONSENT.load(connection, consent_values)
        consent.organisation = _NAMED_ORG.load(connection, org_values)
        consent.person = person
        consents.append(consent)
    return consents


def record_cases(person: Person) -> list[Case]:
    """All the person's cases in the network, newest first, with organisation, unit and case manager."""
    with connection.cursor() as cursor:
        cursor.execute(_CASES_SQL, [person.pk])
        rows = cursor.fetchall()
    cases = []
    for row in rows:
        case_values, org_values, unit_values, manager_values = _split(row, _CASE, _NAMED_ORG, _NAMED_UNIT, _NAMED_USER)
        case = _CASE.load(connection, case_values)
        case.organisation = _NAMED_ORG.load(connection, org_values)
        case.unit = _NAMED_UNIT.load(connection, unit_values)
        case.unit.organisation = case.organisation
        case.case_manager = _NAMED_USER.load(connection, manager_values) if manager_values[0] is not None else None
        case.person = person
        cases.append(case)
    return cases


def record_referrals(user, person: Person) -> list[Referral]:
    """The person's referrals `user` may see, newest first, with their units and the units' organisations.

    The rows of Referral.objects.restrict(user, "view") for this person (sent or received by one of the user's
    organisations, the person not merged); people/tests/test_access_equivalence.py checks that they agree.
    """
    orgs = sorted(access_for(user).person_org_ids)
    if not orgs or person.merged_into_id is not None:
        return []
    placeholders = ", ".join(["%s"] * len(orgs))
    with connection.cursor() as cursor:
        cursor.execute(_REFERRALS_SQL.format(orgs=placeholders), [person.pk, *orgs, *orgs])
        rows = cursor.fetchall()
    referrals = []
    for row in rows:
        values, from_unit, from_org, to_unit, to_org = _split(
            row, _REFERRAL, _NAMED_UNIT, _NAMED_ORG, _NAMED_UNIT, _NAMED_ORG
        )
        referral = _REFERRAL.load(connection, values)
        referral.from_unit = _NAMED_UNIT.load(connection, from_unit)
        referral.from_unit.organisation = _NAMED_ORG.load(connection, from_org)
        referral.to_unit = _NAMED_UNIT.load(connection, to_unit)
        referral.to_unit.organisation = _NAMED_ORG.load(connection, to_org)
        referral.person = person
        referrals.append(referral)
    return referrals
