"""The demo network: territories, organisations, units, demo accounts and the staff who manage cases.

Everything is fetched or created by its natural key, so running it again changes nothing.
"""

import math
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password

from accounts.choices import OrganisationKind, Role, TerritoryKind, UnitKind
from accounts.models import Membership, Organisation, Territory, Unit, User
from demo import datasets

ATS_CODE = "ATS-MI"
MILANO_CODE = "F205"

# (code, name, kind, parent code). Comuni follow from datasets.comuni(); municipi from Municipio.
TERRITORIES = [
    (ATS_CODE, "ATS Città Metropolitana di Milano", TerritoryKind.ATS, None),
    ("ASST-FBF-SACCO", "Area ASST Fatebenefratelli Sacco", TerritoryKind.ASST, ATS_CODE),
    ("ASST-NIGUARDA", "Area ASST Grande Ospedale Metropolitano Niguarda", TerritoryKind.ASST, ATS_CODE),
    ("ASST-SPC", "Area ASST Santi Paolo e Carlo", TerritoryKind.ASST, ATS_CODE),
    ("ASST-NORD-MILANO", "Area ASST Nord Milano", TerritoryKind.ASST, ATS_CODE),
    ("ASST-LODI", "Area ASST di Lodi", TerritoryKind.ASST, ATS_CODE),
    ("ASST-MELEGNANO-MARTESANA", "Area ASST Melegnano e Martesana", TerritoryKind.ASST, ATS_CODE),
    ("AMB-MELEGNANO", "Ambito distrettuale di Melegnano", TerritoryKind.AMBITO, "ASST-MELEGNANO-MARTESANA"),
    ("AMB-MARTESANA", "Ambito distrettuale della Martesana", TerritoryKind.AMBITO, "ASST-MELEGNANO-MARTESANA"),
    (MILANO_CODE, "Milano", TerritoryKind.COMUNE, ATS_CODE),
]
# Parent of each residence group's comuni.
COMUNE_PARENT = {
    "nord_milano": "ASST-NORD-MILANO",
    "lodi": "ASST-LODI",
    "melegnano_martesana": "AMB-MELEGNANO",
}
MARTESANA_COMUNI = {"Pioltello", "Gorgonzola", "Segrate", "Cernusco sul Naviglio", "Vimodrone"}


@dataclass(frozen=True)
class UnitSpec:
    """A unit to create: a key used in code and usernames, its name and kind."""

    key: str
    name: str
    kind: str


@dataclass(frozen=True)
class OrgSpec:
    """An organisation to create, its units and, for the mental-health departments, its share of persons."""

    key: str
    name: str
    short_name: str
    kind: str
    territory: str
    units: tuple[UnitSpec, ...]
    share: float = 0.0  # share of persons it registers
    municipi: tuple[int, ...] = ()  # Milan municipi its residents live in
    residence: str = ""  # or the residence group of comuni.csv


def _mh(key, name, short, kind, territory, share, *, label, cps=1, municipi=(), residence="", extra=()):
    """A mental-health department with its CPS(s) and its Polo Lavoro."""
    cps_units = [UnitSpec(f"{key}-cps", f"CPS {label}", UnitKind.CPS)]
    if cps > 1:
        cps_units.append(UnitSpec(f"{key}-cps2", f"CPS {label} 2", UnitKind.CPS))
    units = (*cps_units, UnitSpec(f"{key}-pl", f"Polo Lavoro {label}", UnitKind.POLO_LAVORO), *extra)
    return OrgSpec(key, name, short, kind, territory, units, share, tuple(municipi), residence)


