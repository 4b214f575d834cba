"""HL7 FHIR R4 export: an instrument version as a Questionnaire, an assessment as a QuestionnaireResponse.

Plain dicts in FHIR JSON; the tests validate them with the fhir.resources package (R4B models, whose
Questionnaire and QuestionnaireResponse match R4's). Clinical items are left out of a response unless the
caller says the reader may see them.
"""

from assessments.choices import AssessmentStatus, ItemType

BASE_URL = "https://ponte.example.org/fhir"
ORDINAL_EXT = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
TRANSLATION_EXT = "http://hl7.org/fhir/StructureDefinition/translation"
ITEM_CONTROL_EXT = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ICF_SYSTEM = "http://hl7.org/fhir/sid/icf"
FHIR_TYPES = {
    ItemType.SINGLE_CHOICE: "choice",
    ItemType.MULTIPLE_CHOICE: "choice",
    ItemType.ORDINAL: "choice",
    ItemType.DATE: "date",
    ItemType.TEXT: "text",
    ItemType.GROUP: "group",
}


def questionnaire_url(code: str) -> str:
    return f"{BASE_URL}/Questionnaire/{code}"


def _option_system(instrument_code: str, item_id: str) -> str:
    return f"{BASE_URL}/CodeSystem/{instrument_code}-{item_id}"


def _translated(text: dict) -> dict:
    """`text` in Italian with the English translation as an extension of the primitive."""
    return {
        "extension": [
            {
                "url": TRANSLATION_EXT,
                "extension": [{"url": "lang", "valueCode": "en"}, {"url": "content", "valueString": text["en"]}],
            }
        ]
    }


def _q_item(code: str, item: dict, prefix: str = "") -> dict:
    link_id = f"{prefix}{item['id']}"
    kind = item["type"]
    fhir_type = FHIR_TYPES.get(kind) or ("integer" if item.get("integer") else "decimal")
    out = {"linkId": link_id, "text": item["text"]["it"], "_text": _translated(item["text"]), "type": fhir_type}
    if item.get("code", "").startswith(("b", "d", "e", "s")) and code.startswith("icf"):
        out["code"] = [{"system": ICF_SYSTEM, "code": item["code"]}]
    if item["required"]:
        out["required"] = True
    if kind in (ItemType.MULTIPLE_CHOICE, ItemType.GROUP):
        out["repeats"] = True
    if item.get("options"):
        options = []
        for option in item["options"]:
            coding = {
                "system": _option_system(code, item["id"]),
                "code": option["code"],
                "display": option["label"]["it"],
            }
            entry = {"valueCoding": coding}
            if option.get("value") is not None:
                entry["extension"] = [{"url": ORDINAL_EXT, "valueDecimal": option["value"]}]
            options.append(entry)
        out["answerOption"] = options
    children = []
    if item.get("help"):
        children.append(
            {
                "linkId": f"{link_id}.help",
                "text": item["help"]["it"],
                "_text": _translated(item["help"]),
                "type": "display",
                "extension": [
                    {
                        "url": ITEM_CONTROL_EXT,
                        "valueCodeableConcept": {
                            "coding": [{"system": "http://hl7.org/fhir/questionnaire-item-control", "code": "help"}]
                        },
                    }
                ],
            }
        )
    for sub in item.get("items", []):
        children.append(_q_item(code, sub, prefix=f"{link_id}."))
    if children:
        out["item"] = children
    return out


def questionnaire(version) -> dict:
    """The FHIR R4 Questionnaire of an InstrumentVersion."""
    definition = version.definition
    code = definition["code"]
    return {
        "resourceType": "Questionnaire",
        "id": f"{code.replace('_', '-')}-v{version.number}",
        "url": questionnaire_url(code),
        "version": str(version.number),
        "name": "".join(part.capitalize() for part in code.split("_")),
        "title": definition["title"]["it"],
        "_title": _translated(definition["title"]),
        "status": "active",
        "date": version.loaded_at.isoformat(),
        "publisher": "Ponte",
        "description": definition["description"]["it"],
        "copyright": definition["licence"]["it"],
        "subjectType": ["Patient"],
        "item": [
            {
                "linkId": section["id"],
                "text": section["title"]["it"],
                "_text": _translated(section["title"]),
                "type": "group",
                "item": [_q_item(code, item) for item in section["items"]],
            }
            for section in definition["sections"]
        ],
    }


def _answers(code: str, item: dict, value, prefix: str = "") -> list[dict]:
    kind = item["type"]
    labels = {o["code"]: o["label"]["it"] for o in item.get("options", [])}
    if kind in (ItemType.SINGLE_CHOICE, ItemType.ORDINAL, ItemType.MULTIPLE_CHOICE):
        codes = value if isinstance(value, list) else [value]
        return [
            {"valueCoding": {"system": _option_system(code, item["id"]), "code": c, "display": labels.get(c, c)}}
            for c in codes
        ]
    if kind == ItemType.NUMBER:
        return [{"valueInteger": int(value)} if item.get("integer") else {"valueDecimal": value}]
    if kind == ItemType.DATE:
        return [{"valueDate": value}]
    return [{"valueString": str(value)}]


def questionnaire_response(assessment, *, include_clinical: bool) -> dict:
    """The FHIR R4 QuestionnaireResponse of an Assessment; clinical items only when `include_clinical`."""
    version = assessment.instrument_version
    code = version.definition["code"]
    sections = []
    for section in version.definition["sections"]:
        items = []
        for item in section["items"]:
            if item["clinical"] and not include_clinical:
                continue
            value = assessment.answers.get(item["id"])
            if value in (None, "", []):
                continue
            if item["type"] == ItemType.GROUP:
                for row in value:
                    children = [
                        {"linkId": f"{item['id']}.{sub['id']}", "answer": _answers(code, sub, row[sub["id"]])}
                        for sub in item["items"]
                        if row.get(sub["id"]) not in (None, "", [])
                    ]
                    items.append({"linkId": item["id"], "text": item["text"]["it"], "item": children})
            else:
                items.append({"linkId": item["id"], "text": item["text"]["it"], "answer": _answers(code, item, value)})
        if items:
            sections.append({"linkId": section["id"], "text": section["title"]["it"], "item": items})
    response = {
        "resourceType": "QuestionnaireResponse",
        "id": f"assessment-{assessment.pk}",
        "questionnaire": f"{questionnaire_url(code)}|{version.number}",
        "status": "completed" if assessment.status == AssessmentStatus.COMPLETED else "in-progress",
        "subject": {"reference": f"Patient/{assessment.person_id}"},
        "authored": (assessment.completed_at or assessment.updated_at).isoformat(),
        "author": {"reference": f"Practitioner/{assessment.author_id}"},
    }
    if sections:
        response["item"] = sections
    return response
