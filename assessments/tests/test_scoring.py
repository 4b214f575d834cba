"""Scoring is a pure function: sums and means per domain, reverse items, bands exactly at their thresholds."""

import pytest

from assessments.definitions import normalise, parse_file
from assessments.loader import INSTRUMENTS_DIR
from assessments.scoring import band_for, score
from assessments.tests.conftest import EMPLOYABILITY_CLINICAL, EMPLOYABILITY_NON_CLINICAL

T = {"it": "x", "en": "x"}


def tiny(method="mean"):
    scale = [{"code": str(v), "value": v, "label": T} for v in range(1, 6)]
    return normalise(
        {
            "code": "tiny",
            "title": T,
            "description": T,
            "source": T,
            "licence": T,
            "fill_roles": ["operator"],
            "scales": {"five": scale},
            "sections": [
                {
                    "id": "s",
                    "title": T,
                    "items": [
                        {"id": "a", "type": "ordinal", "scale": "five", "text": T},
                        {"id": "b", "type": "ordinal", "scale": "five", "text": T, "reverse": True},
                        {"id": "n", "type": "number", "min": 0, "max": 10, "reverse": True, "text": T},
                    ],
                }
            ],
            "scoring": {
                "domains": [
                    {"id": "d", "method": method, "items": ["a", "b"], "label": T},
                    {"id": "e", "method": "sum", "items": ["n"], "label": T},
                ],
                "total": {"method": "sum", "domains": ["d"], "label": T},
                "bands": [
                    {"min": 1, "code": "low", "label": T},
                    {"min": 3, "code": "mid", "label": T},
                    {"min": 4.5, "code": "high", "label": T},
                ],
            },
        }
    )


def test_a_reverse_item_counts_min_plus_max_minus_its_value():
    result = score(tiny(), {"a": "5", "b": "1"})
    assert result["domains"]["d"]["score"] == 5.0  # (5 + (1+5-1)) / 2
    assert score(tiny(), {"a": "1", "b": "5"})["domains"]["d"]["score"] == 1.0


def test_a_reversed_number_uses_its_min_and_max():
    assert score(tiny(), {"n": 3})["domains"]["e"]["score"] == 7.0


def test_sum_and_mean():
    assert score(tiny("sum"), {"a": "4", "b": "2"})["domains"]["d"]["score"] == 8.0
    assert score(tiny("mean"), {"a": "4", "b": "2"})["domains"]["d"]["score"] == 4.0


@pytest.mark.parametrize(
    ("a", "b", "total", "band"),
    [
        ("1", "5", 1.0, "low"),
        ("2", "3", 2.5, "low"),
        ("3", "3", 3.0, "mid"),  # exactly on the threshold of "mid"
        ("4", "2", 4.0, "mid"),
        ("5", "2", 4.5, "high"),  # exactly on the threshold of "high"
        ("5", "1", 5.0, "high"),
    ],
)
def test_bands_start_at_their_threshold(a, b, total, band):
    result = score(tiny(), {"a": a, "b": b})  # the mean of a and the reversed b
    assert (result["total"], result["band"]) == (total, band)


def test_band_thresholds_are_inclusive_and_exact():
    bands = [{"min": 1, "code": "low"}, {"min": 2.5, "code": "mid"}, {"min": 3.25, "code": "high"}]
    assert band_for(bands, 2.49) == "low"
    assert band_for(bands, 2.5) == "mid"
    assert band_for(bands, 3.24) == "mid"
    assert band_for(bands, 3.25) == "high"
    assert band_for(bands, 0.5) is None
    assert band_for(bands, None) is None


def test_unanswered_items_are_left_out_and_an_empty_domain_has_no_score():
    result = score(tiny(), {"a": "4"})
    assert result["domains"]["d"] == {"score": 4.0, "band": None, "answered": 1, "items": 2}
    assert result["domains"]["e"]["score"] is None
    assert score(tiny(), {})["total"] is None


# ---------------------------------------------------------------------------------------------- shipped instruments


def shipped(code):
    return parse_file(INSTRUMENTS_DIR / f"{code}.yaml")


def test_employability_all_adequate_is_ready_with_support_and_ignores_the_clinical_domain():
    definition = shipped("employability")
    answers = {**EMPLOYABILITY_NON_CLINICAL, **EMPLOYABILITY_CLINICAL}
    result = score(definition, answers)
    assert result["domains"]["social_skills"]["score"] == 3.0  # the reverse item "sometimes" counts 3
    assert result["domains"]["autonomy"]["score"] == 3.0
    assert result["domains"]["clinical_stability"]["score"] == 1.5
    assert result["total"] == 3.0
    assert result["band"] == "supported"
    # The clinical domain does not move the total, and so cannot leak through the band.
    assert score(definition, EMPLOYABILITY_NON_CLINICAL)["total"] == 3.0


