"""Demo employers: fictional companies, cooperatives, training bodies and agencies of the Milan area, of realistic
sizes in Milan's main sectors, with their Law 68/1999 quota and the network's contact log with them.

Every name says "esempio" (the partners of demo/network.py start with "Esempio"). Organisations are found by name,
so running it again adds nothing. Seeding is not a user action: it writes no audit events. Call it after
`demo.network.build_network()`, in the same transaction:

    from demo.employers import build_employers
    build_employers(rng=random.Random(seed), today=timezone.localdate())
"""

import datetime
import random

from django.db.models import Q

from accounts.choices import OrganisationKind
from accounts.models import Membership, Organisation, Territory
from opportunities.choices import SCOUTING_ROLES, SCOUTING_UNIT_KINDS, ContactChannel, ContactOutcome
from opportunities.models import EmployerContact, EmployerProfile
from people.choices import Municipio

DEFAULT_COUNT = 150

# (ATECO division, organisation kind, weight, words for the name, a need they may express)
SECTORS = [
    (
        "47",
        OrganisationKind.COMPANY,
        14,
        ("Market", "Bottega", "Emporio", "Supermercati"),
        "Addetti alle vendite e al riassortimento scaffali",
    ),
    (
        "46",
        OrganisationKind.COMPANY,
        8,
        ("Distribuzione", "Forniture", "Ingrosso"),
        "Addetti al magazzino e alla preparazione ordini",
    ),
    (
        "56",
        OrganisationKind.COMPANY,
        12,
        ("Ristorazione", "Trattoria", "Bistrot", "Mense"),
        "Aiuto cuoco e addetti alla sala, anche part-time",
    ),
    ("55", OrganisationKind.COMPANY, 4, ("Hotel", "Residence", "Ospitalità"), "Addetti ai piani e al ricevimento"),
    ("52", OrganisationKind.COMPANY, 7, ("Logistica", "Magazzini", "Spedizioni"), "Magazzinieri e carrellisti"),
    ("53", OrganisationKind.COMPANY, 3, ("Recapiti", "Corrieri"), "Addetti allo smistamento pacchi"),
    ("62", OrganisationKind.COMPANY, 8, ("Software", "Digitale", "Sistemi"), "Data entry e test di applicazioni"),
    ("63", OrganisationKind.COMPANY, 3, ("Dati", "Web"), "Operatori di archiviazione e catalogazione digitale"),
    ("69", OrganisationKind.COMPANY, 5, ("Studio", "Consulenze"), "Impiegati amministrativi e di segreteria"),
    (
        "73",
        OrganisationKind.COMPANY,
        3,
        ("Comunicazione", "Pubblicità"),
        "Grafici junior e addetti alla logistica eventi",
    ),
    (
        "81",
        OrganisationKind.COMPANY,
        7,
        ("Servizi integrati", "Pulizie", "Giardini"),
        "Addetti alle pulizie e alla manutenzione del verde",
    ),
    (
        "82",
        OrganisationKind.COMPANY,
        3,
        ("Servizi d'ufficio", "Contact center"),
        "Operatori di call center e di front office",
    ),
    ("64", OrganisationKind.COMPANY, 3, ("Banca", "Credito"), "Impiegati di back office"),
    ("10", OrganisationKind.COMPANY, 4, ("Pasticceria", "Panificio", "Alimentari"), "Addetti al confezionamento"),
    ("26", OrganisationKind.COMPANY, 2, ("Elettronica", "Ottica"), "Assemblatori e collaudatori"),
    ("28", OrganisationKind.COMPANY, 2, ("Meccanica", "Macchine"), "Operai addetti al montaggio"),
    ("43", OrganisationKind.COMPANY, 3, ("Impianti", "Edilizia"), "Aiuto installatori e manutentori"),
    ("86", OrganisationKind.COMPANY, 2, ("Poliambulatorio", "Clinica"), "Addetti all'accoglienza e all'archivio"),
    (
        "88",
        OrganisationKind.SOCIAL_COOP,
        5,
        ("Cooperativa sociale",),
        "Inserimenti lavorativi in servizi di pulizia e manutenzione",
    ),
    ("81", OrganisationKind.SOCIAL_COOP, 4, ("Cooperativa sociale",), "Operatori di pulizie e facchinaggio"),
    (
        "85",
        OrganisationKind.TRAINING_BODY,
        4,
        ("Centro di formazione", "Scuola professionale"),
        "Corsi per addetti alla ristorazione e alla logistica",
    ),
    (
        "78",
        OrganisationKind.JOB_AGENCY,
        3,
        ("Agenzia per il lavoro",),
        "Ricerca di profili per la grande distribuzione",
    ),
    (
        "84",
        OrganisationKind.PUBLIC_BODY,
        1,
        ("Ente pubblico",),
        "Posizioni riservate alle categorie protette (Legge 68/1999) nei concorsi",
    ),
]
NAME_WORDS = (
    "Ambrosiana",
    "Navigli",
    "Brera",
    "Lambro",
    "Sempione",
    "Porta Nuova",
    "Bicocca",
    "Città Studi",
    "Martesana",
    "Duomo",
    "Isola",
    "Corvetto",
    "Lorenteggio",
    "Niguarda",
    "Greco",
    "Baggio",
)
LEGAL_FORM = {
    OrganisationKind.COMPANY: ("S.r.l.", "S.p.A.", "S.n.c.", "S.r.l."),
    OrganisationKind.SOCIAL_COOP: ("tipo B",),
    OrganisationKind.TRAINING_BODY: ("",),
    OrganisationKind.JOB_AGENCY: ("S.p.A.",),
    OrganisationKind.PUBLIC_BODY: ("",),
}
# Size bands (lowest, highest employees, weight): most firms are small; the quota starts at 15.
SIZE_BANDS = [(2, 14, 30), (15, 35, 22), (36, 50, 10), (51, 249, 28), (250, 2500, 10)]
OTHER_COMUNI = (
    "Sesto San Giovanni",
    "Cinisello Balsamo",
    "Rho",
    "San Donato Milanese",
    "Segrate",
    "Pioltello",
    "Cologno Monzese",
    "Rozzano",
    "Lodi",
    "Melegnano",
)
STREETS = (
    "Via Padova",
    "Viale Monza",
    "Via Ripamonti",
    "Corso Lodi",
    "Via Novara",
    "Viale Fulvio Testi",
    "Via Giambellino",
    "Corso Buenos Aires",
    "Via Mecenate",
    "Viale Certosa",
    "Via Tortona",
)
DISCUSSED = (
    "Presentazione del Polo Lavoro e del collocamento mirato",
    "Verifica della quota Law 68 e dei posti scoperti",
    "Raccolta dei fabbisogni di personale per i prossimi mesi",
    "Proposta di tirocinio extracurricolare con tutoraggio",
    "Incontro con il referente HR e visita ai reparti",
    "Aggiornamento su un inserimento in corso",
)
NEXT_STEPS = (
    "Inviare profili di candidati",
    "Richiamare il referente HR",
    "Fissare una visita in azienda",
    "Mandare la convenzione di tirocinio",
    "Verificare i posti scoperti con l'ufficio del personale",
)


