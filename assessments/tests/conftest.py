"""Fixtures of the assessments tests: the shipped instruments loaded, and complete sets of answers."""

import pytest

from assessments.loader import load_instruments
from assessments.models import InstrumentVersion
from plans.vocabulary import load_vocabulary


@pytest.fixture
def instruments(db):
    load_vocabulary()  # items name its terms; `make run` loads it first too
    load_instruments()
    return {v.instrument.code: v for v in InstrumentVersion.objects.select_related("instrument")}


EMPLOYABILITY_NON_CLINICAL = {
    "wh_experience": "3",
    "wh_recent": "3",
    "ws_technical": "3",
    "ws_punctuality": "3",
    "ws_tasks": "3",
    "ss_colleagues": "3",
    "ss_authority": "3",
    "ss_conflicts": "2",  # reverse: counts 3
    "au_travel": "3",
    "au_selfcare": "3",
    "au_reminders": "2",  # reverse: counts 3
    "mo_motivation": "3",
    "mo_realism": "3",
    "nw_family": "3",
    "nw_informal": "3",
    "nw_services": "3",
}
EMPLOYABILITY_CLINICAL = {"cl_stability": "1", "cl_adherence": "2", "cl_admissions": 2, "cl_note": "Ricovero a marzo."}


@pytest.fixture
def employability_answers():
    return dict(EMPLOYABILITY_NON_CLINICAL)
