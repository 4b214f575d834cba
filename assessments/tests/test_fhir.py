"""FHIR export: every instrument version is a valid R4 Questionnaire, every assessment a QuestionnaireResponse."""

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from assessments import fhir, services
from assessments.tests.conftest import EMPLOYABILITY_CLINICAL, EMPLOYABILITY_NON_CLINICAL


@pytest.mark.parametrize("code", ["employability", "skills_balance", "icf_vocational"])
def test_each_instrument_is_a_valid_questionnaire(instruments, code):
    resource = fhir.questionnaire(instruments[code])
    parsed = Questionnaire.model_validate(resource)
    assert parsed.url == f"{fhir.BASE_URL}/Questionnaire/{code}"
    assert parsed.version == "1"
    link_ids = []

    def walk(items):
        for item in items or []:
            link_ids.append(item.linkId)
            walk(item.item)

    walk(parsed.item)
    assert len(link_ids) == len(set(link_ids))


def test_icf_items_carry_their_icf_code(instruments):
    resource = fhir.questionnaire(instruments["icf_vocational"])
    activities = next(s for s in resource["item"] if s["linkId"] == "activities")
    assert activities["item"][0]["code"] == [{"system": fhir.ICF_SYSTEM, "code": "d155"}]


def test_ordinal_options_carry_their_value(instruments):
    resource = Questionnaire.model_validate(fhir.questionnaire(instruments["employability"]))
    first_item = resource.item[0].item[0]
    assert first_item.answerOption[0].extension[0].url == fhir.ORDINAL_EXT


def test_an_assessment_is_a_valid_response_without_clinical_items_unless_allowed(cast, person_a, instruments):
    version = instruments["employability"]
    draft = services.assessment_start(actor=cast.clinician_a, person=person_a, version=version)
    answers = {
        **EMPLOYABILITY_NON_CLINICAL,
        **EMPLOYABILITY_CLINICAL,
        "mo_time": ["part_time", "flexible"],
        "wh_years": 4,
        "wh_jobs": [{"job_role": "Magazziniere", "job_group": "9", "job_from": "2019-01-01", "job_to": "2020-06-30"}],
    }
    done = services.assessment_save(actor=cast.clinician_a, assessment=draft, version=1, answers=answers, complete=True)
    full = QuestionnaireResponse.model_validate(fhir.questionnaire_response(done, include_clinical=True))
    assert full.status == "completed"
    assert full.questionnaire.endswith("employability|1")
    sections = {s.linkId: s for s in full.item}
    assert "clinical" in sections
    jobs = next(i for i in sections["work_history"].item if i.linkId == "wh_jobs")
    assert {child.linkId for child in jobs.item} == {
        "wh_jobs.job_role",
        "wh_jobs.job_group",
        "wh_jobs.job_from",
        "wh_jobs.job_to",
    }
    time = next(i for i in sections["motivation"].item if i.linkId == "mo_time")
    assert [a.valueCoding.code for a in time.answer] == ["part_time", "flexible"]

    limited = fhir.questionnaire_response(done, include_clinical=False)
    QuestionnaireResponse.model_validate(limited)
    assert "clinical" not in {s["linkId"] for s in limited["item"]}
    assert "Ricovero" not in str(limited)


def test_a_draft_is_in_progress(cast, person_a, instruments):
    draft = services.assessment_start(actor=cast.operator_a, person=person_a, version=instruments["skills_balance"])
    resource = QuestionnaireResponse.model_validate(fhir.questionnaire_response(draft, include_clinical=False))
    assert resource.status == "in-progress"
    assert resource.item is None
