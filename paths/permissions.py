"""Who may see and do what with paths, events, activities and groups. Views and templates ask these; they never decide.

- Paths, attendance and follow-ups: the person-level roles of the organisation that runs the path see them; its
  write roles (operator, coordinator, clinician) plan and change them. Another organisation gets a 404.
- Hospitalisations: recorded and read only by clinical roles of an organisation treating the person; everyone
  else sees them only as counts. Drop-outs: the treating team's write roles.
- Activities: an operator records their own; the organisation's person-level roles read its log and gauge;
  coordinators export the regional flow file.
- Groups: the catalogue is the network's; the two conducting organisations plan and run a group; a Polo Lavoro
  enrols; enrolments and feedback are read by the conducting and the referring organisations.
- Aggregate-only roles see counts (selectors.outcome_counts), never rows.
"""

from accounts.access import access_for
from accounts.choices import PERSON_WRITE_ROLES, Role, UnitKind
from accounts.models import Unit
from paths.models import Enrolment, Path, TrainingGroup
from people.models import Person
from people.permissions import treating_org_ids, treats


def can_view_paths_of(user, person: Person) -> bool:
    """The person's paths page: a person-level role of an organisation treating the person."""
    return bool(treating_org_ids(person, access_for(user).person_org_ids))


def can_view_paths_on_record(user, person: Person, cases) -> bool:
    """can_view_paths_of for the record page, which has loaded the person's cases already: no query."""
    return treats(user, person, cases)


def can_plan_path(user, person: Person) -> bool:
    """A write role of an organisation treating the person, who may change the record."""
    return bool(treating_org_ids(person, access_for(user).write_org_ids)) and (
        Person.objects.restrict(user, "change").filter(pk=person.pk).exists()
    )


def can_change_path(user, path: Path) -> bool:
    return path.organisation_id in access_for(user).write_org_ids


def can_record_hospitalisation(user, person: Person) -> bool:
    return bool(treating_org_ids(person, access_for(user).clinical_org_ids))


def can_record_drop_out(user, person: Person) -> bool:
    return can_plan_path(user, person)


def can_use_activity_log(user) -> bool:
    """Recording activities and reading the log: the write roles of an organisation."""
    return bool(access_for(user).write_org_ids)


def can_view_activity_report(user) -> bool:
    """The period view with the 20% gauge: the organisation's person-level roles."""
    return access_for(user).sees_persons


def can_export_activities(user) -> bool:
    """The regional flow file is sent by coordinators."""
    return bool(access_for(user).org_ids({Role.COORDINATOR}))


def can_view_outcomes(user) -> bool:
    """Seed 000's counts: aggregate roles (coordinators and analysts)."""
    return access_for(user).sees_aggregates


def can_view_groups(user) -> bool:
    return access_for(user).sees_persons


def can_plan_group(user) -> bool:
    """Coordinators plan the year's catalogue (with a Polo Lavoro of another organisation)."""
    access = access_for(user)
    return bool(access.org_ids({Role.COORDINATOR}) & access.write_org_ids)


def can_change_group(user, group: TrainingGroup) -> bool:
    orgs = access_for(user).write_org_ids
    return group.organisation_id in orgs or group.partner_organisation_id in orgs


def enrolling_units(user):
    """The Polo Lavoro teams the user enrols from (a write role there)."""
    return Unit.objects.filter(
        pk__in=access_for(user).unit_ids(PERSON_WRITE_ROLES), kind=UnitKind.POLO_LAVORO, is_active=True
    ).select_related("organisation")


def can_view_feedback(user, enrolment: Enrolment) -> bool:
    return Enrolment.objects.restrict(user, "view").filter(pk=enrolment.pk).exists()
