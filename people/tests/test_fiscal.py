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
