"""Who may see and do what with a person's record. Views and templates ask these; they never decide."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from accounts.access import access_for
from accounts.choices import AUDIT_VIEW_ROLES
from people.choices import ALL_SHARE_SECTIONS, SECTION_CLINICAL, SECTION_IDENTITY, ConsentPurpose
from people.models import Person, active_consents


def treating_org_ids(person: Person, org_ids) -> frozenset[int]:
    """Those of `org_ids` that treat the person: they registered the record or hold a case for them."""
    from cases.models import Case

    orgs = frozenset(org_ids)
    treating = {person.registered_by_id} & orgs
    treating |= set(
        Case.objects.filter(person=person, organisation_id__in=orgs).values_list("organisation_id", flat=True)
    )
    return frozenset(treating)


def treating_org_ids_many(persons, org_ids) -> dict[int, frozenset[int]]:
    """treating_org_ids for many persons in one query: {person pk: those of `org_ids` that treat them}."""
    from cases.models import Case

    orgs = frozenset(org_ids)
    treating = {person.pk: {person.registered_by_id} & orgs for person in persons}
    for person_id, org_id in Case.objects.filter(person_id__any=treating, organisation_id__any=orgs).values_list(
        "person_id", "organisation_id"
    ):
        treating[person_id].add(org_id)
    return {pk: frozenset(ids) for pk, ids in treating.items()}


@dataclass(frozen=True)
class PersonAccess:
    """What one user may see and do with one person's record, worked out in one or two queries.

    `cases` are all the person's cases (every organisation's, newest first, with organisation, unit and case
    manager): the rule needs them, and the record page shows them when the "cases" section is visible.
    """

    sections: frozenset[str]
    can_change: bool
    can_view_log: bool
    cases: tuple = ()
    # One of the user's organisations registered the person or holds (or held) a case of theirs.
    treating: bool = False
    # Person.objects.restrict(user, "view") would return the person (see person_access).
    visible: bool = False


def person_access(user, person: Person, *, consents=None, cases=None) -> PersonAccess:
    """The user's sections of the record, and whether they may see it at all, change it and read its access log.

    The same rule as Person.objects.restrict(): the treating team (registration or a case, open or closed)
    sees every section but the clinical one; a sharing consent in force opens identity and the sections it
    names; clinical content is for clinical roles of an organisation that registered the person or holds an
    open case; changing needs a write role there. Roles without person-level access get nothing, and a merged
    record is seen by nobody. tests/test_access_equivalence.py checks `visible` against restrict() case by case.

    `consents`, when given, are all the person's consents already loaded (the record page shows them): the rule
    reads them instead of querying the sharing consents again. `cases`, when given, are all the person's cases
    already loaded, newest first (people.selectors.record_cases); otherwise they are read here.
    """
    from cases.models import Case

    access = access_for(user)
    orgs = access.person_org_ids
    if not orgs:
        return PersonAccess(sections=frozenset(), can_change=False, can_view_log=access.is_dpo)
    if cases is None:
        cases = (
            Case.objects.filter(person=person)
            .select_related("organisation", "unit", "case_manager")
            .order_by("-opened_on", "-pk")
        )
    cases = tuple(cases)
    registered = {person.registered_by_id}
    holding = registered | {case.organisation_id for case in cases}
    following = registered | {case.organisation_id for case in cases if case.closed_on is None}
    live = person.merged_into_id is None
    sections: set[str] = set()
    if holding & orgs:
        sections |= {SECTION_IDENTITY, *ALL_SHARE_SECTIONS}
    else:  # a sharing consent can add nothing to what the treating team sees
        if consents is None:
            shared = person.consents.filter(
                active_consents(), purpose=ConsentPurpose.SHARING, organisation_id__in=orgs
            ).values_list("sections", flat=True)
        else:
            today = timezone.localdate()
            shared = [
                consent.sections
                for consent in consents
                if consent.purpose == ConsentPurpose.SHARING
                and consent.organisation_id in orgs
                and consent.is_active(today)
            ]
        for consent_sections in shared:
            sections.add(SECTION_IDENTITY)
            sections |= set(consent_sections or []) & ALL_SHARE_SECTIONS
    if following & access.clinical_org_ids:
        sections.add(SECTION_CLINICAL)
    return PersonAccess(
        sections=frozenset(sections),
        can_change=live and bool(following & access.write_org_ids),
        can_view_log=access.is_dpo or bool(holding & access.org_ids(AUDIT_VIEW_ROLES)),
        cases=cases,
        treating=live and bool(holding & orgs),
        visible=live and SECTION_IDENTITY in sections,
    )


def treats(user, person: Person, cases) -> bool:
    """Whether one of the user's organisations registered the person or holds (or held) one of `cases`, the
    person's cases already loaded (PersonAccess.cases on the record page): no query.
    """
    holding = {person.registered_by_id} | {case.organisation_id for case in cases}
    return bool(holding & access_for(user).person_org_ids)


def visible_sections(user, person: Person) -> frozenset[str]:
    """The sections of the record `user` sees (see person_access)."""
    return person_access(user, person).sections


def can_view_person(user, person: Person) -> bool:
    return Person.objects.restrict(user, "view").filter(pk=person.pk).exists()


def can_change_person(user, person: Person) -> bool:
    return Person.objects.restrict(user, "change").filter(pk=person.pk).exists()


def can_view_clinical(user, person: Person) -> bool:
    return SECTION_CLINICAL in visible_sections(user, person)


def can_view_access_log(user, person: Person) -> bool:
    """Coordinators of a treating organisation, and the data-protection officer."""
    return person_access(user, person).can_view_log


def can_merge_persons(user, keep: Person, drop: Person) -> bool:
    """Both records must be changeable by the user."""
    ids = set(Person.objects.restrict(user, "change").filter(pk__in=[keep.pk, drop.pk]).values_list("pk", flat=True))
    return keep.pk != drop.pk and ids == {keep.pk, drop.pk}


def can_manage_consents(user, person: Person) -> bool:
    """Consents are recorded by the treating team."""
    return can_change_person(user, person)


def person_q_for_search(text: str) -> Q:
    """Match on fiscal code prefix, or on every word against first or last name."""
    text = (text or "").strip()
    if not text:
        return Q()
    # Fiscal codes are stored in capitals without spaces: a case-sensitive prefix can use an index.
    q = Q(fiscal_code__startswith=text.upper().replace(" ", ""))
    words = Q()
    for word in text.split():
        words &= Q(last_name__icontains=word) | Q(first_name__icontains=word)
    return q | words