ASST, FOUNDATION = OrganisationKind.ASST, OrganisationKind.HOSPITAL_FOUNDATION
# The departments of seed 000's table; shares are plausible, not published figures.
MENTAL_HEALTH = [
    _mh(
        "sacco",
        "ASST Fatebenefratelli Sacco",
        "ASST FBF Sacco",
        ASST,
        "ASST-FBF-SACCO",
        0.22,
        label="Sacco",
        cps=2,
        municipi=(1, 3, 8),
        extra=(UnitSpec("sacco-pir", "Programma Innovativo TR106", UnitKind.PROGRAMME_TEAM),),
    ),
    _mh(
        "niguarda",
        "ASST Grande Ospedale Metropolitano Niguarda",
        "ASST Niguarda",
        ASST,
        "ASST-NIGUARDA",
        0.20,
        label="Niguarda",
        cps=2,
        municipi=(2, 9),
    ),
    _mh(
        "spc",
        "ASST Santi Paolo e Carlo",
        "ASST Santi Paolo e Carlo",
        ASST,
        "ASST-SPC",
        0.18,
        label="Santi Paolo e Carlo",
        cps=2,
        municipi=(5, 6, 7),
    ),
    _mh(
        "policlinico",
        "Fondazione IRCCS Ca' Granda Ospedale Maggiore Policlinico",
        "Policlinico di Milano",
        FOUNDATION,
        MILANO_CODE,
        0.10,
        label="Policlinico",
        municipi=(1, 4),
    ),
    _mh(
        "nord",
        "ASST Nord Milano",
        "ASST Nord Milano",
        ASST,
        "ASST-NORD-MILANO",
        0.10,
        label="Nord Milano",
        residence="nord_milano",
    ),
    _mh("lodi", "ASST di Lodi", "ASST Lodi", ASST, "ASST-LODI", 0.07, label="Lodi", residence="lodi"),
    _mh(
        "melegnano",
        "ASST Melegnano e Martesana",
        "ASST Melegnano Martesana",
        ASST,
        "ASST-MELEGNANO-MARTESANA",
        0.10,
        label="Melegnano Martesana",
        residence="melegnano_martesana",
    ),
    _mh(
        "castellini",
        "Fondazione Castellini",
        "Fondazione Castellini",
        FOUNDATION,
        "F100",
        0.03,
        label="Castellini",
        residence="melegnano_martesana",
    ),
]
OTHERS = [
    OrgSpec(
        "ats",
        "ATS Città Metropolitana di Milano",
        "ATS",
        OrganisationKind.ATS,
        ATS_CODE,
        (
            UnitSpec("ats-epi", "Osservatorio epidemiologico", UnitKind.OFFICE),
            UnitSpec("ats-dpo", "Ufficio protezione dati", UnitKind.OFFICE),
            UnitSpec("ats-it", "Sistemi informativi", UnitKind.OFFICE),
        ),
    ),
    OrgSpec(
        "comune",
        "Comune di Milano",
        "Comune di Milano",
        OrganisationKind.MUNICIPALITY,
        MILANO_CODE,
        (
            UnitSpec("comune-celav", "CELAV – Centro di Mediazione al Lavoro", UnitKind.CELAV),
            UnitSpec("comune-social", "Servizi sociali", UnitKind.SOCIAL_SERVICE),
            UnitSpec("comune-housing", "Area Residenzialità", UnitKind.HOUSING),
        ),
    ),
    # Fictional partners: "(esempio)" in the name says so on every page that shows them.
    OrgSpec(
        "ets1",
        "Associazione Ponti Aperti ETS (esempio)",
        "Ponti Aperti (esempio)",
        OrganisationKind.THIRD_SECTOR,
        MILANO_CODE,
        (UnitSpec("ets1-unit", "Servizio di inclusione sociale", UnitKind.OTHER),),
    ),
    OrgSpec(
        "ets2",
        "Fondazione Orizzonti Comuni ETS (esempio)",
        "Orizzonti Comuni (esempio)",
        OrganisationKind.THIRD_SECTOR,
        MILANO_CODE,
        (UnitSpec("ets2-unit", "Abitare e socialità", UnitKind.OTHER),),
    ),
    OrgSpec(
        "coop",
        "Cooperativa sociale Il Telaio – tipo B (esempio)",
        "Coop. Il Telaio (esempio)",
        OrganisationKind.SOCIAL_COOP,
        MILANO_CODE,
        (UnitSpec("coop-unit", "Inserimenti lavorativi", UnitKind.OTHER),),
    ),
    OrgSpec(
        "company1",
        "Esempio Logistica S.p.A.",
        "Esempio Logistica",
        OrganisationKind.COMPANY,
        MILANO_CODE,
        (UnitSpec("company1-hr", "Risorse umane", UnitKind.OFFICE),),
    ),
    OrgSpec(
        "company2",
        "Esempio Ristorazione S.r.l.",
        "Esempio Ristorazione",
        OrganisationKind.COMPANY,
        MILANO_CODE,
        (UnitSpec("company2-hr", "Risorse umane", UnitKind.OFFICE),),
    ),
    OrgSpec(
        "company3",
        "Esempio Servizi Digitali S.r.l.",
        "Esempio Servizi Digitali",
        OrganisationKind.COMPANY,
        "I690",
        (UnitSpec("company3-hr", "Risorse umane", UnitKind.OFFICE),),
    ),
]
ORGANISATIONS = [*MENTAL_HEALTH, *OTHERS]

# username: (unit key, role, first name, last name, profession, is_superuser)
DEMO_ACCOUNTS = {
    "admin": ("ats-it", Role.SYSADMIN, "Roberto", "Colombo", "Amministratore di sistema", True),
    "operatore.sacco": ("sacco-pl", Role.OPERATOR, "Chiara", "Brambilla", "Educatrice professionale", False),
    "coordinatore.sacco": ("sacco-pl", Role.COORDINATOR, "Marco", "Ferrario", "Psicologo", False),
    "operatore.niguarda": ("niguarda-pl", Role.OPERATOR, "Valentina", "Ricci", "Tecnica della riabilitazione", False),
    "clinico.sacco": ("sacco-cps", Role.CLINICIAN, "Andrea", "Galbiati", "Psichiatra", False),
    "analista.ats": ("ats-epi", Role.ANALYST, "Laura", "Fontana", "Statistica", False),
    "referente.azienda": ("company1-hr", Role.COMPANY_REFERENT, "Paolo", "Moretti", "Responsabile HR", False),
    "dpo": ("ats-dpo", Role.DPO, "Silvia", "Conti", "Responsabile della protezione dei dati", False),
}
# The role of generated staff by unit kind (operator otherwise).
STAFF_ROLE = {UnitKind.CPS: Role.CLINICIAN}