@pytest.mark.parametrize(
    ("level", "expected_total", "band"),
    [("1", 1.0, "preparatory"), ("2", 2.0, "preparatory"), ("4", 4.0, "open_market")],
)
def test_employability_bands(level, expected_total, band):
    definition = shipped("employability")
    answers = {key: level for key in EMPLOYABILITY_NON_CLINICAL}
    # Reverse items: "never" (1) is the best answer; give them the value that counts as `level`.
    answers["ss_conflicts"] = answers["au_reminders"] = str(5 - int(level))
    result = score(definition, answers)
    assert (result["total"], result["band"]) == (expected_total, band)


def test_employability_threshold_of_ready_with_support_is_exactly_2_5():
    definition = shipped("employability")
    # Six domains: three at 2 and three at 3 give exactly 2.5.
    answers = dict(EMPLOYABILITY_NON_CLINICAL)
    for key in ("wh_experience", "wh_recent", "ws_technical", "ws_punctuality", "ws_tasks"):
        answers[key] = "2"
    answers.update(ss_colleagues="2", ss_authority="2", ss_conflicts="3")  # reverse 3 counts 2
    result = score(definition, answers)
    assert result["domains"]["social_skills"]["score"] == 2.0
    assert result["total"] == 2.5
    assert result["band"] == "supported"


def test_employability_threshold_of_the_open_market_is_exactly_3_25():
    definition = shipped("employability")
    answers = dict(EMPLOYABILITY_NON_CLINICAL)
    answers.update(wh_experience="4", wh_recent="4")  # work history 4
    answers.update(mo_motivation="4", mo_realism="3")  # motivation 3.5
    # (4 + 3 + 3 + 3 + 3.5 + 3) / 6 = 19.5 / 6 = 3.25
    result = score(definition, answers)
    assert result["total"] == 3.25
    assert result["band"] == "open_market"


def test_skills_balance_domains_and_bands():
    definition = shipped("skills_balance")
    skills = ["ts_communication", "ts_teamwork", "ts_problem_solving", "ts_organisation", "ts_reliability"]
    skills += ["ts_adaptability", "ts_learning", "ts_stress"]
    answers = {key: "3" for key in skills} | {"ts_stress": "1", "ts_learning": "5"}
    answers |= {"mv_work": "4", "mv_training": "4", "mv_confidence": "4", "interest_groups": ["52", "91"]}
    result = score(definition, answers)
    assert result["domains"]["transversal_skills"]["score"] == 3.0
    assert result["domains"]["transversal_skills"]["band"] == "developing"
    assert result["domains"]["motivation"]["score"] == 4.0
    assert result["total"] == 3.5
    assert result["band"] == "potential"  # exactly on the threshold


def test_icf_qualifiers_8_and_9_are_not_scored_and_facilitators_count_negative():
    definition = shipped("icf_vocational")
    answers = {"d155": "1", "d175": "2", "d240": "3", "d720": "2", "d845": "8", "d850": "9"}
    answers |= {"e310": "+2", "e330": "0", "e580": "+4", "e590": "2", "b130": "3"}
    result = score(definition, answers)
    assert result["domains"]["activities"] == {"score": 2.0, "band": None, "answered": 4, "items": 6}
    assert result["domains"]["environment"]["score"] == -1.0
    assert result["domains"]["body_functions"]["score"] == 3.0
    assert result["total"] == 2.0
    assert result["band"] == "moderate"


@pytest.mark.parametrize(("value", "band"), [("0", "none"), ("1", "mild"), ("3", "severe"), ("4", "complete")])
def test_icf_bands(value, band):
    definition = shipped("icf_vocational")
    answers = {code: value for code in ("d155", "d175", "d240", "d720", "d845", "d850")}
    assert score(definition, answers)["band"] == band


def test_icf_band_threshold_at_one_and_a_half():
    definition = shipped("icf_vocational")
    answers = {"d155": "1", "d175": "2", "d240": "1", "d720": "2", "d845": "1", "d850": "2"}
    result = score(definition, answers)
    assert (result["total"], result["band"]) == (1.5, "moderate")
