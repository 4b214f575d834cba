"""seed_demo: idempotent, valid fiscal codes, working demo accounts, guarded by DEBUG, realistic shares."""

import datetime
import random
from collections import Counter

import pytest
from codicefiscale import codicefiscale
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Membership, Organisation, Territory, Unit, User
from assessments.models import Assessment
from cases.choices import ReferralStatus
from cases.models import Case, Referral
from demo.datasets import comuni
from demo.fiscal import fiscal_code
from demo.network import DEMO_ACCOUNTS, build_network
from demo.population import Generator
from people.choices import ConsentPurpose
from people.models import Consent, Person

pytestmark = pytest.mark.django_db

MODELS = [Territory, Organisation, Unit, User, Membership, Person, Consent, Case, Referral]


def seed(persons: int = 60, **options) -> None:
    """Run the command quietly with --force (pytest-django runs with DEBUG off)."""
    call_command("seed_demo", persons=persons, force=True, stdout=_Sink(), **options)


class _Sink:
    """A stdout that forgets what it is told."""

    def write(self, text: str) -> None:
        """Discard `text`."""


def counts() -> dict[str, int]:
    """Rows of every model the command writes."""
    return {model.__name__: model.objects.count() for model in MODELS}


def test_second_run_changes_nothing():
    seed()
    first = counts()
    passwords = dict(User.objects.values_list("username", "password"))
    seed()
    assert counts() == first
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert first["Person"] == 60


def test_no_persons_added_when_enough_exist():
    seed(persons=60)
    seed(persons=40)
    assert Person.objects.count() == 60


def test_refuses_with_debug_off_unless_forced():
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", persons=5, stdout=_Sink())
    assert Person.objects.count() == 0
    call_command("seed_demo", persons=5, force=True, stdout=_Sink())
    assert Person.objects.count() == 5


def test_fiscal_codes_are_valid_and_unique():
    seed()
    codes = list(Person.objects.values_list("fiscal_code", flat=True))
    assert len(set(codes)) == len(codes)
    assert all(codicefiscale.is_valid(code) for code in codes)


def test_fast_fiscal_code_matches_the_library_encode():
    seed(persons=20)
    for person in Person.objects.all():
        assert person.fiscal_code == codicefiscale.encode(
            lastname=person.last_name,
            firstname=person.first_name,
            gender=person.sex,
            birthdate=person.birth_date.strftime("%d/%m/%Y"),
            birthplace=person.birth_place,
        )


def test_comuni_codes_agree_with_the_library():
    for comune in comuni():
        code = fiscal_code(
            last_name="Rossi", first_name="Anna", sex="F", birth_date=timezone.localdate(), belfiore=comune.belfiore
        )
        assert codicefiscale.decode(code)["birthplace"]["name"].lower() == comune.name.lower()


def test_demo_accounts_log_in_with_the_demo_password(client, settings):
    seed(persons=10)
    for username in DEMO_ACCOUNTS:
        assert client.login(username=username, password=settings.PONTE_DEMO_PASSWORD), username
        client.logout()


def test_admin_is_a_superuser_with_a_sysadmin_membership():
    seed(persons=0)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.memberships.filter(role="sysadmin").exists()


def test_same_seed_same_people():
    """The generator is deterministic for a seed: two runs of it make the same persons (nothing is inserted)."""
    net = build_network(persons=30)

    def people(seed: int) -> list[tuple[str, str]]:
        generator = Generator(net=net, rng=random.Random(seed), today=datetime.date(2026, 11, 30), used_codes=set())
        return [(p.fiscal_code, p.diagnosis_group) for chunk in generator.chunks(30) for p in chunk.persons]

    first = people(11)
    assert len(first) == 30 and people(11) == first
    assert people(12) != first


def test_employers_and_assessments_come_with_the_demo():
    seed(persons=200)
    from opportunities.models import EmployerProfile

    assert EmployerProfile.objects.exists()
    assert Assessment.objects.filter(status="completed").exists()
    employers, assessments = EmployerProfile.objects.count(), Assessment.objects.count()
    seed(persons=200)
    assert (EmployerProfile.objects.count(), Assessment.objects.count()) == (employers, assessments)


def test_registry_only_makes_persons_and_nothing_of_the_other_apps():
    seed(persons=50, registry_only=True)
    from opportunities.models import EmployerProfile

    assert Person.objects.count() == 50 and Case.objects.exists()
    assert not EmployerProfile.objects.exists() and not Assessment.objects.exists()


def test_diagnosis_groups_follow_seed_000():
    seed(persons=1000)
    shares = Counter(Person.objects.values_list("diagnosis_group", flat=True))
    for group, expected in {"F20-F29": 0.40, "F60-F69": 0.26, "F30-F39": 0.22, "F40-F48": 0.08}.items():
        assert shares[group] / 1000 == pytest.approx(expected, abs=0.02), group
    assert sum(shares.values()) - sum(shares[g] for g in ("F20-F29", "F60-F69", "F30-F39", "F40-F48")) == 40


def test_niguarda_inbox_rests_on_active_sharing_consent():
    seed()
    niguarda = Organisation.objects.get(name="ASST Grande Ospedale Metropolitano Niguarda")
    operator = User.objects.get(username="operatore.niguarda")
    inbox_unit = operator.memberships.get().unit
    waiting = Referral.objects.filter(
        to_unit=inbox_unit, status=ReferralStatus.SENT, from_organisation__name="ASST Fatebenefratelli Sacco"
    )
    assert waiting.exists()
    for referral in waiting.select_related("consent"):
        assert referral.consent.purpose == ConsentPurpose.SHARING
        assert referral.consent.organisation == niguarda
        assert referral.consent.is_active()
        assert referral.consent.person_id == referral.person_id
        assert Person.objects.restrict(operator).filter(pk=referral.person_id).exists()


def test_cps_sacco_refers_to_polo_lavoro_sacco():
    seed()
    assert Referral.objects.filter(
        from_unit__name="CPS Sacco", to_unit__name="Polo Lavoro Sacco", status=ReferralStatus.SENT
    ).exists()


def test_demo_operators_have_a_caseload():
    seed(persons=2000)
    for username in ("operatore.sacco", "operatore.niguarda"):
        caseload = Case.objects.filter(case_manager__username=username, closed_on__isnull=True).count()
        assert 15 <= caseload <= 25, username


def test_case_managers_belong_to_the_case_unit():
    seed()
    for case in Case.objects.select_related("case_manager"):
        assert case.case_manager.memberships.filter(unit_id=case.unit_id).exists()


def test_referrals_in_every_state_and_consistent():
    seed(persons=300)
    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)
    for referral in Referral.objects.select_related("consent", "case"):
        assert referral.consent.given_on <= referral.sent_at.date()
        if referral.status == ReferralStatus.ACCEPTED:
            assert referral.case.unit_id == referral.to_unit_id
            assert referral.case.person_id == referral.person_id
        if referral.status == ReferralStatus.SENT:
            assert referral.consent.is_active()
