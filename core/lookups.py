"""`field__any=values`: the rows whose field is one of `values`, as `field__in` answers, for the batch services that
look up hundreds of keys at once (imports).

Django writes `IN (%s, %s, …)` with one parameter a value, preparing each value on its own; with 500 keys the
query's text differs with every count of keys, so that PostgreSQL plans it again and psycopg converts it again. On
PostgreSQL this lookup sends the values as one array, `field = ANY(%s)`: one text whatever the count, prepared once
(ADR 0022), and values of the field's own type (int keys, text codes, dates) go as they are. Elsewhere it is
Django's `IN`. None is never equal to anything, as with `IN`; no values at all match no row.
"""

import datetime

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject
from django.db.models.expressions import ColPairs
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In
from django.utils.datastructures import OrderedSet

# The fields whose values of this exact type Django's preparation would return unchanged, by internal type.
_PLAIN = {
    "AutoField": int,
    "BigAutoField": int,
    "SmallAutoField": int,
    "IntegerField": int,
    "BigIntegerField": int,
    "SmallIntegerField": int,
    "PositiveIntegerField": int,
    "PositiveBigIntegerField": int,
    "PositiveSmallIntegerField": int,
    "CharField": str,
    "TextField": str,
    "DateField": datetime.date,
}


def _plain_type(field) -> type | None:
    target = getattr(field, "target_field", None) if field.is_relation else field
    return _PLAIN.get(target.get_internal_type()) if target is not None else None


class _ArrayOfValues:
    """`IN` as `= ANY(array)` on PostgreSQL; mixed into Django's In and RelatedIn."""

    lookup_name = "any"

    def _plain(self) -> bool:
        kind = _plain_type(self.lhs.output_field)
        return kind is not None and all(type(value) is kind or value is None for value in self.rhs)

    def _values_given(self) -> bool:
        return self.rhs_is_direct_value() and not isinstance(self.lhs, ColPairs)

    def get_prep_lookup(self):
        if self._values_given():
            self.rhs = list(self.rhs)  # sets, generators and dict views, read once
            if self._plain():
                return self.rhs
        return super().get_prep_lookup()

    def as_postgresql(self, compiler, connection):
        if not self._values_given():
            return self.as_sql(compiler, connection)  # a subquery, or a key of several columns: Django's IN
        values = list(OrderedSet(value for value in self.rhs if value is not None))
        if not values:
            raise EmptyResultSet
        if not self._plain():
            field = self.lhs.output_field
            values = [field.get_db_prep_value(value, connection, prepared=True) for value in values]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


@Field.register_lookup
class AnyOf(_ArrayOfValues, In):
    pass


@ForeignObject.register_lookup
class RelatedAnyOf(_ArrayOfValues, RelatedIn):
    pass
