"""Who may import and export (docs/adr/0008-imports-by-coordinators.md)."""

from accounts.access import access_for
from accounts.choices import PERSON_WRITE_ROLES, Role

IMPORT_ROLES = frozenset({Role.COORDINATOR}) & PERSON_WRITE_ROLES


def import_org_ids(user) -> frozenset[int]:
    """Organisations for which `user` may import files and edit value mappings: where they coordinate."""
    return access_for(user).org_ids(IMPORT_ROLES)


def import_org_id(user) -> int | None:
    """The organisation an import of `user` registers persons for: the first one they coordinate."""
    orgs = import_org_ids(user)
    for org, _unit, role in access_for(user).memberships:
        if org in orgs and role in IMPORT_ROLES:
            return org
    return None


def can_import(user) -> bool:
    return bool(import_org_ids(user))


def can_export_persons(user) -> bool:
    """Bulk exports of person rows are for coordinators; aggregate-only roles never get person rows."""
    access = access_for(user)
    return bool(import_org_ids(user)) and access.sees_persons and not access.is_aggregate_only


def can_record_diagnosis(user, org_id: int) -> bool:
    """As in people.services.person_create: only a clinician of the organisation records the diagnosis group."""
    return org_id in access_for(user).clinical_org_ids
