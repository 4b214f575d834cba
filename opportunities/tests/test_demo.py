"""demo/employers.py: realistic, consistent with the quota rule, idempotent."""

import random

from django.utils import timezone

from demo.employers import build_employers
from demo.network import build_network
from opportunities.models import EmployerContact, EmployerProfile
from opportunities.quota import law68_quota, places_to_fill


def test_demo_employers_are_consistent_and_idempotent(db):
    build_network(persons=0)
    today = timezone.localdate()
    added = build_employers(rng=random.Random(7321), today=today, count=60)
    assert added == EmployerProfile.objects.count() == 60
    employers = list(EmployerProfile.objects.select_related("organisation"))
    for employer in employers:
        assert "esempio" in employer.organisation.name.lower()
        assert employer.law68_quota == law68_quota(employer.quota_base)
        assert employer.law68_open == places_to_fill(employer.law68_quota, employer.law68_covered)
        assert employer.ateco_section
    sizes = [employer.employees for employer in employers]
    assert any(size < 15 for size in sizes) and any(size > 50 for size in sizes)
    assert any(employer.law68_open for employer in employers)  # a scouting list to show
    assert EmployerProfile.objects.filter(organisation__name="Esempio Logistica S.p.A.", ateco_division="52").exists()
    contacts = EmployerContact.objects.all()
    assert contacts.exists()
    assert all(contact.contacted_on <= today for contact in contacts)
    assert contacts.filter(operator__username="operatore.sacco").exists()
    before = (EmployerProfile.objects.count(), contacts.count())
    assert build_employers(rng=random.Random(7321), today=today, count=60) == 0
    assert (EmployerProfile.objects.count(), EmployerContact.objects.count()) == before
