"""Matching benchmark (issue 4, part 10): 50,000 opportunities and 20,000 candidates, in memory.

Usage: .venv/bin/python bench/matching.py [--opportunities 50000] [--candidates 20000] [--samples 50] [--workers N]

Measures the matching function itself (opportunities/matching.py) on synthetic facts shaped like the demo data:
the top 20 opportunities for one candidate and the top 20 candidates for one opportunity (median and 95th
percentile over --samples random picks, indexes built once, as a long-running worker keeps them), and the batch
of the top 20 for every candidate (`matching.top_opportunities_for_all`: wall time with --workers processes, and the
CPU time they used, which says more than the wall time on a shared machine). Reading the facts from the database
is not included; it is reported separately by the page benchmark. Prints a markdown table; writes nothing.
"""

import argparse
import datetime
import gc
import os
import random
import statistics
import sys
import time
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from opportunities import matching, skills  # noqa: E402

TODAY = datetime.date(2026, 11, 30)
KINDS = ["job"] * 30 + ["internship"] * 30 + ["law68"] * 15 + ["course"] * 15 + ["volunteering"] * 10
# Common entry-level ISCO-08 groups weigh more, as in the network's demand.
ISCO = ["93"] * 8 + ["91"] * 6 + ["52"] * 6 + ["94"] * 5 + ["41"] * 5 + ["42"] * 3 + ["53"] * 3 + ["82"] * 2
ISCO += ["9321", "9112", "5223", "4110", "43", "44", "51", "71", "72", "96", "33", "35", "25", "13"]
SECTORS = ["47", "46", "56", "55", "52", "53", "62", "63", "69", "73", "81", "82", "64", "10", "26", "28", "43", "86"]
AREAS = [f"M{n}" for n in range(1, 10)] + ["sesto san giovanni", "rho", "lodi", "monza", "cinisello balsamo"]
BANDS = ["", "preparatory", "supported", "open_market"]

_INDEX = None


def opportunities(rng: random.Random, n: int) -> list[matching.OpportunityFacts]:
    vocabulary = sorted(skills.codes())
    rows = []
    for i in range(1, n + 1):
        area = rng.choice(AREAS)
        areas = matching.area_keys(municipio=int(area[1])) if area.startswith("M") else frozenset({area})
        kind = rng.choice(KINDS)
        required = tuple(rng.sample(vocabulary, rng.randint(0, 3)))
        rows.append(
            matching.OpportunityFacts(
                opportunity_id=i,
                kind=kind,
                occupation="" if kind == "course" else rng.choice(ISCO),
                sector=rng.choice(SECTORS),
                areas=areas,
                hours=rng.choice([None, 12, 16, 20, 25, 30, 36, 40]),
                days=frozenset(rng.choice([[], [1, 2, 3, 4, 5], [1, 3, 5], [6, 7]])),
                starts_on=TODAY + datetime.timedelta(days=rng.randint(-60, 150)),
                ends_on=rng.choice([None, TODAY + datetime.timedelta(days=rng.randint(30, 365))]),
                seats_left=rng.choice([0, 1, 1, 2, 3]),
                required_skills=required,
                desired_skills=tuple(s for s in rng.sample(vocabulary, rng.randint(0, 2)) if s not in required),
            )
        )
    return rows


def candidates(rng: random.Random, n: int) -> list[matching.CandidateFacts]:
    vocabulary = sorted(skills.codes())
    rows = []
    for i in range(1, n + 1):
        isco = list(dict.fromkeys(rng.choice(ISCO) for _ in range(rng.randint(1, 3))))
        wishes = tuple(("isco", c) for c in isco) + tuple(("ateco", s) for s in rng.sample(SECTORS, rng.randint(0, 2)))
        rows.append(
            matching.CandidateFacts(
                person_id=i,
                wishes=wishes,
                skills={s: rng.randint(1, 5) for s in rng.sample(vocabulary, rng.randint(4, 12))},
                max_hours=rng.choice([None, 20, 25, 30, 36, 40]),
                days=frozenset(rng.choice([[], [], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6]])),
                areas=frozenset(rng.sample(AREAS, rng.randint(2, 6))) if rng.random() < 0.7 else frozenset(),
                available_from=rng.choice([None, TODAY + datetime.timedelta(days=rng.randint(0, 60))]),
                law68_registered=rng.random() < 0.4,
                readiness=rng.choice(BANDS),
            )
        )
    return rows


def _timed(fn, items) -> list[float]:
    times = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _batch_part(people) -> tuple[int, float]:
    """The results and the CPU seconds of one worker's share of the batch."""
    started = time.process_time()
    results = sum(len(top) for _c, top in matching.top_opportunities_for_all(people, _INDEX, today=TODAY, limit=20))
    return results, time.process_time() - started


def main() -> None:
    global _INDEX
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--opportunities", type=int, default=50_000)
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=7321)
    parser.add_argument(
        "--batch", type=int, default=0, help="run the batch on this many candidates and extrapolate (0: all)"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool, people = opportunities(rng, args.opportunities), candidates(rng, args.candidates)

    started = time.perf_counter()
    _INDEX = matching.OpportunityIndex(pool)
    people_index = matching.CandidateIndex(people, today=TODAY)
    index_s = time.perf_counter() - started

    picks_c, picks_o = rng.sample(people, args.samples), rng.sample(pool, args.samples)
    one_candidate = _timed(lambda c: matching.top_opportunities(c, _INDEX, today=TODAY, limit=20), picks_c)
    one_opportunity = _timed(lambda o: matching.top_candidates(o, people_index, limit=20), picks_o)
    reference = _timed(lambda c: matching.rank_opportunities(c, pool, today=TODAY, limit=20), picks_c[:5])

    batch = people[: args.batch] if args.batch else people
    # The catalogue, index and candidates live as long as the run: keep the cyclic garbage collector from
    # traversing them again and again (and forked workers from copying the pages it would touch).
    gc.freeze()
    started = time.perf_counter()
    chunks = [batch[i :: args.workers] for i in range(args.workers)]
    with get_context("fork").Pool(args.workers) as workers:
        parts = workers.map(_batch_part, chunks)
    scale = len(people) / len(batch)
    batch_s = (time.perf_counter() - started) * scale
    results = sum(n for n, _cpu in parts)
    batch_cpu_s = sum(cpu for _n, cpu in parts) * scale
    estimated = " (extrapolated)" if len(batch) < len(people) else ""

    def p95(values):
        return sorted(values)[max(0, int(len(values) * 0.95) - 1)]

    print(
        f"Matching on {args.opportunities:,} opportunities and {args.candidates:,} candidates, "
        f"{args.workers} worker(s), Python {sys.version.split()[0]}"
    )
    print()
    print("| measure | median | p95 | target |")
    print("|---|---|---|---|")
    single = f"{statistics.median(one_candidate):.1f} ms | {p95(one_candidate):.1f} ms"
    print(f"| top 20 for one candidate | {single} | ≤ 100 ms |")
    print(
        f"| top 20 candidates for one opportunity | {statistics.median(one_opportunity):.1f} ms "
        f"| {p95(one_opportunity):.1f} ms | ≤ 100 ms |"
    )
    print(f"| reference full scan, one candidate | {statistics.median(reference):.0f} ms | – | – |")
    print(f"| indexes built | {index_s:.1f} s | – | – |")
    print(
        f"| batch: top 20 for every candidate | {batch_s:.0f} s{estimated} ({results:,} results; "
        f"{batch_cpu_s:.0f} s of CPU) | – | ≤ 300 s |"
    )


if __name__ == "__main__":
    main()
