"""The Law 68/1999 reserve quota (quota di riserva): how many disabled workers an employer must employ.

Pure functions, no database. The rule and its sources are written out in docs/employers.md:

- Law 68/1999, art. 3 c. 1 (as in force): public and private employers must employ workers of the categories of
  art. 1 (disabled persons) in the measure of
  (c) one worker if they employ 15 to 35 employees,
  (b) two workers if they employ 36 to 50,
  (a) 7% of the employed workers if they employ more than 50.
- Law 68/1999, art. 4 c. 1 says which employees count (the "base di computo"): employees on a contract of
  employment, except among others the disabled workers employed under this law, fixed-term contracts of up to six
  months, members of production cooperatives, managers (dirigenti), agency workers at the user, workers abroad,
  home workers. Part-time workers count in proportion to their hours (DPR 333/2000, art. 3). The caller passes
  this base, not the plain headcount.
- DPR 333/2000 (the implementing regulation), art. 3: in computing the quota, percentage fractions above 0.50
  count as a unit. So 7% of 57 = 3.99 is 4, 7% of 64 = 4.48 is 4 and 7% of 65 = 4.55 is 5. Exactly 0.50 does not
  round up.
"""

SMALL_MIN = 15  # from 15 employees: one worker
SMALL_MAX = 35
MEDIUM_MAX = 50  # 36 to 50: two workers; above 50: 7%
PERCENT = 7


def law68_quota(computable_employees: int) -> int:
    """The number of disabled workers an employer with this base of computable employees must employ.

    0 below 15; 1 for 15–35; 2 for 36–50; above 50, 7% with fractions above 0.50 rounded up (DPR 333/2000).
    """
    if computable_employees is None or computable_employees < 0:
        raise ValueError("The number of computable employees must be zero or more.")
    if computable_employees < SMALL_MIN:
        return 0
    if computable_employees <= SMALL_MAX:
        return 1
    if computable_employees <= MEDIUM_MAX:
        return 2
    # Integer arithmetic, no float rounding: 7·n/100 rounded up only when the remainder exceeds 50 hundredths.
    whole, hundredths = divmod(PERCENT * computable_employees, 100)
    return whole + (1 if hundredths > 50 else 0)


def places_to_fill(quota: int, covered: int) -> int:
    """Places of the quota still open: never below zero (covering more than the quota is allowed)."""
    return max(0, quota - max(0, covered))
