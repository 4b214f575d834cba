"""Demo opportunities, work profiles and proposals (issue 4, part 9).

`build_opportunities()` adds about 1,500 opportunities of the demo employers and training bodies, published by the
companies themselves or by the network's Poli Lavoro and CELAV, with ISCO-08 groups and skills of the shared
vocabulary. `build_candidates()` gives the persons with an open work case a work profile (skill levels from their
skills balance when they have one), a consent to be proposed to companies for most of them, and proposals drawn
from their own top matches, with decisions. Seeding is not a user action: no audit events. Idempotent: a second
run adds nothing. Call them in seed_demo, the first after `build_employers()`, the second after the assessments:

    from demo.opportunities import build_candidates, build_opportunities
    build_opportunities(rng=random.Random(seed), today=timezone.localdate())
    build_candidates(rng=random.Random(seed), today=timezone.localdate())
"""

import datetime
import random

from django.db import transaction
from django.db.models import Q

from accounts.choices import OrganisationKind, Role
from accounts.models import Membership
from assessments.models import Assessment
from cases.models import Case
from opportunities import matching, selectors, skills
from opportunities.choices import (
    SCOUTING_ROLES,
    SCOUTING_UNIT_KINDS,
    CandidateDeclineReason,
    ContractType,
    Decision,
    Disclosure,
    EmployerDeclineReason,
    OpportunityKind,
    OpportunityStatus,
    ProposalStatus,
)
from opportunities.models import EmployerProfile, Opportunity, Proposal, WorkProfile
from people.choices import ConsentPurpose
from people.models import Consent

DEFAULT_COUNT = 1500
PROPOSAL_SHARE = 0.35

# By ATECO division: (job titles, ISCO-08 group, required skills, desired skills).
ROLES = {
    "47": (
        ("Addetto alle vendite", "Addetto al riassortimento", "Cassiere"),
        "52",
        ["customer_service"],
        ["cash_handling", "shelf_stocking"],
    ),
    "46": (("Addetto al magazzino", "Preparatore di ordini"), "93", ["warehouse"], ["forklift", "packaging"]),
    "56": (
        ("Aiuto cuoco", "Addetto alla sala", "Lavapiatti"),
        "94",
        ["food_hygiene"],
        ["food_preparation", "table_service"],
    ),
    "55": (("Addetto ai piani", "Addetto al ricevimento"), "91", ["cleaning"], ["reception", "english_basic"]),
    "52": (
        ("Magazziniere", "Carrellista", "Addetto allo smistamento"),
        "93",
        ["warehouse"],
        ["forklift", "workplace_safety"],
    ),
    "53": (("Addetto allo smistamento pacchi",), "93", ["packaging"], ["driving_licence_b"]),
    "62": (
        ("Addetto al data entry", "Tester di applicazioni"),
        "41",
        ["digital_basic", "data_entry"],
        ["office_software"],
    ),
    "63": (("Operatore di archiviazione digitale",), "44", ["digital_basic"], ["data_entry", "filing"]),
    "69": (("Impiegato amministrativo", "Addetto alla segreteria"), "41", ["office_software"], ["filing", "reception"]),
    "73": (("Grafico junior", "Addetto logistica eventi"), "43", ["digital_basic"], ["ts_teamwork"]),
    "81": (
        ("Addetto alle pulizie", "Giardiniere", "Manutentore del verde"),
        "91",
        ["cleaning"],
        ["gardening", "maintenance"],
    ),
    "82": (
        ("Operatore di call center", "Addetto al front office"),
        "42",
        ["ts_communication", "customer_service"],
        ["digital_basic"],
    ),
    "64": (("Impiegato di back office",), "41", ["office_software"], ["data_entry"]),
    "10": (
        ("Addetto al confezionamento", "Aiuto pasticcere"),
        "93",
        ["food_hygiene", "packaging"],
        ["food_preparation"],
    ),
    "26": (("Assemblatore", "Collaudatore"), "82", ["assembly"], ["workplace_safety"]),
    "28": (("Operaio addetto al montaggio",), "82", ["assembly", "workplace_safety"], ["maintenance"]),
    "43": (("Aiuto installatore", "Manutentore"), "71", ["maintenance"], ["driving_licence_b", "workplace_safety"]),
    "86": (("Addetto all'accoglienza", "Addetto all'archivio"), "42", ["reception"], ["filing"]),
    "88": (("Assistente educativo", "Addetto all'assistenza"), "53", ["care_assistance"], ["ts_communication"]),
    "78": (("Addetto di agenzia",), "41", ["office_software"], ["customer_service"]),
    "84": (("Impiegato (categorie protette)", "Commesso (categorie protette)"), "41", ["office_software"], ["filing"]),
}
DEFAULT_ROLE = (("Addetto ai servizi generali",), "96", ["ts_reliability"], ["maintenance"])
COURSES = [
    ("Corso HACCP per addetti alimentari", ["food_hygiene"]),
    ("Patentino per carrello elevatore", ["forklift", "workplace_safety"]),
    ("Informatica di base", ["digital_basic", "office_software"]),
    ("Inserimento dati e archiviazione", ["data_entry", "filing"]),
    ("Inglese per l'accoglienza", ["english_basic", "customer_service"]),
    ("Italiano per il lavoro (B1)", ["italian_language"]),
    ("Sicurezza sul lavoro: formazione generale", ["workplace_safety"]),
    ("Tecniche di pulizia professionale", ["cleaning"]),
    ("Magazzino e logistica", ["warehouse", "packaging"]),
    ("Cucina di base", ["food_preparation", "food_hygiene"]),
    ("Comunicare e lavorare in gruppo", ["ts_communication", "ts_teamwork"]),
    ("Gestire lo stress e il tempo", ["ts_stress", "ts_organisation"]),
    ("Laboratorio di falegnameria", ["crafts", "maintenance"]),
    ("Assistenza familiare", ["care_assistance"]),
]
KIND_WEIGHTS = {
    OpportunityKind.JOB: 30,
    OpportunityKind.INTERNSHIP: 30,
    OpportunityKind.LAW68: 15,
    OpportunityKind.COURSE: 15,
    OpportunityKind.VOLUNTEERING: 10,
}
STATUS_WEIGHTS = {
    OpportunityStatus.OPEN: 80,
    OpportunityStatus.CLOSED: 10,
    OpportunityStatus.DRAFT: 5,
    OpportunityStatus.SUSPENDED: 5,
}
CONTRACT_OF = {
    OpportunityKind.JOB: (ContractType.FIXED_TERM, ContractType.PERMANENT, ContractType.APPRENTICESHIP),
    OpportunityKind.LAW68: (ContractType.PERMANENT, ContractType.FIXED_TERM),
    OpportunityKind.INTERNSHIP: (ContractType.INTERNSHIP,),
    OpportunityKind.COURSE: (ContractType.NONE,),
    OpportunityKind.VOLUNTEERING: (ContractType.NONE,),
}
SUPPORT = (
    "Tutor aziendale dedicato",
    "Affiancamento del job coach del Polo Lavoro nelle prime settimane",
    "Inserimento graduale dell'orario",
    "",
)
ACCESSIBILITY = ("Sede accessibile, vicina alla metropolitana", "Raggiungibile con i mezzi pubblici", "")
WORKING_WEEKS = ([1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6], [1, 3, 5], [2, 4], [6, 7], [])
TITLE_PREFIX = {
    OpportunityKind.INTERNSHIP: "Tirocinio: ",
    OpportunityKind.LAW68: "",
    OpportunityKind.VOLUNTEERING: "Volontariato: ",
    OpportunityKind.JOB: "",
}


