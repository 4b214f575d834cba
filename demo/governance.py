"""Demo agreements, protocols, meetings and decisions of the network's programmes (governance/).

Shaped on the seeds: PIR TR106's Cabina di Pilotaggio and monthly Poli Lavoro meetings (seed 000), the co-design
agreement of "Vivere in Salute Mentale" (seed 001), the Piano di Zona's protocols on integrated evaluations and
UVM sessions (seed 003), Melegnano Martesana's working table and protected admission/discharge protocol (seed 004).
No person data: UVM sessions are recorded as meetings, never with the persons evaluated. Dates near today are
relative to it, so that the home shows meetings to come, renewals due and overdue decisions.

Idempotent: agreements are found by title, meetings by title and organiser. Plain rows, no audit events
(seeding is not a user action). seed_demo calls `seed_governance(today=timezone.localdate())` after the paths; the
programmes are loaded first when they are not there yet (load_programmes is idempotent, so `make run` loading them
again changes nothing).
"""

import datetime

from django.db import transaction

from accounts.choices import Role
from accounts.models import Membership, Organisation, User
from demo.network import ORGANISATIONS
from governance.choices import AgreementStatus as S
from governance.choices import MeetingKind as K
from governance.models import Agreement, Decision, Meeting
from programmes.loader import load_programmes
from programmes.models import Programme

ALL_ASST = ("sacco", "niguarda", "spc", "policlinico", "nord", "lodi", "melegnano")


def _d(today: datetime.date, days: int) -> datetime.date:
    return today + datetime.timedelta(days=days)


def _agreements(today):
    """(programme code, title, party keys, status, signed on, renewal on, next priorities)."""
    return [
        ("pir-tr106-2019", "Protocollo d'intesa PIR TR106 tra le ASST della rete", ALL_ASST, S.SIGNED,
         datetime.date(2019, 3, 15), _d(today, 40),
         "Rinnovo per il nuovo triennio; indicatori comuni di esito dei percorsi."),
        ("pir-tr106-2019", "Accordo di collaborazione Poli Lavoro – CELAV", ("sacco", "niguarda", "comune"),
         S.DRAFTING, None, None, "Condividere le schede di invio e gli esiti dei percorsi."),
        ("vivere-in-salute-mentale", "Accordo di co-progettazione \"Vivere in Salute Mentale\"",
         ("comune", "ets1", "ets2", "coop", "sacco", "niguarda"), S.SIGNED, datetime.date(2024, 5, 20),
         datetime.date(2026, 12, 31), "Monitoraggio semestrale degli indicatori EECO01 e ISR4_2IT."),
        ("vivere-in-salute-mentale", "Protocollo con le scuole per la prevenzione e l'anti-stigma",
         ("comune", "ets1", "spc"), S.WORKING_GROUP, None, None, "Individuare gli istituti della prima annualità."),
        ("piano-di-zona-milano-integrazione", "Protocollo d'intesa sulle valutazioni integrate",
         ("comune", "ats", "sacco", "niguarda", "spc", "policlinico"), S.SIGNED, _d(today, -330), _d(today, 35),
         "Aggiornamento annuale del protocollo d'intesa."),
        ("piano-di-zona-milano-integrazione", "Protocollo operativo UVM \"Dopo di noi\" (L. 112/2016)",
         ("comune", "ats", "niguarda"), S.TO_RENEW, _d(today, -700), _d(today, -5),
         "Verifica annuale del protocollo operativo."),
        ("melegnano-martesana-2021-2023", "Protocollo d'Intesa ammissione/dimissione protetta",
         ("melegnano", "castellini", "ats"), S.SIGNED, datetime.date(2023, 6, 30), datetime.date(2026, 6, 30),
         "Estendere il protocollo ai comuni dell'Ambito della Martesana."),
        ("melegnano-martesana-2021-2023", "Protocollo per la valutazione multidimensionale (EVM)",
         ("melegnano", "ats"), S.DRAFTING, None, None, "Adottare il dizionario identikit comune."),
    ]  # fmt: skip


