"""What a user may reach, computed once per request from their active memberships."""

from dataclasses import dataclass, field

from django.db import connection

from accounts.choices import AGGREGATE_ROLES, CLINICAL_ROLES, PERSON_ROLES, PERSON_WRITE_ROLES, Role


@dataclass(frozen=True)
class Access:
    """The user's (organisation, unit, role) triples and the sets derived from them."""

    user_id: int
    memberships: tuple[tuple[int, int, str], ...] = field(default_factory=tuple)
    # (organisation id, name) of the memberships' organisations: audit events carry the name.
    org_names: tuple[tuple[int, str], ...] = field(default_factory=tuple)
    # (unit id, unit kind) of the memberships' units: permissions that depend on the kind of unit ask no query.
    unit_kinds: tuple[tuple[int, str], ...] = field(default_factory=tuple)

    def org_ids(self, roles=None) -> frozenset[int]:
        """Organisations where the user holds one of `roles` (any role when None)."""
        return frozenset(org for org, _unit, role in self.memberships if roles is None or role in roles)

    def unit_ids(self, roles=None) -> frozenset[int]:
        return frozenset(unit for _org, unit, role in self.memberships if roles is None or role in roles)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for _org, _unit, role in self.memberships)

    @property
    def person_org_ids(self) -> frozenset[int]:
        return self.org_ids(PERSON_ROLES)

    @property
    def write_org_ids(self) -> frozenset[int]:
        return self.org_ids(PERSON_WRITE_ROLES)

    @property
    def clinical_org_ids(self) -> frozenset[int]:
        return self.org_ids(CLINICAL_ROLES)

    @property
    def sees_persons(self) -> bool:
        return bool(self.person_org_ids)

    @property
    def sees_aggregates(self) -> bool:
        return bool(self.roles & AGGREGATE_ROLES)

    @property
    def is_aggregate_only(self) -> bool:
        return Role.ANALYST in self.roles and not self.sees_persons

    @property
    def is_dpo(self) -> bool:
        return Role.DPO in self.roles

    @property
    def is_sysadmin(self) -> bool:
        return Role.SYSADMIN in self.roles

    @property
    def primary_org_id(self) -> int | None:
        return self.memberships[0][0] if self.memberships else None

    def org_name(self, org_id: int | None) -> str:
        return dict(self.org_names).get(org_id, "")


# The user's active memberships in active units of active organisations, oldest first. Every page asks for them,
# so they are read with one plain statement: building the same query through the ORM cost four times as much.
_MEMBERSHIPS_SQL = """
SELECT u.organisation_id, m.unit_id, m.role, o.name, u.kind
FROM accounts_membership m
JOIN accounts_unit u ON u.id = m.unit_id
JOIN accounts_organisation o ON o.id = u.organisation_id
WHERE m.user_id = %s AND m.is_active = %s AND u.is_active = %s AND o.is_active = %s
ORDER BY m.id
"""


def access_for(user) -> Access:
    """The Access of `user`, read from the database once per request and kept on the user object until its end.

    Not kept across requests: a membership ended, or a unit or organisation deactivated, takes effect on the
    user's next request (ADR 0020).
    """
    cached = getattr(user, "_ponte_access", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        access = Access(user_id=0)
    else:
        with connection.cursor() as cursor:
            cursor.execute(_MEMBERSHIPS_SQL, [user.pk, True, True, True])
            rows = cursor.fetchall()
        access = Access(
            user_id=user.pk,
            memberships=tuple((org, unit, role) for org, unit, role, _name, _kind in rows),
            org_names=tuple(dict.fromkeys((org, name) for org, _unit, _role, name, _kind in rows)),
            unit_kinds=tuple(dict.fromkeys((unit, kind) for _org, unit, _role, _name, kind in rows)),
        )
    user._ponte_access = access
    return access
