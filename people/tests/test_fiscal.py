"""Fiscal-code checks: form, check character, omocodia and consistency with the other identity data."""

import datetime

import pytest
from codicefiscale import codicefiscale

from people.fiscal import birth_place_code, fiscal_code_errors, normalise_fiscal_code

MARIO = "RSSMRA80A01F205X"  # Mario Rossi, male, born in Milan on 1 January 1980
BORN = datetime.date(1980, 1, 1)


def omocode_of(code: str, *, letters: int = 1) -> str:
    """The code with its last `letters` digits replaced as the Agenzia delle Entrate does for omocodia."""
    variants = [c for c in codicefiscale.decode(code)["omocodes"] if c != code]
    for variant in variants:
        if sum(1 for a, b in zip(variant[:15], code[:15], strict=True) if a != b) == letters:
            return variant
    raise AssertionError("no variant")


def test_a_valid_code_with_matching_data_has_no_errors():
    assert fiscal_code_errors(MARIO, sex="M", birth_date=BORN, birth_place="Milano") == {}


def test_spaces_and_lower_case_are_normalised():
    assert normalise_fiscal_code(" rss mra 80a01 f205x ") == MARIO
    assert fiscal_code_errors("rss-mra-80a01-f205x", sex="M") == {}


@pytest.mark.parametrize("code", ["RSSMRA80A01F205", "RSSMRA80A01F205XX", ""])
def test_wrong_length(code):
    assert "16" in fiscal_code_errors(code)["fiscal_code"][0]


@pytest.mark.parametrize("code", ["RSSMRA80Z01F205X", "1SSMRA80A01F205X", "RSSMRA80A01F205!"])
def test_wrong_shape(code):
    assert list(fiscal_code_errors(code)) == ["fiscal_code"]


def test_wrong_check_character():
    errors = fiscal_code_errors("RSSMRA80A01F205A")
    assert "carattere di controllo" in errors["fiscal_code"][0]


@pytest.mark.parametrize("letters", [1, 2, 3])
def test_omocodic_codes_are_valid_and_decode_to_the_same_birth(letters):
    code = omocode_of(MARIO, letters=letters)
    assert code != MARIO
    decoded = codicefiscale.decode(code)
    assert fiscal_code_errors(code, sex="M", birth_date=BORN, birth_place=decoded["birthplace"]["name"]) == {}


def test_omocodic_code_compared_on_what_it_decodes_to():
    code = omocode_of(MARIO, letters=1)  # the last digit of the place became a letter
    assert fiscal_code_errors(code, sex="F", birth_date=datetime.date(1980, 1, 2))
    assert set(fiscal_code_errors(code, sex="F", birth_date=datetime.date(1980, 1, 2))) == {"sex", "birth_date"}


def test_woman_day_plus_forty():
    code = codicefiscale.encode(
        lastname="Bianchi", firstname="Anna", gender="F", birthdate="15/03/1975", birthplace="Milano"
    )
    assert code[9:11] == "55"
    assert fiscal_code_errors(code, sex="F", birth_date=datetime.date(1975, 3, 15), birth_place="Milano") == {}
    assert "sex" in fiscal_code_errors(code, sex="M")


def test_birth_date_mismatch_is_on_the_birth_date_field():
    errors = fiscal_code_errors(MARIO, sex="M", birth_date=datetime.date(1980, 1, 2), birth_place="Milano")
    assert list(errors) == ["birth_date"]


def test_birth_place_mismatch_and_unknown_place():
    assert list(fiscal_code_errors(MARIO, birth_place="Torino")) == ["birth_place"]
    assert "non riconosciuto" in fiscal_code_errors(MARIO, birth_place="Atlantide")["birth_place"][0]


def test_born_abroad():
    code = codicefiscale.encode(
        lastname="El Amrani", firstname="Youssef", gender="M", birthdate="03/07/1990", birthplace="Marocco"
    )
    assert code[11:15] == "Z330" == birth_place_code("Marocco")
    assert fiscal_code_errors(code, sex="M", birth_date=datetime.date(1990, 7, 3), birth_place="Marocco") == {}


def _sample_codes(count: int, seed: int) -> list[str]:
    """Codes over every kind of place and date: each cadastral code's periods and their edges, births a century
    back, omocodic variants, impossible dates and wrong check characters."""
    import random
    import re

    rng = random.Random(seed)
    places = sorted(code for code in codicefiscale._get_data()["codes"] if re.fullmatch(r"[A-Z]\d{3}", code))
    codes = []
    for _ in range(count):
        place = rng.choice(places)
        kind = rng.random()
        if kind < 0.1:
            # around a period's edge of the place, where the library's fallbacks decide
            option = rng.choice(codicefiscale._get_data()["codes"][place])
            edge = option["date_deleted"] or option["date_created"]
            day = datetime.date.fromisoformat(edge[:10]) + datetime.timedelta(days=rng.randint(-2, 2))
        else:
            day = datetime.date(1900, 1, 1) + datetime.timedelta(days=rng.randint(0, 46000))
        sex = rng.choice("MF")
        body = f"{rng.choice(['RSS', 'BNC', 'XYZ'])}{rng.choice(['MRA', 'LCU', 'GNN'])}"
        body += codicefiscale.encode_birthdate(datetime.datetime(day.year, day.month, day.day), sex) + place
        if kind > 0.9:
            body = body[:9] + rng.choice(["00", "32", "71", "30"]) + body[11:]  # impossible days, some in February
        code = body + codicefiscale.encode_cin(body)
        if 0.8 < kind <= 0.85:
            code = code[:15] + ("A" if code[15] != "A" else "B")
        elif 0.85 < kind <= 0.9:
            omocodes = codicefiscale.decode(code)["omocodes"] if _library(code) else []
            code = rng.choice(omocodes) if omocodes else code
        codes.append(code)
    return codes


def _library(code: str) -> dict | None:
    try:
        return codicefiscale.decode(code)
    except ValueError:
        return None


@pytest.mark.parametrize("seed", [1, 2])
def test_decode_agrees_with_python_codicefiscale(seed):
    """people.fiscal.decode reads sex, birth date and birth place as python-codicefiscale's decode does, and
    refuses the same codes, over places of every period and dates a century back."""
    from people.fiscal import decode

    compared = refused = 0
    for code in _sample_codes(600, seed):
        ours, theirs = decode(code), _library(code)
        if theirs is None:
            assert ours is None, code
            refused += 1
            continue
        assert ours is not None, code
        assert ours["gender"] == theirs["gender"], code
        assert ours["birthdate"] == theirs["birthdate"], code
        for key in ("code", "name", "province", "date_created", "date_deleted"):
            assert ours["birthplace"][key] == theirs["birthplace"][key], (code, key)
        compared += 1
    assert compared > 400 and refused > 30  # both sides of the rule were exercised
