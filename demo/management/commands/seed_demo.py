"""`manage.py seed_demo`: the demo network, its accounts and synthetic persons."""

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo.assessments import seed_assessments
from demo.employers import build_employers
from demo.governance import seed_governance
from demo.network import build_network
from demo.opportunities import build_candidates, build_opportunities
from demo.paths import seed_paths
from demo.plans import seed_plans
from demo.population import Generator, insert
from people.models import Person


class Command(BaseCommand):
    """Load the demo data; idempotent, deterministic for a seed, fast enough for 100,000 persons."""

    help = (
        "Create the demo network (territories, organisations, units, demo accounts with the password "
        "PONTE_DEMO_PASSWORD), synthetic persons with consents, cases, referrals, assessments and plans, up to "
        "--persons, "
        "and demo employers with their contact logs. "
        "Running it again adds nothing that exists: records are found by their natural keys and no persons "
        "are added once there are --persons of them. Existing accounts keep their passwords. "
        "Seeding is not a user action, so it writes no audit events. Refuses to run with DEBUG off "
        "unless --force."
    )

    def add_arguments(self, parser):
        """--persons, --seed, --force."""
        parser.add_argument("--persons", type=int, default=2000, help="Persons to have in total (default 2000).")
        parser.add_argument("--seed", type=int, default=7321, help="Seed of the random generator (default 7321).")
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (for benchmarks; never in production)."
        )
        parser.add_argument(
            "--registry-only",
            action="store_true",
            help="Only the network and the persons with their consents, cases and referrals: the page benchmark's "
            "dataset (the other apps' demo data are written row by row and take long at 100,000 persons).",
        )

    def handle(self, *args, persons: int, seed: int, force: bool, registry_only: bool = False, **options):
        """Build the network, then add the missing persons in batches."""
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo writes synthetic people into this database and DEBUG is off, so this may be a real "
                "installation. Refusing. Use --force only on a database made for demos or benchmarks."
            )
        if persons < 0:
            raise CommandError("--persons must be zero or more.")
        started = time.monotonic()
        rng = random.Random(seed)
        with transaction.atomic():
            net = build_network(persons=persons)
        existing = Person.objects.count()
        to_add = max(0, persons - existing)
        if to_add:
            used_codes = set(Person.objects.values_list("fiscal_code", flat=True))
            generator = Generator(net=net, rng=rng, today=timezone.localdate(), used_codes=used_codes)
            done = 0
            for chunk in generator.chunks(to_add):
                insert(chunk)
                done += len(chunk.persons)
                if options["verbosity"] > 1:
                    self.stdout.write(f"  {done}/{to_add} persons")
        if registry_only:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Registry ready: {existing + to_add} persons ({to_add} added) in "
                    f"{time.monotonic() - started:.1f} s."
                )
            )
            return
        with transaction.atomic():
            employers = build_employers(rng=random.Random(seed), today=timezone.localdate())
            opportunities = build_opportunities(rng=random.Random(seed), today=timezone.localdate())
        assessments = seed_assessments(rng=random.Random(seed), today=timezone.localdate())
        candidates = build_candidates(rng=random.Random(seed), today=timezone.localdate())
        plans = seed_plans(rng=random.Random(seed), today=timezone.localdate())
        paths = seed_paths(rng=random.Random(seed), today=timezone.localdate())
        governance = seed_governance(today=timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {existing + to_add} persons ({to_add} added); added {employers} employers, "
                f"{opportunities} opportunities, {candidates['profiles']} work profiles, "
                f"{candidates['proposals']} proposals, {assessments} assessments, {plans} plans and "
                f"{paths['paths']} job-inclusion paths, {governance['agreements']} agreements and "
                f"{governance['meetings']} governance meetings; "
                f"in {time.monotonic() - started:.1f} s. "
                f"Demo password: the PONTE_DEMO_PASSWORD setting."
            )
        )
