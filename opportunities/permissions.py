"""Who may see and do what with employers and the contact log. Views and templates ask these; they never decide.

- Scouting staff (operators and coordinators of a Polo Lavoro, CELAV or programme team, of any organisation) see
  and change every employer profile, read every contact, and log their own contacts.
- A contact is changed (its next step marked done) by its operator or a scouting coordinator of its organisation.
- A company referent sees and changes only their own organisation's profile, never the contact log.
- Coordinators see the figures of their organisation's operators; analysts see network totals only.
Employer data are not health data; the rule and its reasons are in docs/employers.md and ADR 0009.
"""

from accounts.access import access_for
from accounts.choices import Role
from opportunities.choices import SCOUTING_ROLES, SCOUTING_UNIT_KINDS


def _scouting_memberships(user) -> tuple[tuple[int, int, str], ...]:
    """The user's (organisation, unit, role) in job-inclusion units with a scouting role (no query)."""
    access = access_for(user)
    kinds = dict(access.unit_kinds)
    return tuple(m for m in access.memberships if m[2] in SCOUTING_ROLES and kinds.get(m[1]) in SCOUTING_UNIT_KINDS)


def scouting_org_ids(user) -> frozenset[int]:
    """Organisations where the user scouts employers (empty: the user is not scouting staff)."""
    return frozenset(org for org, _unit, _role in _scouting_memberships(user))


def scouting_coordinator_org_ids(user) -> frozenset[int]:
    return frozenset(org for org, _unit, role in _scouting_memberships(user) if role == Role.COORDINATOR)


def referent_org_ids(user) -> frozenset[int]:
    """Organisations the user is a company referent of."""
    return access_for(user).org_ids({Role.COMPANY_REFERENT})


def is_scout(user) -> bool:
    return bool(scouting_org_ids(user))


def can_list_employers(user) -> bool:
    """The employers list and the scouting list are for scouting staff."""
    return is_scout(user)


def can_create_employer(user) -> bool:
    return is_scout(user)


def can_view_employer(user, employer) -> bool:
    return is_scout(user) or employer.organisation_id in referent_org_ids(user)


def can_change_employer(user, employer) -> bool:
    return can_view_employer(user, employer)


def can_view_contacts(user) -> bool:
    """The contact log (notes of the network's operators) is for scouting staff only."""
    return is_scout(user)


def can_log_contact(user, employer) -> bool:
    return is_scout(user)


def can_change_contact(user, contact) -> bool:
    own = contact.operator_id == user.pk and is_scout(user)
    return own or contact.organisation_id in scouting_coordinator_org_ids(user)


def can_view_operator_figures(user) -> bool:
    """Coordinators see their organisation's operators; analysts the network's totals."""
    return bool(scouting_coordinator_org_ids(user)) or can_view_employer_totals(user)


def can_view_employer_totals(user) -> bool:
    access = access_for(user)
    return Role.ANALYST in access.roles or bool(scouting_coordinator_org_ids(user))


def sees_catalogue(user) -> bool:
    """The catalogue is for the network's operators (person-level roles), scouting staff and company referents."""
    return access_for(user).sees_persons or is_scout(user) or bool(referent_org_ids(user))


# ---------------------------------------------------------------------------------------------- opportunities


def publisher_org_ids(user) -> frozenset[int]:
    """Organisations the user may publish opportunities for: where they scout, or are a company referent."""
    return scouting_org_ids(user) | referent_org_ids(user)


def can_create_opportunity(user) -> bool:
    return bool(publisher_org_ids(user))


def can_change_opportunity(user, opportunity) -> bool:
    """The publisher's scouting staff and company referents (the same rule as restrict(user, "change"))."""
    return opportunity.organisation_id in publisher_org_ids(user)


# ---------------------------------------------------------------------------------------------- candidates


def treats_person(user, person) -> bool:
    """The user belongs, with a person-level role, to an organisation treating the person (registration or case)."""
    from people.permissions import treating_org_ids

    orgs = access_for(user).person_org_ids
    return bool(orgs) and person.merged_into_id is None and bool(treating_org_ids(person, orgs))


def can_view_work_profile(user, person) -> bool:
    """Like the person's record, for the treating team; analysts, referents and sysadmins never."""
    return treats_person(user, person)


def can_change_work_profile(user, person) -> bool:
    from people.permissions import can_change_person

    return treats_person(user, person) and can_change_person(user, person)


def can_view_matches(user, person) -> bool:
    return can_view_work_profile(user, person)


def can_propose(user, person) -> bool:
    """Proposing is for those who may change the candidate's record."""
    return can_change_work_profile(user, person)


def can_record_candidate_decision(user, proposal) -> bool:
    return can_change_work_profile(user, proposal.person)


def can_record_employer_decision(user, proposal) -> bool:
    """The company's referent, or the proposing team on the employer's behalf (a phone call, an interview)."""
    opportunity = proposal.opportunity
    own = referent_org_ids(user)
    employer_org = opportunity.employer.organisation_id if opportunity.employer_id else None
    if opportunity.organisation_id in own or employer_org in own:
        return True
    return can_change_work_profile(user, proposal.person)


def is_company_reader(user, proposal) -> bool:
    """The user sees the proposal as the company does: within the candidate's disclosure choice."""
    if treats_person(user, proposal.person):
        return False
    return True


def can_view_equity(user) -> bool:
    """Counts per ASST, no names: analysts and coordinators."""
    return access_for(user).sees_aggregates
