"""The ATECO 2007 data file: complete at its two levels and consistent."""

from django.utils import translation

from opportunities import ateco


def test_the_file_has_the_21_sections_and_88_divisions_of_ateco_2007():
    assert [entry.code for entry in ateco.sections()] == list("ABCDEFGHIJKLMNOPQRSTU")
    assert len(ateco.divisions()) == 88
    assert all(entry.section in ateco.entries() for entry in ateco.divisions())


def test_divisions_belong_to_their_section():
    assert ateco.section_of("01") == "A"
    assert ateco.section_of("46") == "G"
    assert ateco.section_of("56") == "I"
    assert ateco.section_of("99") == "U"
    assert ateco.section_of("04") == ""  # not a division of ATECO 2007
    assert ateco.section_of("G") == ""


def test_titles_follow_the_language():
    entry = ateco.entries()["56"]
    with translation.override("it"):
        assert entry.title == "Attività dei servizi di ristorazione"
    with translation.override("en"):
        assert entry.title == "Food and beverage service activities"
