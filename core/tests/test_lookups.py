"""`field__any` answers what `field__in` answers, whatever the values, and on PostgreSQL sends them as one array."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.testing.cast import make_person
from people.models import Consent, Person


@pytest.fixture
def registry(cast):
    born = [datetime.date(1980, 1, 1), datetime.date(1990, 6, 15), datetime.date(1990, 6, 15)]
    return [make_person(registered_by=cast.org_a, birth_date=day) for day in born]


def same(queryset_in, queryset_any) -> None:
    assert sorted(queryset_any.values_list("pk", flat=True)) == sorted(queryset_in.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "values",
    [
        lambda people: [p.pk for p in people[:2]],  # plain ints
        lambda people: {p.pk for p in people},  # a set
        lambda people: (p.pk for p in people[1:]),  # a generator, read once
        lambda people: [str(p.pk) for p in people[:2]],  # text for an integer key: prepared as Django prepares it
        lambda people: [people[0].pk, None, people[0].pk],  # None and repeats
        lambda people: [None],
        lambda people: [],
        lambda people: [10**9],  # no such row
    ],
)
def test_keys_answer_as_in(registry, values):
    same(Person.objects.filter(pk__in=list(values(registry))), Person.objects.filter(pk__any=values(registry)))


def test_codes_dates_and_foreign_keys_answer_as_in(cast, registry):
    codes = [registry[0].fiscal_code, registry[2].fiscal_code, "NOTACODE"]
    same(Person.objects.filter(fiscal_code__in=codes), Person.objects.filter(fiscal_code__any=codes))
    days = [datetime.date(1990, 6, 15)]
    same(Person.objects.filter(birth_date__in=days), Person.objects.filter(birth_date__any=days))
    assert Person.objects.filter(birth_date__any=days).count() == 2
    # A datetime is a date subclass: prepared by the field, as Django does, not sent as it is.
    moment = [datetime.datetime(1990, 6, 15, 0, 0)]
    same(Person.objects.filter(birth_date__in=moment), Person.objects.filter(birth_date__any=moment))
    orgs = [cast.org_a.pk, cast.org_b.pk]
    same(Person.objects.filter(registered_by__in=orgs), Person.objects.filter(registered_by__any=orgs))
    same(Person.objects.filter(registered_by_id__in=orgs), Person.objects.filter(registered_by_id__any=orgs))
    assert Person.objects.filter(registered_by_id__any=orgs).count() == 3
    # Records for a relation, as with `in`.
    same(Person.objects.filter(registered_by__in=[cast.org_a]), Person.objects.filter(registered_by__any=[cast.org_a]))
    assert Person.objects.filter(registered_by__any=[cast.org_b]).count() == 0


def test_a_subquery_answers_as_in(registry):
    inner = Person.objects.filter(birth_date=datetime.date(1990, 6, 15)).values("pk")
    same(Person.objects.filter(pk__in=inner), Person.objects.filter(pk__any=inner))
    assert not Consent.objects.filter(person__any=inner).exists()


def test_excluded_as_in(registry):
    keys = [registry[0].pk]
    same(Person.objects.exclude(pk__in=keys), Person.objects.exclude(pk__any=keys))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array form is PostgreSQL's")
def test_on_postgresql_one_statement_text_whatever_the_count(registry):
    with CaptureQueriesContext(connection) as queries:
        list(Person.objects.filter(pk__any=[registry[0].pk]))
        list(Person.objects.filter(pk__any=[p.pk for p in registry]))
    first, second = (query["sql"] for query in queries.captured_queries)
    assert "= ANY(" in first
    assert first.split("ANY(")[0] == second.split("ANY(")[0]
