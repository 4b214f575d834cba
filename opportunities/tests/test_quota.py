"""The Law 68/1999 quota at every threshold, and the rounding of the 7%."""

import pytest

from opportunities.quota import law68_quota, places_to_fill


@pytest.mark.parametrize(
    ("employees", "quota"),
    [
        (0, 0),
        (1, 0),
        (14, 0),  # below 15: no obligation
        (15, 1),
        (35, 1),
        (36, 2),
        (50, 2),
        (51, 4),  # 7% of 51 = 3.57: the fraction is above 0.50, so 4
        (57, 4),  # 3.99
        (64, 4),  # 4.48: fraction below 0.50
        (65, 5),  # 4.55
        (100, 7),
        (150, 10),  # 10.50: exactly 0.50 does not round up
        (1000, 70),
    ],
)
def test_quota_at_the_thresholds_of_law68_art3(employees, quota):
    assert law68_quota(employees) == quota


def test_exactly_half_stays_down_and_just_above_half_goes_up():
    # 7·n/100 has a fraction of exactly 0.50 at n = 50 + 100k/7 → n = 150 (10.50), and 0.57 at n = 51.
    assert law68_quota(150) == 10
    assert law68_quota(1150) == 80  # 80.50
    assert law68_quota(1151) == 81  # 80.57


def test_quota_never_decreases_as_the_employer_grows():
    quotas = [law68_quota(n) for n in range(0, 2000)]
    assert all(b >= a for a, b in zip(quotas, quotas[1:], strict=False))


def test_a_negative_base_is_refused():
    with pytest.raises(ValueError):
        law68_quota(-1)


@pytest.mark.parametrize(("quota", "covered", "open_places"), [(0, 0, 0), (2, 0, 2), (2, 1, 1), (2, 2, 0), (2, 5, 0)])
def test_places_to_fill_never_go_below_zero(quota, covered, open_places):
    assert places_to_fill(quota, covered) == open_places
