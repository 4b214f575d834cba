"""Who may see and do what with a person's record. Views and templates ask these; they never decide."""

from django.db.models import Q

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


def visible_sections(user, person: Person) -> frozenset[str]:
    """The sections of the record `user` sees: all for the treating team, consented ones for others.

    Clinical content (the diagnosis group) is for clinical roles of an organisation with an open case
    or that registered the person. Nothing at all for roles without person-level access.
    """
    access = access_for(user)
    orgs = access.person_org_ids
    if not orgs:
        return frozenset()
    treating = treating_org_ids(person, orgs)
    sections: set[str] = set()
    if treating:
        sections |= {SECTION_IDENTITY, *ALL_SHARE_SECTIONS}
    shared = person.consents.filter(
        active_consents(), purpose=ConsentPurpose.SHARING, organisation_id__in=orgs
    ).values_list("sections", flat=True)
    for consent_sections in shared:
        sections.add(SECTION_IDENTITY)
        sections |= set(consent_sections or []) & ALL_SHARE_SECTIONS
    if _clinically_treating(person, access.clinical_org_ids):
        sections.add(SECTION_CLINICAL)
    return frozenset(sections)


def _clinically_treating(person: Person, clinical_orgs) -> bool:
    if not clinical_orgs:
        return False
    from cases.models import Case

    if person.registered_by_id in clinical_orgs:
        return True
    return Case.objects.filter(person=person, organisation_id__in=clinical_orgs, closed_on__isnull=True).exists()


def can_view_person(user, person: Person) -> bool:
    return Person.objects.restrict(user, "view").filter(pk=person.pk).exists()


def can_change_person(user, person: Person) -> bool:
    return Person.objects.restrict(user, "change").filter(pk=person.pk).exists()


def can_view_clinical(user, person: Person) -> bool:
    return SECTION_CLINICAL in visible_sections(user, person)


def can_view_access_log(user, person: Person) -> bool:
    """Coordinators of a treating organisation, and the data-protection officer."""
    access = access_for(user)
    if access.is_dpo:
        return True
    coord_orgs = access.org_ids(AUDIT_VIEW_ROLES)
    return bool(coord_orgs) and bool(treating_org_ids(person, coord_orgs))


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
    q = Q(fiscal_code__istartswith=text.upper())
    words = Q()
    for word in text.split():
        words &= Q(last_name__icontains=word) | Q(first_name__icontains=word)
    return q | words
