"""Reads of the person registry that pages, the API and services share."""

import datetime
import unicodedata
from difflib import SequenceMatcher

from people.models import Person


def person_list_for(user):
    """The live persons `user` may see, with what the list pages show."""
    return (
        Person.objects.restrict(user, "view").select_related("registered_by").order_by("last_name", "first_name", "pk")
    )


def fold_name(text: str) -> str:
    """Lower case without accents, apostrophes or spaces: "D'Alò Maria" and "Dalo maria" compare equal."""
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch)).lower()


def names_look_alike(first_a: str, last_a: str, first_b: str, last_b: str) -> bool:
    """Two names that are probably the same person's: typing errors, accents, swapped first and last name."""
    a = (fold_name(first_a), fold_name(last_a))
    b = (fold_name(first_b), fold_name(last_b))
    if a == b or a == (b[1], b[0]):
        return True
    whole = SequenceMatcher(None, a[1] + a[0], b[1] + b[0]).ratio()
    swapped = SequenceMatcher(None, a[1] + a[0], b[0] + b[1]).ratio()
    return max(whole, swapped) >= 0.8


def likely_duplicates(
    user, *, first_name: str, last_name: str, birth_date: datetime.date | None, exclude_pk: int | None = None
) -> list[Person]:
    """Persons visible to `user` born the same day with a similar name: offered for merge before registering.

    Only visible records are offered; a record the user may not see is never hinted at by name.
    """
    if not birth_date or not (first_name or last_name):
        return []
    candidates = Person.objects.restrict(user, "view").filter(birth_date=birth_date).select_related("registered_by")
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    return [
        person
        for person in candidates[:200]
        if names_look_alike(first_name, last_name, person.first_name, person.last_name)
    ]


def live_person_with_fiscal_code(fiscal_code: str) -> Person | None:
    """The live record with this fiscal code anywhere in the network (for the uniqueness check only)."""
    return Person.objects.live().filter(fiscal_code=fiscal_code).first()