def _publishers() -> list[int]:
    """Organisations whose scouting staff publish: those with a Polo Lavoro, CELAV or programme team."""
    return sorted(
        set(
            Membership.objects.filter(
                role__in=SCOUTING_ROLES, unit__kind__in=SCOUTING_UNIT_KINDS, is_active=True
            ).values_list("unit__organisation_id", flat=True)
        )
    )


def _opportunity(rng, *, employer, publishers, today, course: bool) -> Opportunity:
    kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    if course or employer.organisation.kind == OrganisationKind.TRAINING_BODY:
        kind = OpportunityKind.COURSE
    elif kind == OpportunityKind.COURSE:
        kind = OpportunityKind.INTERNSHIP
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    starts = today + datetime.timedelta(days=rng.randint(-60, 150))
    fields = {
        "employer": employer,
        "kind": kind,
        "status": status,
        "comune": employer.comune or "Milano",
        "municipio": employer.municipio,
        "address": employer.address,
        "days": rng.choice(WORKING_WEEKS),
        "support": rng.choice(SUPPORT),
        "accessibility": rng.choice(ACCESSIBILITY),
        "contract_type": rng.choice(CONTRACT_OF[kind]),
    }
    if kind == OpportunityKind.COURSE:
        title, taught = rng.choice(COURSES)
        weeks = rng.randint(4, 16)
        fields |= {
            "title": title,
            "skills_taught": taught,
            "hours_per_week": rng.choice([6, 8, 10, 12, 16]),
            "starts_on": starts,
            "ends_on": starts + datetime.timedelta(weeks=weeks),
            "seats": rng.randint(8, 16),
            "description": f"Corso di {weeks} settimane, gratuito per i candidati della rete.",
        }
    else:
        titles, isco, required, desired = ROLES.get(employer.ateco_division, DEFAULT_ROLE)
        title = f"{TITLE_PREFIX.get(kind, '')}{rng.choice(titles)}"
        months = rng.choice([3, 6, 6, 12])
        fields |= {
            "title": title,
            "occupation_code": isco,
            "required_skills": list(required) + (["ts_reliability"] if rng.random() < 0.3 else []),
            "desired_skills": rng.sample(desired, rng.randint(0, len(desired))),
            "hours_per_week": rng.choice([12, 16, 20, 20, 25, 30, 36, 40]),
            "starts_on": starts if kind != OpportunityKind.JOB or rng.random() < 0.5 else None,
            "ends_on": starts + datetime.timedelta(days=30 * months)
            if kind in (OpportunityKind.INTERNSHIP, OpportunityKind.VOLUNTEERING)
            else None,
            "seats": rng.choice([1, 1, 1, 2, 3]),
            "description": employer.needs,
        }
    own = kind != OpportunityKind.COURSE and rng.random() < 0.4
    organisation_id = employer.organisation_id if own or not publishers else rng.choice(publishers)
    return Opportunity(organisation_id=organisation_id, **fields)