def _meetings(today):
    """(programme code, kind, title, date, organiser key, participant keys, agenda, minutes,
    [(decision, owner key, due in days from the meeting or None, done)])."""
    held = "Presenti i referenti delle organizzazioni partecipanti."
    return [
        ("pir-tr106-2019", K.CABINA, "Cabina di Pilotaggio PIR TR106 – avvio", datetime.date(2019, 2, 12), "sacco",
         ALL_ASST, "1. Avvio del programma\n2. Cronoprogramma\n3. Piattaforme trasversali",
         "Approvato il cronoprogramma; avviata la piattaforma Integr@lavoro.",
         [("Diffondere la brochure dei gruppi ai CPS", "sacco", 30, True)]),
        *[
            ("pir-tr106-2019", K.POLI_LAVORO, f"Riunione mensile dei Poli Lavoro ({n})", _d(today, -30 * n),
             "sacco", ALL_ASST, "Casi in attesa, opportunità aperte, gruppi del mese.",
             "Aggiornamento sulle opportunità e sui tirocini in corso.",
             [("Aggiornare il catalogo delle opportunità", "niguarda", 20, n == 3)])
            for n in (1, 2, 3)
        ],
        ("pir-tr106-2019", K.POLI_LAVORO, "Riunione mensile dei Poli Lavoro (prossima)", _d(today, 21), "sacco",
         ALL_ASST, "Programmazione dei gruppi del trimestre.", "", []),
        ("vivere-in-salute-mentale", K.CABINA, "Cabina di Pilotaggio \"Vivere in Salute Mentale\"",
         _d(today, -60), "comune", ("ets1", "ets2", "coop", "sacco", "niguarda"),
         "1. Stato di avanzamento per area\n2. Budget\n3. Eventi Milano4mentalhealth",
         "Confermato il budget per area; avviata la programmazione degli eventi cittadini.",
         [("Relazione sul sostegno all'abitare", "ets2", 30, False),
          ("Calendario degli eventi anti-stigma", "ets1", 90, False)]),
        ("vivere-in-salute-mentale", K.WORKING_TABLE, "Tavolo abitare e socialità", _d(today, 14), "comune",
         ("ets2", "coop"), "Pasti a domicilio e soggiorni terapeutici.", "", []),
        ("piano-di-zona-milano-integrazione", K.UVM, "Sessione UVM integrata – Municipio 8", _d(today, -45),
         "comune", ("niguarda",), "Valutazioni integrate del mese.",
         "Concluse le valutazioni in calendario; nessuna questione di servizio aperta.", []),
        ("piano-di-zona-milano-integrazione", K.UVM, "Sessione UVM integrata – Municipio 9", _d(today, -15),
         "comune", ("niguarda", "sacco"), "Valutazioni integrate del mese.",
         "Rinviata una valutazione per assenza dell'assistente sociale.",
         [("Garantire la presenza dell'assistente sociale di Municipio", "comune", 10, False)]),
        ("piano-di-zona-milano-integrazione", K.WORKING_TABLE, "Tavolo integrazione sociosanitaria",
         _d(today, -100), "ats", ("comune", "sacco", "niguarda", "spc", "policlinico"),
         "Flussi SISA–ATS e anagrafe delle unità d'offerta.", held,
         [("Proposta di tracciato per lo scambio dei dati", "ats", 60, True)]),
        *[
            ("melegnano-martesana-2021-2023", K.WORKING_TABLE, f"Tavolo ammissione/dimissione protetta ({n})",
             day, "melegnano", ("castellini", "ats"), "Percorsi di dimissione protetta.", held,
             [("Bozza del Protocollo d'Intesa", "melegnano", 120, True)] if n == 1 else [])
            for n, day in ((1, datetime.date(2022, 3, 15)), (2, datetime.date(2022, 9, 20)),
                           (3, datetime.date(2023, 2, 10)))
        ],
        ("melegnano-martesana-2021-2023", K.UVM, "Incontro EVM di Ambito", datetime.date(2023, 5, 4), "melegnano",
         ("ats",), "Organizzazione delle équipe EVM.", held, []),
    ]  # fmt: skip


def _participants(org_ids: list[int], limit: int = 4) -> list[int]:
    """Coordinators first, then other staff of the organisations: a few per meeting."""
    rows = (
        Membership.objects.filter(unit__organisation_id__in=org_ids, is_active=True)
        .exclude(role__in=[Role.SYSADMIN, Role.DPO, Role.ANALYST])
        .order_by("pk")
        .values_list("user_id", "role")
    )
    coordinators = [user for user, role in rows if role == Role.COORDINATOR]
    others = [user for user, role in rows if role != Role.COORDINATOR]
    return list(dict.fromkeys([*coordinators, *others]))[:limit]


@transaction.atomic
def seed_governance(*, today: datetime.date) -> dict[str, int]:
    """Create the missing demo agreements and meetings; returns how many were added."""
    if not Programme.objects.exists():
        load_programmes()
    names = {spec.key: spec.name for spec in ORGANISATIONS}
    orgs = {org.name: org for org in Organisation.objects.filter(name__in=names.values())}
    org = {key: orgs[name] for key, name in names.items() if name in orgs}
    programmes = {p.code: p for p in Programme.objects.all()}
    author = User.objects.filter(username="coordinatore.sacco").first() or User.objects.order_by("pk").first()
    added = {"agreements": 0, "meetings": 0}
    if author is None or "sacco" not in org:
        return added
    existing = set(Agreement.objects.values_list("title", flat=True))
    for code, title, parties, status, signed_on, renewal_on, priorities in _agreements(today):
        if title in existing:
            continue
        party_orgs = [org[key] for key in parties if key in org]
        agreement = Agreement.objects.create(
            title=title,
            programme=programmes.get(code),
            organisation=party_orgs[0],
            status=status,
            signed_on=signed_on,
            renewal_on=renewal_on,
            next_priorities=priorities,
            created_by=author,
        )
        agreement.parties.set(party_orgs)
        added["agreements"] += 1
    existing_meetings = set(Meeting.objects.values_list("title", "organisation_id"))
    for code, kind, title, day, organiser, taking_part, agenda, minutes, decisions in _meetings(today):
        if organiser not in org or (title, org[organiser].pk) in existing_meetings:
            continue
        others = [org[key] for key in taking_part if key in org and key != organiser]
        meeting = Meeting.objects.create(
            kind=kind,
            title=title,
            held_on=day,
            programme=programmes.get(code),
            organisation=org[organiser],
            agenda=agenda,
            minutes=minutes if day <= today else "",
            created_by=author,
        )
        meeting.organisations.set(others)
        meeting.participants.set(_participants([org[organiser].pk, *(o.pk for o in others)]))
        for text, owner, due_in, done in decisions:
            due_on = _d(day, due_in) if due_in is not None else None
            finished = done and due_on is not None and due_on <= today
            Decision.objects.create(
                meeting=meeting,
                text=text,
                owner_organisation=org.get(owner),
                due_on=due_on,
                done=finished,
                done_on=due_on if finished else None,
                done_by=author if finished else None,
            )
        added["meetings"] += 1
    return added
