"""Synthetic persons with their consents, cases and referrals, generated in Python and bulk-inserted.

Every row respects the models' constraints: one open case per person, unit and area; a closed case
has a date and a reason; an accepted referral has its case, a rejected one its reason; a consent is
withdrawn after it was given; a waiting referral rests on a consent still in force.
"""

import datetime
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import cycle

from django.db import transaction
from django.utils import timezone

from cases.choices import Area, CaseStatus, ClosingReason, ReferralStatus
from cases.models import Case, Referral
from demo import datasets
from demo.fiscal import fiscal_code
from demo.network import MENTAL_HEALTH, Network
from people.choices import ConsentPurpose, DiagnosisGroup, Education, ShareSection
from people.models import Consent, Person

BATCH = 2000

# Seed 000's cohort: F20–F29 40%, F60–F69 26%, F30–F39 22%, F40–F48 8%; the other 4% spread thin.
DIAGNOSIS_SHARES = {
    DiagnosisGroup.F20_F29: 40.0,
    DiagnosisGroup.F60_F69: 26.0,
    DiagnosisGroup.F30_F39: 22.0,
    DiagnosisGroup.F40_F48: 8.0,
    DiagnosisGroup.F10_F19: 1.5,
    DiagnosisGroup.F50_F59: 1.0,
    DiagnosisGroup.F70_F79: 0.75,
    DiagnosisGroup.F90_F98: 0.5,
    DiagnosisGroup.F00_F09: 0.25,
}
EDUCATION_WEIGHTS = {
    Education.NONE: 2,
    Education.PRIMARY: 5,
    Education.LOWER_SECONDARY: 38,
    Education.VOCATIONAL: 17,
    Education.UPPER_SECONDARY: 30,
    Education.TERTIARY: 8,
}
CLOSING_WEIGHTS = {
    ClosingReason.GOALS_MET: 35,
    ClosingReason.TRANSFERRED: 15,
    ClosingReason.DROP_OUT: 8,
    ClosingReason.PERSON_CHOICE: 17,
    ClosingReason.MOVED: 10,
    ClosingReason.DECEASED: 1,
    ClosingReason.OTHER: 14,
}
STREETS = [
    "Via Roma",
    "Via Garibaldi",
    "Via Mazzini",
    "Via Verdi",
    "Via Dante",
    "Corso Italia",
    "Via Manzoni",
    "Via Cavour",
    "Via Marconi",
    "Via Matteotti",
    "Via Gramsci",
    "Viale Europa",
    "Via Volta",
]
JOBS = [
    "magazziniere",
    "addetto alle pulizie",
    "commesso",
    "aiuto cuoco",
    "operaio metalmeccanico",
    "impiegato d'ordine",
    "barista",
    "giardiniere",
    "addetto al call center",
    "operatore ecologico",
]
REJECTIONS = [
    "La persona non risiede nel territorio di competenza.",
    "Posti esauriti per il percorso richiesto: si propone di ripresentare tra tre mesi.",
    "Manca la valutazione di collocabilità (SIAL) aggiornata.",
    "La persona ha scelto un altro servizio.",
]
REASONS = {
    Area.WORK: [
        "Richiesta di percorso di inserimento lavorativo.",
        "Valutazione per tirocinio extra-curricolare.",
        "Orientamento e bilancio di competenze.",
    ],
    Area.HOUSING: ["Richiesta di supporto all'abitare.", "Sfratto in corso: serve una soluzione abitativa."],
}


@dataclass
class Quotas:
    """Scenarios the demo must show whatever the size, and the demo operators' caseloads still to fill."""

    niguarda_inbox: int = 0  # waiting referrals ASST FBF Sacco → Polo Lavoro Niguarda
    sacco_cps_pending: int = 0  # waiting referrals CPS Sacco → Polo Lavoro Sacco
    caseload: dict[int, int] = field(default_factory=dict)  # user id -> open cases still to assign


