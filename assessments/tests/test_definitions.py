"""Validating instrument files: every problem reported with its place in the file; shipped data resolved."""

import copy

import pytest

from assessments.definitions import DefinitionError, content_hash, normalise, parse_file
from assessments.loader import INSTRUMENTS_DIR

T = {"it": "x", "en": "x"}


def base():
    return {
        "code": "demo_instrument",
        "title": T,
        "description": T,
        "source": T,
        "licence": T,
        "fill_roles": ["operator"],
        "sections": [
            {
                "id": "s",
                "title": T,
                "items": [
                    {
                        "id": "a",
                        "type": "ordinal",
                        "text": T,
                        "options": [{"code": "1", "value": 1, "label": T}, {"code": "2", "value": 2, "label": T}],
                    }
                ],
            }
        ],  # fmt: skip
        "scoring": {
            "domains": [{"id": "d", "items": ["a"], "label": T}],
            "total": {"method": "mean", "domains": ["d"], "label": T},
            "bands": [{"min": 1, "code": "low", "label": T}, {"min": 2, "code": "high", "label": T}],
        },
    }


def errors_of(raw) -> str:
    with pytest.raises(DefinitionError) as error:
        normalise(raw, source="x.yaml")
    return "\n".join(error.value.errors)


def test_a_valid_definition_loads():
    definition = normalise(base())
    assert definition["scoring"]["domains"][0]["clinical"] is False
    assert definition["sections"][0]["items"][0]["options"][1] == {"code": "2", "label": T, "value": 2}


def test_unknown_item_type_names_the_place_and_the_allowed_types():
    raw = base()
    raw["sections"][0]["items"][0]["type"] = "radio"
    message = errors_of(raw)
    assert "sections[0].items[0].type: unknown type 'radio'" in message
    assert "single_choice" in message


def test_texts_need_italian_and_english():
    raw = base()
    raw["title"] = {"it": "Titolo"}
    assert "title.en: missing or empty" in errors_of(raw)


def test_every_problem_is_reported_at_once():
    raw = base()
    raw["fill_roles"] = ["analyst"]
    raw["scoring"]["bands"][1]["min"] = 0
    raw["scoring"]["domains"][0]["items"] = ["nope"]
    message = errors_of(raw)
    assert "unknown role 'analyst'" in message
    assert "strictly increasing" in message
    assert "unknown item 'nope'" in message


def test_a_clinical_domain_cannot_enter_the_total():
    raw = base()
    raw["sections"][0]["items"][0]["clinical"] = True
    assert "domain 'd' is clinical and cannot enter the total" in errors_of(raw)


def test_ordinal_options_need_values_and_text_items_cannot_be_scored():
    raw = base()
    del raw["sections"][0]["items"][0]["options"][0]["value"]
    assert "every option of an ordinal scale needs a value" in errors_of(raw)
    raw = base()
    raw["sections"][0]["items"].append({"id": "t", "type": "text", "text": T})
    raw["scoring"]["domains"][0]["items"].append("t")
    assert "item 't' is of type text and cannot be scored" in errors_of(raw)


def test_a_group_needs_items_and_cannot_nest():
    raw = base()
    raw["sections"][0]["items"].append(
        {"id": "g", "type": "group", "text": T, "items": [{"id": "h", "type": "group", "text": T, "items": []}]}
    )
    assert "a repeating group cannot contain another group" in errors_of(raw)


def test_unknown_shared_option_list():
    raw = base()
    raw["sections"][0]["items"].append({"id": "m", "type": "multiple_choice", "options_from": "isco99", "text": T})
    assert "no shipped option list 'isco99'" in errors_of(raw)


def test_shipped_instruments_are_valid_and_resolve_isco_08():
    definitions = {path.stem: parse_file(path) for path in INSTRUMENTS_DIR.glob("*.yaml")}
    assert set(definitions) == {"employability", "skills_balance", "icf_vocational"}
    interests = next(
        item
        for s in definitions["skills_balance"]["sections"]
        for item in s["items"]
        if item["id"] == "interest_groups"
    )
    assert len(interests["options"]) == 43  # the ISCO-08 sub-major groups
    assert {"code": "52", "group": "5", "label": {"it": "Addetti alle vendite", "en": "Sales workers"}} in interests[
        "options"
    ]
    icf_codes = [
        item.get("code") for s in definitions["icf_vocational"]["sections"] for item in s["items"] if item.get("code")
    ]
    assert len(icf_codes) == 13  # the Brief ICF Core Set for vocational rehabilitation
    clinical_domains = [d["id"] for d in definitions["employability"]["scoring"]["domains"] if d["clinical"]]
    assert clinical_domains == ["clinical_stability"]


def test_the_hash_changes_with_the_content_only():
    first, second = normalise(base()), normalise(copy.deepcopy(base()))
    assert content_hash(first) == content_hash(second)
    changed = base()
    changed["sections"][0]["items"][0]["text"] = {"it": "y", "en": "y"}
    assert content_hash(normalise(changed)) != content_hash(first)


def test_sections_and_items_share_one_namespace():
    raw = base()
    raw["sections"][0]["items"][0]["id"] = "s"
    raw["scoring"]["domains"][0]["items"] = ["s"]
    assert "'s' is the id of both a section and an item" in errors_of(raw)
