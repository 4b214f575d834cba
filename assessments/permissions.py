"""Who may see, start and fill in assessments. Views and templates ask these; they never decide.

- See: users who see the person and belong to the authoring organisation or to an organisation treating the
  person (AssessmentQuerySet.restrict). Aggregate-only roles see nothing.
- Clinical items and clinical domain scores: only for people.permissions.can_view_clinical (clinical roles of
  an organisation treating the person).
- Start: a role the instrument lets fill it in, in an organisation treating the person.
- Fill in: a draft, by that role in the authoring organisation.
"""

from accounts.access import access_for
from accounts.choices import PERSON_WRITE_ROLES
from assessments.models import Assessment, InstrumentVersion
from people.models import Person
from people.permissions import can_view_clinical, can_view_person, treating_org_ids, treats


def can_view_assessments_of(user, person: Person) -> bool:
    """Whether the user may open the person's assessments page: they see the person and treat them."""
    access = access_for(user)
    if not access.person_org_ids:
        return False
    return bool(treating_org_ids(person, access.person_org_ids)) and can_view_person(user, person)


def can_view_assessment(user, assessment: Assessment) -> bool:
    return Assessment.objects.restrict(user, "view").filter(pk=assessment.pk).exists()


def can_view_clinical_items(user, person: Person) -> bool:
    """Clinical items and the scores of clinical domains."""
    return can_view_clinical(user, person)


def fill_memberships(user, version: InstrumentVersion, person: Person) -> list[tuple[int, int, str]]:
    """The user's (organisation, unit, role) memberships that may fill in `version` for `person`."""
    access = access_for(user)
    roles = set(version.fill_roles) & set(PERSON_WRITE_ROLES)
    eligible = [m for m in access.memberships if m[2] in roles]
    if not eligible:
        return []
    treating = treating_org_ids(person, {org for org, _unit, _role in eligible})
    return [m for m in eligible if m[0] in treating]


def can_start_assessment(user, version: InstrumentVersion, person: Person) -> bool:
    return bool(fill_memberships(user, version, person)) and can_view_person(user, person)


def can_fill_assessment(user, assessment: Assessment) -> bool:
    """A draft, by a role of the authoring organisation that the instrument lets fill it in."""
    if not assessment.is_draft:
        return False
    roles = set(assessment.instrument_version.fill_roles)
    access = access_for(user)
    if not any(org == assessment.organisation_id and role in roles for org, _unit, role in access.memberships):
        return False
    return can_view_person(user, assessment.person)


def writable_item_ids(user, assessment_or_version, person: Person) -> frozenset[str]:
    """The items the user may answer: all, less the clinical ones unless they may see clinical content."""
    from assessments.definitions import clinical_item_ids, item_map

    version = getattr(assessment_or_version, "instrument_version", assessment_or_version)
    items = frozenset(item_map(version.definition))
    if can_view_clinical_items(user, person):
        return items
    return items - clinical_item_ids(version.definition)


def can_view_assessments_on_record(user, person: Person, cases) -> bool:
    """can_view_assessments_of for the record page, which has already checked the person is visible and
    loaded all the person's cases (people.permissions.PersonAccess.cases): no further query.
    """
    return treats(user, person, cases)