@dataclass
class Chunk:
    """The rows of one batch, inserted in dependency order."""

    persons: list[Person] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)


def exact_allocation(shares: dict, n: int, rng: random.Random) -> list:
    """`n` values in the given percentage shares (largest remainder), shuffled."""
    total = sum(shares.values())
    raw = {key: n * share / total for key, share in shares.items()}
    counts = {key: int(value) for key, value in raw.items()}
    for key in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[: n - sum(counts.values())]:
        counts[key] += 1
    values = [key for key, count in counts.items() for _ in range(count)]
    rng.shuffle(values)
    return values


def _aware(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A moment in office hours of `day`, in the project's time zone."""
    moment = datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` earlier (28 February for a 29 February that does not exist then)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters only, for synthetic e-mail addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _weighted(rng: random.Random, weights: dict):
    """One key of `weights`, drawn in proportion to its value."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Generator:
    """Builds persons and everything hanging from them for one run of seed_demo."""

    def __init__(self, *, net: Network, rng: random.Random, today: datetime.date, used_codes: set[str]):
        self.net, self.rng, self.today, self.used_codes = net, rng, today, used_codes
        self.comuni = datasets.comuni()
        self.birth_weights = [c.birth_weight for c in self.comuni]
        self.residence = {
            group: [c for c in self.comuni if c.residence_of == group]
            for group in {c.residence_of for c in self.comuni}
        }
        self.specs = {spec.key: spec for spec in MENTAL_HEALTH}
        self.org_weights = {spec.key: spec.share for spec in MENTAL_HEALTH}
        self.staff_cycles = {key: cycle(users) for key, users in net.staff.items()}
        self.quotas = Quotas()
        u = net.users
        for username in ("operatore.sacco", "operatore.niguarda", "coordinatore.sacco"):
            target = rng.randint(15, 25) if username.startswith("operatore") else rng.randint(3, 6)
            managed = Case.objects.filter(case_manager=u[username], closed_on__isnull=True).count()
            self.quotas.caseload[u[username].pk] = max(0, target - managed)

    # -- helpers --------------------------------------------------------------------------------------

    def staff(self, unit_key: str):
        """The next generated staff member of a unit (round robin)."""
        return next(self.staff_cycles[unit_key])

    def day_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        """A day in [start, end] (start when the range is empty)."""
        span = (end - start).days
        return start + datetime.timedelta(days=self.rng.randint(0, span)) if span > 0 else start

    def case_manager(self, unit_key: str, *, open_case: bool):
        """A demo operator while their caseload is not full, else a generated colleague of the unit."""
        if open_case:
            for username in ("operatore.sacco", "coordinatore.sacco", "operatore.niguarda"):
                user = self.net.users[username]
                membership_unit = "sacco-pl" if username.endswith("sacco") else "niguarda-pl"
                if membership_unit == unit_key and self.quotas.caseload.get(user.pk, 0) > 0:
                    self.quotas.caseload[user.pk] -= 1
                    return user
        return self.staff(unit_key)

    def new_case(
        self, chunk: Chunk, person: Person, unit_key: str, area: str, opened: datetime.date, *, open_share: float = 0.65
    ) -> Case:
        """A case of `person` in a unit, open or closed."""
        unit = self.net.units[unit_key]
        # A case opened in the last month cannot have closed yet (closing comes 30 days later at the earliest).
        is_open = self.rng.random() < open_share or opened > self.today - datetime.timedelta(days=31)
        case = Case(
            person=person,
            organisation=unit.organisation,
            unit=unit,
            area=area,
            opened_on=opened,
            case_manager=self.case_manager(unit_key, open_case=is_open),
        )
        if not is_open:
            case.status = CaseStatus.CLOSED
            case.closed_on = self.day_between(opened + datetime.timedelta(days=30), self.today)
            case.closing_reason = _weighted(self.rng, CLOSING_WEIGHTS)
        chunk.cases.append(case)
        return case

    def new_consent(
        self,
        chunk: Chunk,
        person: Person,
        org_key: str,
        purpose: str,
        given: datetime.date,
        *,
        recorder_org: str,
        sections=(),
    ) -> Consent:
        """A consent recorded by an operator of the registering organisation."""
        recorder_unit = f"{recorder_org}-pl"
        consent = Consent(
            person=person,
            purpose=purpose,
            organisation=self.net.orgs[org_key],
            sections=list(sections),
            given_on=given,
            recorded_by=self.staff(recorder_unit),
            recorded_by_organisation=self.net.orgs[recorder_org],
        )
        chunk.consents.append(consent)
        return consent

    def new_referral(
        self,
        chunk: Chunk,
        person: Person,
        from_key: str,
        to_key: str,
        area: str,
        consent: Consent,
        status: str,
        *,
        sent_by=None,
        decided_by=None,
    ) -> Referral:
        """A referral in `status`; a waiting one was sent in the last month, a decided one earlier."""
        from_unit, to_unit = self.net.units[from_key], self.net.units[to_key]
        earliest = consent.given_on
        if status == ReferralStatus.SENT:
            sent = max(earliest, self.today - datetime.timedelta(days=self.rng.randint(0, 30)))
        else:
            sent = self.day_between(earliest, self.today - datetime.timedelta(days=1))
        referral = Referral(
            person=person,
            from_unit=from_unit,
            to_unit=to_unit,
            from_organisation=from_unit.organisation,
            to_organisation=to_unit.organisation,
            area=area,
            reason=self.rng.choice(REASONS[area]),
            consent=consent,
            status=status,
            sent_at=_aware(sent, self.rng),
            sent_by=sent_by or self.staff(from_key),
        )
        if status != ReferralStatus.SENT:
            latest = min(self.today, sent + datetime.timedelta(days=30))
            decided = min(self.today, self.day_between(sent + datetime.timedelta(days=1), latest))
            moment = max(_aware(decided, self.rng), referral.sent_at)
            if status == ReferralStatus.WITHDRAWN:
                referral.withdrawn_at = moment
            else:
                referral.decided_at, referral.decided_by = moment, decided_by or self.staff(to_key)
            if status == ReferralStatus.REJECTED:
                referral.rejection_reason = self.rng.choice(REJECTIONS)
            elif status == ReferralStatus.ACCEPTED:
                referral.case = self.new_case(chunk, person, to_key, area, decided, open_share=0.75)
        chunk.referrals.append(referral)
        return referral

    # -- persons --------------------------------------------------------------------------------------

    def new_person(self, org_key: str, diagnosis: str, serial: int) -> Person:
        """A person registered by `org_key`, with a fiscal code no other person has."""
        rng = self.rng
        sex = "M" if rng.random() < 0.58 else "F"  # job-inclusion cohorts of the DSMD are mostly men
        first, last = rng.choice(datasets.first_names(sex)), rng.choice(datasets.surnames())
        # Ages 18–65 today.
        oldest = years_before(self.today, 66) + datetime.timedelta(days=1)
        youngest = years_before(self.today, 18)
        birth = self.day_between(oldest, youngest)
        place = rng.choices(self.comuni, weights=self.birth_weights)[0]
        code = fiscal_code(last_name=last, first_name=first, sex=sex, birth_date=birth, belfiore=place.belfiore)
        while code in self.used_codes:  # another person has these data: move the birth date
            birth = birth - datetime.timedelta(days=1) if birth > oldest else birth + datetime.timedelta(days=1)
            code = fiscal_code(last_name=last, first_name=first, sex=sex, birth_date=birth, belfiore=place.belfiore)
        self.used_codes.add(code)

        spec = self.specs[org_key]
        municipio, comune = None, "Milano"
        if spec.municipi:
            municipio = rng.choice(spec.municipi)
        else:
            comune = rng.choice(self.residence[spec.residence]).name
        registered = rng.random() < 0.35
        invalidity = rng.randint(46, 100) if registered else (rng.randint(10, 45) if rng.random() < 0.1 else None)
        return Person(
            fiscal_code=code,
            first_name=first,
            last_name=last,
            sex=sex,
            birth_date=birth,
            birth_place=place.name,
            birth_place_code=place.belfiore,
            citizenship="Italiana",
            residence_comune=comune,
            residence_municipio=municipio,
            address=f"{rng.choice(STREETS)}, {rng.randint(1, 180)}",
            phone=f"+39 000 {serial % 10_000_000:07d}",  # the 000 prefix is never assigned: clearly fake
            email=f"{ascii_slug(first)}.{ascii_slug(last)}.{serial}@example.org",  # reserved domain (RFC 2606)
            education=_weighted(rng, EDUCATION_WEIGHTS),
            work_history=(f"Esperienze come {rng.choice(JOBS)}." if rng.random() < 0.6 else ""),
            civil_invalidity_percent=invalidity,
            law68_registered=registered,
            law68_registered_on=(
                self.day_between(max(years_before(birth, -18), years_before(self.today, 10)), self.today)
                if registered
                else None
            ),
            diagnosis_group=diagnosis,
            registered_by=self.net.orgs[org_key],
        )

    def sharing_targets(self, org_key: str, milan: bool) -> list[str]:
        """One or two organisations the person agrees to share the record with."""
        rng = self.rng
        other_asst = rng.choice([k for k in self.specs if k != org_key])
        weights = {"comune": 5 if milan else 0.5, "coop": 2, "ets1": 1.5, "ets2": 1, other_asst: 2, "company1": 0.5}
        first = _weighted(rng, weights)
        if rng.random() < 0.4:
            weights.pop(first)
            return [first, _weighted(rng, weights)]
        return [first]

    def populate(self, chunk: Chunk, person: Person, org_key: str) -> None:
        """Consents, cases and referrals of one new person."""
        rng, today, q = self.rng, self.today, self.quotas
        adult = years_before(person.birth_date, -18) + datetime.timedelta(days=1)
        reg = max(adult, today - datetime.timedelta(days=rng.randint(20, 6 * 365)))
        reg = min(reg, today)
        pl, cps = f"{org_key}-pl", f"{org_key}-cps"
        first_referral = len(chunk.referrals)
        care = self.new_consent(chunk, person, org_key, ConsentPurpose.CARE, reg, recorder_org=org_key)
        if rng.random() < 0.7:
            self.new_consent(chunk, person, "ats", ConsentPurpose.STATISTICS, reg, recorder_org=org_key)
        sharing: dict[str, Consent] = {}
        if rng.random() < 0.85:
            for target in self.sharing_targets(org_key, person.residence_municipio is not None):
                sections = rng.sample(ShareSection.values, rng.randint(1, 3))
                sharing[target] = self.new_consent(
                    chunk,
                    person,
                    target,
                    ConsentPurpose.SHARING,
                    self.day_between(reg, reg + datetime.timedelta(days=60))
                    if reg + datetime.timedelta(days=60) <= today
                    else reg,
                    recorder_org=org_key,
                    sections=sections,
                )

        if org_key == "sacco" and q.niguarda_inbox > 0:
            # A person moving to Niguarda's area: Sacco's Polo Lavoro hands the work path over.
            q.niguarda_inbox -= 1
            consent = sharing.get("niguarda") or self.new_consent(
                chunk,
                person,
                "niguarda",
                ConsentPurpose.SHARING,
                reg,
                recorder_org=org_key,
                sections=[ShareSection.CONTACTS, ShareSection.SOCIAL],
            )
            self.new_case(chunk, person, pl, Area.WORK, reg, open_share=1.0)
            self.new_referral(
                chunk,
                person,
                pl,
                "niguarda-pl",
                Area.WORK,
                consent,
                ReferralStatus.SENT,
                sent_by=self.net.users["operatore.sacco"],
            )
        elif org_key == "sacco" and q.sacco_cps_pending > 0:
            q.sacco_cps_pending -= 1
            self.new_referral(
                chunk, person, cps, pl, Area.WORK, care, ReferralStatus.SENT, sent_by=self.net.users["clinico.sacco"]
            )
        else:
            roll = rng.random()
            if roll < 0.80:
                if rng.random() < 0.4:  # taken in charge on the CPS's referral
                    self.new_referral(chunk, person, cps, pl, Area.WORK, care, ReferralStatus.ACCEPTED)
                else:
                    self.new_case(chunk, person, pl, Area.WORK, reg)
            elif roll < 0.90:
                status = _weighted(
                    rng, {ReferralStatus.SENT: 5, ReferralStatus.REJECTED: 3, ReferralStatus.WITHDRAWN: 2}
                )
                self.new_referral(chunk, person, cps, pl, Area.WORK, care, status)

        statuses = {
            ReferralStatus.ACCEPTED: 45,
            ReferralStatus.SENT: 20,
            ReferralStatus.REJECTED: 20,
            ReferralStatus.WITHDRAWN: 15,
        }
        for target, consent in sharing.items():
            if target in self.specs and rng.random() < 0.3:
                self.new_referral(chunk, person, pl, f"{target}-pl", Area.WORK, consent, _weighted(rng, statuses))
            elif target == "comune" and rng.random() < 0.35:
                to_key, area = ("comune-celav", Area.WORK) if rng.random() < 0.7 else ("comune-social", Area.HOUSING)
                self.new_referral(chunk, person, pl, to_key, area, consent, _weighted(rng, statuses))
            elif target == "coop" and rng.random() < 0.3:
                self.new_referral(chunk, person, pl, "coop-unit", Area.WORK, consent, ReferralStatus.ACCEPTED)
            elif target in ("ets1", "ets2") and rng.random() < 0.2:
                area = Area.PREVENTION if rng.random() < 0.5 else Area.HOUSING
                self.new_case(chunk, person, f"{target}-unit", area, self.day_between(consent.given_on, today))
        if person.residence_municipio is not None and rng.random() < 0.02:
            self.new_case(chunk, person, "comune-social", Area.JUSTICE, self.day_between(reg, today))

        # Some people withdraw a sharing consent that no referral relies on.
        relied_on = {id(r.consent) for r in chunk.referrals[first_referral:]}
        for consent in sharing.values():
            if id(consent) not in relied_on and rng.random() < 0.04:
                consent.withdrawn_on = self.day_between(consent.given_on, today)

    def chunks(self, count: int) -> Iterator[Chunk]:
        """`count` new persons, BATCH at a time, with their consents, cases and referrals."""
        diagnoses = exact_allocation(DIAGNOSIS_SHARES, count, self.rng)
        orgs = exact_allocation(self.org_weights, count, self.rng)
        # The scenarios every demo shows, a few even in tiny runs.
        self.quotas.niguarda_inbox = min(12, max(3, count // 200))
        self.quotas.sacco_cps_pending = min(6, max(2, count // 400))
        serial = len(self.used_codes)
        for start in range(0, count, BATCH):
            chunk = Chunk()
            for i in range(start, min(start + BATCH, count)):
                person = self.new_person(orgs[i], diagnoses[i], serial + i)
                chunk.persons.append(person)
                self.populate(chunk, person, orgs[i])
            yield chunk


def insert(chunk: Chunk) -> None:
    """Insert one chunk in dependency order, in one transaction."""
    with transaction.atomic():
        Person.objects.bulk_create(chunk.persons, batch_size=BATCH)
        Consent.objects.bulk_create(chunk.consents, batch_size=BATCH)
        Case.objects.bulk_create(chunk.cases, batch_size=BATCH)
        Referral.objects.bulk_create(chunk.referrals, batch_size=BATCH)
