"""demo/assessments.py: histories of assessments for part of the demo persons, consistent and idempotent."""

import datetime
import random

from assessments.models import Assessment, AssessmentRevision
from assessments.scoring import score
from core.testing.cast import make_case, make_person
from demo.assessments import seed_assessments


def test_seed_assessments_creates_scored_histories_once(cast):
    for _ in range(6):
        person = make_person(registered_by=cast.org_a)
        make_case(person=person, unit=cast.unit_a, case_manager=cast.operator_a, opened_on=datetime.date(2023, 1, 10))
    created = seed_assessments(rng=random.Random(3), today=datetime.date(2025, 6, 1), share=1.0)
    assert created >= 6
    assert Assessment.objects.values("person").distinct().count() == 6
    for assessment in Assessment.objects.select_related("instrument_version"):
        assert assessment.scores == score(assessment.definition, assessment.answers)
        assert assessment.organisation_id == cast.org_a.pk and assessment.assessed_on <= datetime.date(2025, 6, 1)
        assert assessment.is_draft == (assessment.completed_at is None)
    assert AssessmentRevision.objects.count() == created
    assert seed_assessments(rng=random.Random(3), today=datetime.date(2025, 6, 1), share=1.0) == 0
