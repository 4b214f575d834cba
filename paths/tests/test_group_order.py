"""A group's participants are listed enrolled first, then the waiting list in the order they joined it."""

from paths import selectors, services
from paths.choices import EnrolmentStatus
from paths.tests.test_services import _candidate
from paths.tests.test_services import group as group  # noqa: F401 (fixture)


def test_enrolled_first_then_the_waiting_list_in_order(cast, group):  # noqa: F811
    people = [_candidate(cast) for _ in range(4)]
    for person in people:
        services.enrol(actor=cast.operator_a, group=group, person=person, referring_unit=cast.unit_a)
    listed = list(selectors.group_participants(cast.operator_b, group))
    assert [e.status for e in listed] == [EnrolmentStatus.ENROLLED] * 2 + [EnrolmentStatus.WAITING] * 2
    assert [e.person for e in listed] == people