@transaction.atomic
def build_opportunities(*, rng: random.Random, today: datetime.date, count: int = DEFAULT_COUNT) -> int:
    """Up to `count` opportunities of the demo employers; returns how many were added."""
    have = Opportunity.objects.count()
    if have >= count:
        return 0
    employers = list(EmployerProfile.objects.select_related("organisation").order_by("pk"))
    if not employers:
        return 0
    publishers = _publishers()
    trainers = [e for e in employers if e.organisation.kind == OrganisationKind.TRAINING_BODY] or employers
    rows = []
    for n in range(count - have):
        employer = rng.choice(trainers) if n % 7 == 0 else rng.choice(employers)
        rows.append(_opportunity(rng, employer=employer, publishers=publishers, today=today, course=n % 7 == 0))
    Opportunity.objects.bulk_create(rows, batch_size=500)
    return len(rows)


# ---------------------------------------------------------------------------------------------- candidates

OTHER_SKILLS = [code for code, skill in skills.entries().items() if not skill.is_transversal]
WISH_GROUPS = ["93", "52", "91", "94", "41", "42", "43", "44", "53", "82", "71", "96", "51"]
SECTOR_WISHES = ["47", "52", "56", "81", "82", "62", "10", "88"]
MUNICIPI = [f"M{n}" for n in range(1, 10)]


def _profile(rng, *, case, balance_answers, today) -> WorkProfile:
    answers = balance_answers or {}
    levels = skills.prefill_from_skills_balance(answers)
    if not levels:
        levels = {code: rng.randint(2, 5) for code in rng.sample(skills.transversal_codes(), 4)}
    for code in rng.sample(OTHER_SKILLS, rng.randint(1, 4)):
        levels[code] = rng.randint(1, 5)
    interests = [c for c in [answers.get("interest_first"), *(answers.get("interest_groups") or [])] if c]
    isco = list(dict.fromkeys(interests or rng.sample(WISH_GROUPS, rng.randint(1, 3))))[:5]
    wishes = [{"kind": "isco", "code": code} for code in isco]
    wishes += [{"kind": "ateco", "code": code} for code in rng.sample(SECTOR_WISHES, rng.randint(0, 2))]
    disclosure = rng.choices(list(Disclosure), weights=[40, 35, 25])[0]
    residence = case.person.residence_municipio
    areas = []
    if rng.random() < 0.7:
        home = f"M{residence}" if residence else rng.choice(MUNICIPI)
        areas = sorted({home, *rng.sample(MUNICIPI, rng.randint(1, 4))})
    return WorkProfile(
        person_id=case.person_id,
        organisation_id=case.organisation_id,
        updated_by_id=case.case_manager_id,
        wishes=wishes,
        skills=levels,
        skills_source="skills_balance" if balance_answers else "",
        max_hours_per_week=rng.choice([None, 15, 20, 25, 30, 36, 40]),
        days=rng.choice([[], [], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6]]),
        reachable_areas=areas,
        max_travel_minutes=rng.choice([None, 30, 45, 60]),
        available_from=rng.choice([None, None, today + datetime.timedelta(days=rng.randint(0, 60))]),
        disclosure=disclosure,
        disclosure_text="Preferisce un referente fisso e istruzioni scritte."
        if disclosure == Disclosure.DETAILS
        else "",
    )


