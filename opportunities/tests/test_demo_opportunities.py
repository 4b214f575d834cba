"""demo/opportunities.py: about 1,500 consistent opportunities, work profiles and proposals, idempotent."""

import random

from django.utils import timezone

from demo.assessments import seed_assessments
from demo.employers import build_employers
from demo.network import build_network
from demo.opportunities import build_candidates, build_opportunities
from demo.population import Generator, insert
from opportunities import services
from opportunities.models import Opportunity, Proposal, WorkProfile
from people.models import Consent


def test_demo_opportunities_profiles_and_proposals(db):
    today = timezone.localdate()
    net = build_network(persons=120)
    build_employers(rng=random.Random(7), today=today, count=40)
    assert build_opportunities(rng=random.Random(7), today=today, count=300) == 300
    for chunk in Generator(net=net, rng=random.Random(7), today=today, used_codes=set()).chunks(120):
        insert(chunk)
    seed_assessments(rng=random.Random(7), today=today)
    added = build_candidates(rng=random.Random(7), today=today, proposal_share=0.8)
    assert added["profiles"] == WorkProfile.objects.count() > 0
    assert added["proposals"] == Proposal.objects.count() > 0
    opportunities = list(Opportunity.objects.all())
    kinds = {o.kind for o in opportunities}
    assert kinds == {"course", "internship", "job", "law68", "volunteering"}
    for opportunity in opportunities:  # the services' validation accepts every demo row
        services._validate_opportunity(opportunity)
    for profile in WorkProfile.objects.select_related("person"):
        services._validate_work_profile(profile)
    for proposal in Proposal.objects.select_related("opportunity"):
        assert Consent.objects.filter(person=proposal.person_id, purpose="company_contact").exists()
        assert proposal.opportunity.status == "open"
        accepted = proposal.opportunity.proposals.filter(status="accepted").count()
        assert accepted <= proposal.opportunity.seats
    assert Proposal.objects.filter(status="accepted").exists()
    assert build_opportunities(rng=random.Random(7), today=today, count=300) == 0
    assert build_candidates(rng=random.Random(7), today=today)["profiles"] == 0
