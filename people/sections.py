"""Which section of the record each field of a person belongs to: pages, API and services share this map."""

from people.choices import SECTION_CLINICAL, SECTION_IDENTITY, ShareSection

# Which section of the record each field belongs to. Identity fields are returned to whoever sees the person.
IDENTITY_FIELDS = (
    "fiscal_code",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_place",
    "birth_place_code",
    "citizenship",
)
SECTION_FIELDS = {
    ShareSection.CONTACTS.value: ("residence_comune", "residence_municipio", "address", "phone", "email"),
    ShareSection.SOCIAL.value: (
        "household",
        "household_role",
        "education",
        "work_history",
        "civil_invalidity_percent",
        "law68_registered",
        "law68_registered_on",
    ),
    ShareSection.CASES.value: ("cases",),
    SECTION_CLINICAL: ("diagnosis_group",),
}
FIELD_SECTION = {field: section for section, fields in SECTION_FIELDS.items() for field in fields}
ALL_SECTIONS = (SECTION_IDENTITY, *SECTION_FIELDS)
# Fields a client may write (household membership is managed elsewhere; `cases` is read-only).
WRITABLE_PROFILE_FIELDS = (
    "citizenship",
    "residence_comune",
    "residence_municipio",
    "address",
    "phone",
    "email",
    "education",
    "work_history",
    "civil_invalidity_percent",
    "law68_registered",
    "law68_registered_on",
    "diagnosis_group",
)


def fields_in_sections(sections) -> set[str]:
    """The field names of a person that a user with `sections` may read or write."""
    names = set(IDENTITY_FIELDS)
    for section in sections:
        names |= set(SECTION_FIELDS.get(section, ()))
    return names