@dataclass
class Network:
    """The created rows, by key, for the population generator."""

    orgs: dict[str, Organisation] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    staff: dict[str, list[User]] = field(default_factory=dict)  # unit key -> generated staff
    territories: dict[str, Territory] = field(default_factory=dict)


def ensure_territories(net: Network) -> None:
    """The ATS, the ASST areas, Milan and its nine municipi, two Ambiti and the comuni of comuni.csv."""
    rows = list(TERRITORIES)
    rows += [(f"MI-M{n}", f"Municipio {n}", TerritoryKind.MUNICIPIO, MILANO_CODE) for n in range(1, 10)]
    for comune in datasets.comuni():
        if comune.residence_of:
            parent = COMUNE_PARENT[comune.residence_of]
            if comune.name in MARTESANA_COMUNI:
                parent = "AMB-MARTESANA"
            rows.append((comune.belfiore, comune.name, TerritoryKind.COMUNE, parent))
    for code, name, kind, parent in rows:
        net.territories[code], _ = Territory.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": net.territories.get(parent)}
        )


def ensure_organisations(net: Network) -> None:
    """Every organisation of ORGANISATIONS with its units."""
    for spec in ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(
            name=spec.name,
            defaults={"short_name": spec.short_name, "kind": spec.kind, "territory": net.territories[spec.territory]},
        )
        net.orgs[spec.key] = org
        for unit_spec in spec.units:
            net.units[unit_spec.key], _ = Unit.objects.get_or_create(
                organisation=org,
                name=unit_spec.name,
                defaults={"kind": unit_spec.kind, "territory": net.territories[spec.territory]},
            )


def ensure_demo_accounts(net: Network) -> None:
    """The named demo accounts; a new account gets the demo password, an existing one is left as it is."""
    password = make_password(settings.PONTE_DEMO_PASSWORD)
    for username, (unit_key, role, first, last, profession, superuser) in DEMO_ACCOUNTS.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "profession": profession,
                "password": password,
                "is_staff": superuser,
                "is_superuser": superuser,
                "email": f"{username}@example.org",
            },
        )
        Membership.objects.get_or_create(user=user, unit=net.units[unit_key], role=role)
        net.users[username] = user


def staff_size(unit_key: str, kind: str, persons: int) -> int:
    """How many generated case managers a unit needs for `persons` persons (about 40 open cases each)."""
    org_key = unit_key.split("-")[0]
    share = next((spec.share for spec in MENTAL_HEALTH if spec.key == org_key), 0.0)
    weight = {UnitKind.POLO_LAVORO: share * 0.6, UnitKind.CPS: share * 0.05}.get(kind, 0.03)
    return max(2, math.ceil(persons * weight / 40))


def ensure_staff(net: Network, *, persons: int) -> None:
    """Generated operators (unusable password) in every unit that manages cases, enough for `persons`."""
    wanted: list[tuple[str, str, str]] = []  # (unit key, username, role)
    for spec in ORGANISATIONS:
        if spec.kind in (OrganisationKind.ATS, OrganisationKind.COMPANY):
            continue
        for unit_spec in spec.units:
            role = STAFF_ROLE.get(unit_spec.kind, Role.OPERATOR)
            for n in range(1, staff_size(unit_spec.key, unit_spec.kind, persons) + 1):
                wanted.append((unit_spec.key, f"staff.{unit_spec.key}.{n:03d}", role))
    existing = {u.username: u for u in User.objects.filter(username__startswith="staff.")}
    surnames, names = datasets.surnames(), {sex: datasets.first_names(sex) for sex in "FM"}
    new_users = []
    for _unit_key, username, _role in wanted:
        if username in existing:
            continue
        # Names come from a generator seeded by the username, so they do not depend on run order.
        local = random.Random(username)
        sex = local.choice("FM")
        # Unusable password: staff exist to own cases; people sign in with the named demo accounts.
        new_users.append(
            User(
                username=username,
                first_name=local.choice(names[sex]),
                last_name=local.choice(surnames),
                password=make_password(None),
            )
        )
    User.objects.bulk_create(new_users, batch_size=2000)
    existing.update({u.username: u for u in User.objects.filter(username__in=[u.username for u in new_users])})
    have = set(Membership.objects.filter(user__username__startswith="staff.").values_list("user__username", "unit_id"))
    Membership.objects.bulk_create(
        [
            Membership(user=existing[username], unit=net.units[unit_key], role=role)
            for unit_key, username, role in wanted
            if (username, net.units[unit_key].pk) not in have
        ],
        batch_size=2000,
    )
    for unit_key, username, _role in wanted:
        net.staff.setdefault(unit_key, []).append(existing[username])


def build_network(*, persons: int) -> Network:
    """Fetch or create the whole network and return it by key."""
    net = Network()
    ensure_territories(net)
    ensure_organisations(net)
    ensure_demo_accounts(net)
    ensure_staff(net, persons=persons)
    return net
