"""`school-gateway seed`, and the demo seeding of `school-gateway serve --demo`.

school-gateway seed                      # the demo: 2 schools, logins printed
school-gateway seed --benchmark          # 20 schools x 5000 students x 180 days
school-gateway seed --schools 1 --students-per-school 50 --days 5 --seed 7
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys

from db.seed.context import BENCHMARK, DEMO, Size
from db.seed.load import DatabaseNotEmpty, Report, load_url
from db.seed.logins import DEMO_PASSWORD

MAX_LISTED_LOGINS = 40


def add_seed_command(subparsers: argparse._SubParsersAction) -> None:
    s = subparsers.add_parser(
        "seed",
        help="migrate, then load generated demo or benchmark data into an empty database",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument(
        "--benchmark", action="store_true", help="shorthand for --schools 20 --students-per-school 5000 --days 180"
    )
    s.add_argument("--schools", type=int, help=f"number of schools (demo: {DEMO.schools})")
    s.add_argument(
        "--students-per-school", type=int, help=f"students in each school (demo: {DEMO.students_per_school})"
    )
    s.add_argument("--days", type=int, help=f"school days of attendance (demo: {DEMO.days})")
    s.add_argument("--seed", type=int, help=f"random seed: the same seed gives the same rows (default: {DEMO.seed})")
    s.set_defaults(run=_seed)


def size_from(args: argparse.Namespace) -> Size:
    """The demo or benchmark size, with any flag given overriding it."""
    base = BENCHMARK if args.benchmark else DEMO
    given = {
        "schools": args.schools,
        "students_per_school": args.students_per_school,
        "days": args.days,
        "seed": args.seed,
    }
    try:
        return dataclasses.replace(base, **{k: v for k, v in given.items() if v is not None})
    except ValueError as error:
        raise SystemExit(f"seed: {error}") from None


def _seed(args: argparse.Namespace) -> int:
    from db.database import admin_url
    from db.migrate import HEAD, migrate

    size = size_from(args)
    url = admin_url()  # starts the embedded server when DATABASE_URL is unset
    asyncio.run(migrate(HEAD))
    print(f"seed: migrated to head; loading {size.describe()}", flush=True)
    try:
        report = asyncio.run(load_url(url, size))
    except DatabaseNotEmpty as error:
        print(f"seed: {error}", file=sys.stderr)
        return 1
    assert report is not None
    print_report(report)
    return 0


def seed_demo_if_empty(admin_url: str) -> Report | None:
    """Seed the demo when data.schools is empty (a first `serve --demo`); the
    caller has migrated. Returns the report, or None when data was there."""
    report = asyncio.run(load_url(admin_url, DEMO, only_if_empty=True))
    if report is None:
        print("school-gateway: data.schools is not empty; demo data not loaded", flush=True)
    else:
        print_report(report)
    return report


def print_report(report: Report) -> None:
    logins = report.logins
    print(f"\nDemo logins (password for every one: {DEMO_PASSWORD!r}):")
    width = max(len(login.email) for login in logins)
    shown = logins if len(logins) <= MAX_LISTED_LOGINS else _one_per_role(logins)
    for login in shown:
        print(f"  {login.email:<{width}}  {login.role:<7}  {login.school}")
    if len(shown) < len(logins):
        print(f"  ... and {len(logins) - len(shown)} more: <role><n>@<school>.demo, e.g. student2@northside.demo")
    if report.shared_hash:
        print(f"  ({len(logins)} users share one argon2id hash of {DEMO_PASSWORD!r}: hashing each would take too long)")
    print(f"\n{'table':<22}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
    for name, table in report.tables.items():
        print(f"{name:<22}{table.rows:>12,}{table.seconds:>10.2f}{table.rows_per_second:>12,.0f}")
    print(
        f"{'total':<22}{report.rows:>12,}{report.seconds:>10.2f}{report.rows / report.seconds:>12,.0f}\n"
        f"(of which generating rows and hashes {report.generate_seconds:.2f}s, "
        + "".join(f"{label} {step.rows:,} in {step.seconds:.2f}s, " for label, step in report.steps.items())
        + f"analyze {report.analyze_seconds:.2f}s)",
        flush=True,
    )


def _one_per_role(logins: list) -> list:
    """The first login of each role in each of the first two schools."""
    seen: set[tuple[str, str]] = set()
    schools: list[str] = []
    shown = []
    for login in logins:
        if login.school not in schools:
            schools.append(login.school)
        if len(schools) <= 2 and (login.school, login.role) not in seen:
            seen.add((login.school, login.role))
            shown.append(login)
    return shown