def _employee_count(rng: random.Random, kind: str) -> int:
    if kind == OrganisationKind.PUBLIC_BODY:
        return rng.randint(200, 1500)
    low, high, _weight = rng.choices(SIZE_BANDS, weights=[band[2] for band in SIZE_BANDS])[0]
    return rng.randint(low, high)


def _scouts() -> list[tuple[int, int]]:
    """(user id, organisation id) of the active scouting staff, in a stable order."""
    return list(
        Membership.objects.filter(
            is_active=True, role__in=SCOUTING_ROLES, unit__kind__in=SCOUTING_UNIT_KINDS, unit__is_active=True
        )
        .order_by("user_id", "unit_id")
        .values_list("user_id", "unit__organisation_id")
    )


def _contacts_for(employer, *, rng, today, scouts, favourite) -> list[EmployerContact]:
    """Zero to five contacts over the last six months; the last may leave a next step open."""
    contacts = []
    n = rng.choices([0, 1, 2, 3, 4, 5], weights=[25, 25, 20, 15, 10, 5])[0]
    dates = sorted(today - datetime.timedelta(days=rng.randint(0, 180)) for _ in range(n))
    for i, day in enumerate(dates):
        user_id, org_id = favourite if favourite and rng.random() < 0.3 else rng.choice(scouts)
        last = i == len(dates) - 1
        next_step, next_on, done_on = "", None, None
        if rng.random() < 0.7:
            next_step = rng.choice(NEXT_STEPS)
            next_on = day + datetime.timedelta(days=rng.randint(3, 30))
            if not last or rng.random() < 0.4:
                done_on = min(today, next_on)
        contacts.append(
            EmployerContact(
                employer=employer,
                organisation_id=org_id,
                operator_id=user_id,
                contacted_on=day,
                channel=rng.choice(ContactChannel.values),
                discussed=rng.choice(DISCUSSED),
                outcome=rng.choice(ContactOutcome.values),
                next_step=next_step,
                next_step_on=next_on,
                next_step_done_on=done_on,
            )
        )
    return contacts


