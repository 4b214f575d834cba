"""Every kind of bad cell gives its own message, on its row and column; the usual spellings are read."""

import datetime

import pytest

from imports import cells
from imports.cells import CellError
from imports.choices import RowAction
from imports.tests.files import csv_bytes, person_row
from imports.tests.test_services import errors_of, preview

LUISA = "BRVLSU88D52F205H"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("birth_date", "1988-13-45", "is not a day of the calendar"),
        ("birth_date", "12/04/88", "write the year with four digits"),
        ("birth_date", "dodici aprile", "is not a date: write it as dd/mm/yyyy"),
        ("birth_date", "", "Required: fill in this cell."),
        ("last_name", "", "Required: fill in this cell."),
        ("source_id", "", "Required: fill in this cell."),
        ("fiscal_code", "", "Required: fill in this cell."),
        ("fiscal_code", "BRVLSU88D52F205", "A fiscal code has 16 characters; this one has 15."),
        ("fiscal_code", "BRVLSU88D52F205Q", "The check character is wrong"),
        ("fiscal_code", "1234567890123456", "This is not the form of a fiscal code"),
        ("sex", "X", "“X” is not a known value. Write one of: F, M"),
        ("education", "asilo", "or map it to a Ponte value on the mappings page"),
        ("residence_municipio", "12", "is not a Milan municipio: write a number from 1 to 9"),
        ("civil_invalidity_percent", "120", "120 is out of range: write a number from 0 to 100."),
        ("civil_invalidity_percent", "67,5", "write a whole number, without decimals"),
        ("civil_invalidity_percent", "molto", "is not a number: write digits only"),
        ("law68_registered", "forse", "write sì or no (x also means yes)"),
        ("email", "maria@", "is not an e-mail address"),
        ("phone", "1" * 41, "Too long: at most 40 characters, this cell has 41."),
        ("consent_care_given_on", "01/01/2999", "A consent cannot be dated in the future"),
        ("consent_care_withdrawn_on", "01/01/2019", "The withdrawal is dated before the consent was given"),
        ("consent_sharing_with", "Ente inesistente", "is not an organisation of the network"),
        ("consent_sharing_sections", "tutto", "is not a section: write contacts, social or cases"),
        ("diagnosis_group", "F20", "Only a clinician of the organisation may record the diagnosis group"),
    ],
)
def test_each_bad_cell_has_its_message_on_its_row_and_column(cast, column, value, message):
    row = person_row(fiscal_code=LUISA)
    if column.startswith("consent_sharing"):
        row.update({"consent_sharing_given_on": "01/03/2021", "consent_sharing_with": "ASST Niguarda"})
    row[column] = value
    run = preview(cast.coordinator_a, csv_bytes([person_row(source_id="900", last_name="Colombo"), row]))
    assert run.counts[RowAction.ERROR] == 1 and run.counts[RowAction.CREATE] == 1
    found = [(line, col, text) for line, col, text in errors_of(run) if col == column]
    assert found and found[0][0] == 3, errors_of(run)
    assert message in found[0][2]


def test_fiscal_code_disagreeing_with_the_birth_date_says_which_cell(cast):
    run = preview(cast.coordinator_a, csv_bytes([person_row(birth_date="13/04/1988", fiscal_code="BRVLSU88D52F205H")]))
    [(line, column, message)] = errors_of(run)
    assert (line, column) == (2, "birth_date")
    assert "does not match the fiscal code (which says 12/04/88)" in message


def test_sharing_with_ones_own_organisation_is_refused(cast):
    row = person_row(consent_sharing_with="ASST Fatebenefratelli Sacco", consent_sharing_given_on="01/03/2021")
    [(_line, column, message)] = errors_of(preview(cast.coordinator_a, csv_bytes([row])))
    assert column == "consent_sharing_with" and "Your organisation already treats the person" in message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" sì ", True),
        ("SI", True),
        ("si", True),
        ("x", True),
        ("X", True),
        ("1", True),
        ("no", False),
        ("NO", False),
        ("n", False),
        ("", None),
        (None, None),
    ],
)
def test_yes_no_spellings(raw, expected):
    assert cells.yes_no(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("25/03/1980", datetime.date(1980, 3, 25)),
        ("5/3/1980", datetime.date(1980, 3, 5)),
        ("25-03-1980", datetime.date(1980, 3, 25)),
        ("25.03.1980", datetime.date(1980, 3, 25)),
        ("1980-03-25", datetime.date(1980, 3, 25)),
        ("25/03/1980 00:00:00", datetime.date(1980, 3, 25)),
        (datetime.datetime(1980, 3, 25, 0, 0), datetime.date(1980, 3, 25)),
        ("  ", None),
    ],
)
def test_italian_dates(raw, expected):
    assert cells.date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [("67", 67), (" 67 ", 67), ("67,0", 67), ("67 %", 67), (67.0, 67), ("1.000,0", 1000)]
)
def test_numbers_with_decimal_commas(raw, expected):
    assert cells.whole_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [("3", 3), ("Municipio 3", 3), ("M3", 3), ("Municipio VIII", 8), (8.0, 8)]
)
def test_municipio_spellings(raw, expected):
    assert cells.municipio(raw) == expected


def test_text_is_trimmed_and_an_exports_apostrophe_removed():
    assert cells.text("  Rossi \t") == "Rossi"
    assert cells.text("'=SUM(A1)") == "=SUM(A1)"
    assert cells.text("'+39 02") == "+39 02"
    assert cells.text("D'Alò") == "D'Alò"
    with pytest.raises(CellError):
        cells.text("abc", max_length=2)


def test_spellings_of_coded_values_are_read(cast):
    row = person_row(sex="femmina", education="Licenza media", residence_municipio="Municipio 8", law68_registered="X")
    run = preview(cast.coordinator_a, csv_bytes([row]))
    assert run.counts[RowAction.CREATE] == 1, errors_of(run)
