"""Scoring an assessment: a pure function of a normalised definition and the answers.

Domains are the sum or mean of their items' values; a reversed item counts as (min + max − value), with min
and max of its scale. Items not answered are left out; a domain with no answered item has no score. The total
is the sum or mean of the domains it names (never clinical ones), and the band is the last one whose `min`
is at most the total: a total exactly on a threshold belongs to the band that starts there.
"""

from decimal import ROUND_HALF_UP, Decimal

from assessments.choices import ItemType, ScoringMethod

PLACES = Decimal("0.01")


def _round(value: Decimal) -> float:
    return float(value.quantize(PLACES, rounding=ROUND_HALF_UP))


def item_value(item: dict, answer) -> Decimal | None:
    """The numeric value of one answer, reversed when the item says so; None when unanswered or unscored."""
    if answer in (None, "", []):
        return None
    if item["type"] in (ItemType.ORDINAL, ItemType.SINGLE_CHOICE):
        values = {o["code"]: o.get("value") for o in item["options"]}
        raw = values.get(str(answer))
        if raw is None:
            return None
        value = Decimal(str(raw))
        if item.get("reverse"):
            numbers = [Decimal(str(v)) for v in values.values() if v is not None]
            value = min(numbers) + max(numbers) - value
        return value
    if item["type"] == ItemType.NUMBER:
        try:
            value = Decimal(str(answer))
        except ArithmeticError:
            return None
        if item.get("reverse"):
            value = Decimal(str(item["min"])) + Decimal(str(item["max"])) - value
        return value
    return None


def _aggregate(values: list[Decimal], method: str) -> Decimal | None:
    if not values:
        return None
    total = sum(values, Decimal(0))
    return total / len(values) if method == ScoringMethod.MEAN else total


def band_for(bands: list[dict], value: float | None) -> str | None:
    """The code of the band `value` falls in: the last band whose min is ≤ value (thresholds are inclusive)."""
    if value is None:
        return None
    found = None
    for band in bands:
        if Decimal(str(value)) >= Decimal(str(band["min"])):
            found = band["code"]
    return found


def score(definition: dict, answers: dict) -> dict:
    """{"domains": {id: {"score", "band", "answered", "items"}}, "total": x|None, "band": code|None}."""
    items = {item["id"]: item for section in definition["sections"] for item in section["items"]}
    scoring = definition["scoring"]
    domains: dict[str, dict] = {}
    exact: dict[str, Decimal | None] = {}
    for domain in scoring["domains"]:
        values = [
            value for ref in domain["items"] if (value := item_value(items[ref], (answers or {}).get(ref))) is not None
        ]
        result = _aggregate(values, domain["method"])
        exact[domain["id"]] = result
        rounded = _round(result) if result is not None else None
        domains[domain["id"]] = {
            "score": rounded,
            "band": band_for(domain.get("bands") or [], rounded),
            "answered": len(values),
            "items": len(domain["items"]),
        }
    total = band = None
    if scoring.get("total"):
        parts = [exact[ref] for ref in scoring["total"]["domains"] if exact.get(ref) is not None]
        if parts and len(parts) == len(scoring["total"]["domains"]):
            value = _aggregate(parts, scoring["total"]["method"])
            total = _round(value)
            band = band_for(scoring.get("bands") or [], total)
    return {"domains": domains, "total": total, "band": band}