def _user_id(username: str) -> int | None:
    return Membership.objects.filter(user__username=username).values_list("user_id", flat=True).first()


# The network's fictional partners (demo/network.py) by a word of their name.
PARTNER_DIVISIONS = {"Logistica": "52", "Ristorazione": "56", "Digitali": "62", "Telaio": "81"}


def _sector_of(organisation, rng: random.Random):
    """The SECTORS row of an existing partner: by a word of its name, else any row of its kind."""
    for word, division in PARTNER_DIVISIONS.items():
        if word in organisation.name:
            for row in SECTORS:
                if row[0] == division and row[1] == organisation.kind:
                    return row
    return rng.choice([row for row in SECTORS if row[1] == organisation.kind])


def build_employers(*, rng: random.Random, today: datetime.date, count: int = DEFAULT_COUNT) -> int:
    """Create up to `count` demo employers with their contact logs; returns how many were added."""
    if EmployerProfile.objects.count() >= count:
        return 0
    scouts = _scouts()
    # The demo operator gets a share of the contacts, so that their reminders page has something on it.
    favourite = next(((u, o) for u, o in scouts if u == _user_id("operatore.sacco")), None)
    milano = Territory.objects.filter(code="F205").first()
    # The network's own fictional partners first (their referent account can then see a profile).
    existing = list(
        Organisation.objects.filter(
            Q(name__endswith="(esempio)") | Q(name__startswith="Esempio "), kind__in=[k for _d, k, *_ in SECTORS]
        )
        .exclude(employer_profile__isnull=False)
        .order_by("name")
    )
    weights = [sector[2] for sector in SECTORS]
    added, contacts = 0, []
    attempts = 20 * count  # names can run out for a very large count: stop rather than loop forever
    while attempts and EmployerProfile.objects.count() < count:
        attempts -= 1
        if existing:
            organisation = existing.pop(0)
            division, kind, _w, words, need = _sector_of(organisation, rng)
        else:
            division, kind, _w, words, need = rng.choices(SECTORS, weights=weights)[0]
            parts = (rng.choice(words), rng.choice(NAME_WORDS), rng.choice(LEGAL_FORM[kind]), "(esempio)")
            name = " ".join(part for part in parts if part)
            organisation, created = Organisation.objects.get_or_create(
                name=name, defaults={"kind": kind, "territory": milano}
            )
            if not created:
                continue
        employees = _employee_count(rng, kind)
        in_milan = rng.random() < 0.75
        profile = EmployerProfile(
            organisation=organisation,
            social_coop_type="B" if kind == OrganisationKind.SOCIAL_COOP else "",
            ateco_division=division,
            employees=employees,
            computable_employees=round(employees * rng.uniform(0.8, 0.95)) if rng.random() < 0.5 else None,
            comune="Milano" if in_milan else rng.choice(OTHER_COMUNI),
            municipio=rng.choice(Municipio.values) if in_milan else None,
            address=f"{rng.choice(STREETS)} {rng.randint(1, 200)}",
            contact_name=f"Ufficio del personale – {organisation.name[:60]}",
            contact_role="Responsabile risorse umane",
            phone=f"02 {rng.randint(1000000, 9999999)}",
            needs=need if rng.random() < 0.7 else "",
        )
        profile.refresh_derived()
        # Most employers with a quota have covered part of it; about a third none.
        profile.law68_covered = rng.choice([0, rng.randint(0, profile.law68_quota)]) if profile.law68_quota else 0
        profile.save()
        added += 1
        if scouts:
            contacts += _contacts_for(profile, rng=rng, today=today, scouts=scouts, favourite=favourite)
    EmployerContact.objects.bulk_create(contacts, batch_size=500)
    return added