def _decide(rng, proposal: Proposal, *, today: datetime.date, seats_left: dict[int, int]) -> None:
    """Decisions of a proposal made days after it, keeping to the opportunity's seats."""
    roll = rng.random()
    later = min(today, proposal.proposed_on + datetime.timedelta(days=rng.randint(2, 20)))
    if roll < 0.2:
        proposal.candidate_decision, proposal.candidate_decided_on = Decision.NO, later
        proposal.candidate_reason = rng.choice(CandidateDeclineReason.values)
        return
    if roll < 0.85:
        proposal.candidate_decision, proposal.candidate_decided_on = Decision.YES, later
    if roll < 0.35:
        proposal.employer_decision, proposal.employer_decided_on = Decision.NO, later
        proposal.employer_reason = rng.choice(EmployerDeclineReason.values)
    elif roll < 0.75 and seats_left.get(proposal.opportunity_id, 0) > 0:
        proposal.employer_decision, proposal.employer_decided_on = Decision.YES, later
        seats_left[proposal.opportunity_id] -= 1


@transaction.atomic
def build_candidates(*, rng: random.Random, today: datetime.date, proposal_share: float = PROPOSAL_SHARE) -> dict:
    """Work profiles, company-contact consents and proposals for the persons with an open work case."""
    cases = list(
        Case.objects.filter(area="work", closed_on__isnull=True, case_manager__isnull=False)
        .exclude(person__work_profile__isnull=False)
        .select_related("person")
        .order_by("person_id", "pk")
    )
    seen, unique = set(), []
    for case in cases:
        if case.person_id not in seen:
            seen.add(case.person_id)
            unique.append(case)
    if not unique:
        return {"profiles": 0, "consents": 0, "proposals": 0}
    balances = {}
    for person_id, answers in (
        Assessment.objects.filter(
            person_id__in=seen, instrument_version__instrument__code="skills_balance", status="completed"
        )
        .order_by("person_id", "assessed_on", "pk")
        .values_list("person_id", "answers")
    ):
        balances[person_id] = answers  # the latest wins
    profiles = [_profile(rng, case=c, balance_answers=balances.get(c.person_id), today=today) for c in unique]
    WorkProfile.objects.bulk_create(profiles, batch_size=500)

    consented = set(
        Consent.objects.filter(person_id__in=seen, purpose=ConsentPurpose.COMPANY_CONTACT).values_list(
            "person_id", flat=True
        )
    )
    consents = []
    for case in unique:
        if case.person_id in consented or rng.random() > 0.75:
            continue
        consents.append(
            Consent(
                person_id=case.person_id,
                purpose=ConsentPurpose.COMPANY_CONTACT,
                organisation_id=case.organisation_id,
                given_on=max(case.opened_on, today - datetime.timedelta(days=rng.randint(0, 365))),
                recorded_by_id=case.case_manager_id,
                recorded_by_organisation_id=case.organisation_id,
            )
        )
        consented.add(case.person_id)
    Consent.objects.bulk_create(consents, batch_size=500)

    pool = [selectors.opportunity_facts(o) for o in selectors.open_opportunities(today=today)]
    seats_left = {facts.opportunity_id: facts.seats_left for facts in pool}
    by_case = {c.person_id: c for c in unique}
    profiles_facts = selectors.work_profiles_with_facts().filter(person_id__in=consented).order_by("person_id")
    proposals = []
    for profile in profiles_facts:
        if rng.random() > proposal_share:
            continue
        case = by_case.get(profile.person_id)
        if case is None:
            continue
        top = matching.rank_opportunities(selectors.candidate_facts(profile), pool, today=today, limit=3)
        if not top:
            continue
        chosen = rng.choice(top).opportunity
        proposal = Proposal(
            opportunity_id=chosen.opportunity_id,
            person_id=profile.person_id,
            organisation_id=case.organisation_id,
            proposed_by_id=case.case_manager_id,
            proposed_on=today - datetime.timedelta(days=rng.randint(0, 120)),
            note=rng.choice(["", "Motivata e puntuale.", "Disponibile a un colloquio conoscitivo."]),
        )
        _decide(rng, proposal, today=today, seats_left=seats_left)
        proposal.refresh_status()
        proposals.append(proposal)
    Proposal.objects.bulk_create(proposals, batch_size=500)
    return {"profiles": len(profiles), "consents": len(consents), "proposals": len(proposals)}


def demo_counts() -> dict:
    """For the seed command's message."""
    return {
        "opportunities": Opportunity.objects.count(),
        "profiles": WorkProfile.objects.count(),
        "proposals": Proposal.objects.filter(~Q(status=ProposalStatus.WITHDRAWN)).count(),
        "referents": Membership.objects.filter(role=Role.COMPANY_REFERENT).count(),
    }
