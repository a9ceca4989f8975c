"""Fill a PostgreSQL database with a realistic synthetic IGR dataset for benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/igr_bench \
        .venv/bin/python bench/generate.py --size large

Sizes (fixed random seed, so every run builds the same data):
  small: 1,000 meetings,   3,000 commitments,    10,000 attendance rows,   500 people
  large: 100,000 meetings, 300,000 commitments, 1,000,000 attendance rows, 5,000 people

The real reference data (forums, authorities, recommendations) is loaded first and the
synthetic meetings hang off those real forums. The UK government leads a third of the
synthetic commitments (it leads every one in the real record) and the other authorities
share the rest, so a list of one lead authority's commitments in progress fills a
50-row page on both sizes and bench/run.py compares like with like. Rows go in with
bulk_create in large batches (one INSERT per batch), not per-row saves; history tables
are left empty.
The target database is wiped first, so the script refuses anything but PostgreSQL and
a database whose name contains "bench".
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igr.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from authorities.models import Authority, Office, Party, Person  # noqa: E402
from forums.models import (  # noqa: E402
    AgendaItem,
    Attendance,
    AttendanceMode,
    Commitment,
    CommitmentStatus,
    Forum,
    Meeting,
    MeetingStatus,
    Recommendation,
)

SIZES = {
    "small": {"meetings": 1_000, "commitments": 3_000, "attendance": 10_000, "people": 500},
    "large": {
        "meetings": 100_000,
        "commitments": 300_000,
        "attendance": 1_000_000,
        "people": 5_000,
    },
}
BATCH = 5_000
SEED = 20250619


STARTED = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - STARTED:7.1f}s] {message}", flush=True)


def refuse_unsafe_target():
    settings = connection.settings_dict
    if connection.vendor != "postgresql" or "bench" not in settings["NAME"]:
        sys.exit(
            "Refusing to run: the generator wipes its database, so DATABASE_URL must point at "
            f"PostgreSQL with 'bench' in the database name (got {connection.vendor} "
            f"{settings['NAME']!r})."
        )


def reset_database():
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    fixtures = sorted(str(p) for p in (ROOT / "fixtures").glob("*.json"))
    call_command("loaddata", *fixtures, verbosity=0)


def bulk(model, rows):
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH], batch_size=BATCH)


def generate(size: str):
    counts = SIZES[size]
    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate()
    forums = list(Forum.objects.all()) or [
        Forum.objects.create(
            name="Synthetic forum", slug="synthetic-forum", publication_state="published"
        )
    ]
    authorities = list(Authority.objects.all()) or [
        Authority.objects.create(name="Synthetic authority", slug="synthetic", kind="mca")
    ]
    parties = list(Party.objects.all()) or [
        Party.objects.create(name="Synthetic party", slug="synthetic-party")
    ]
    recommendations = list(Recommendation.objects.all())

    log(f"people: {counts['people']}")
    people = [
        Person(name=f"Bench Person {i}", slug=f"bench-person-{i}", created_at=now, updated_at=now)
        for i in range(counts["people"])
    ]
    bulk(Person, people)
    people = list(Person.objects.filter(slug__startswith="bench-person-"))
    offices = [
        Office(
            person=person,
            authority=rng.choice(authorities),
            title=f"Bench post {i}",
            party=rng.choice(parties),
            started_on=datetime.date(2015, 1, 1),
            publication_state="published",
            created_at=now,
            updated_at=now,
        )
        for i, person in enumerate(people)
    ]
    bulk(Office, offices)

    log(f"meetings: {counts['meetings']}")
    start = datetime.date(2000, 1, 1)
    span = (today - start).days
    meetings = []
    for i in range(counts["meetings"]):
        forum = forums[i % len(forums)]
        date = start + datetime.timedelta(days=rng.randrange(span))
        meetings.append(
            Meeting(
                forum=forum,
                slug=f"{forum.slug}-{date:%Y-%m-%d}-b{i}",
                date=date,
                status=MeetingStatus.HELD,
                summary=f"Synthetic meeting {i} on devolution, skills, housing and transport.",
                location=rng.choice(["London", "Manchester", "Sheffield", "Cardiff", "Edinburgh"]),
                host_authority=rng.choice(authorities),
                publication_state="published" if rng.random() < 0.95 else "draft",
                created_at=now,
                updated_at=now,
            )
        )
    bulk(Meeting, meetings)
    meeting_ids = list(
        Meeting.objects.filter(slug__contains="-b").order_by("id").values_list("id", "date")
    )

    log("agenda items")
    items = [
        AgendaItem(meeting_id=mid, order=n, title=f"Item {n}", created_at=now, updated_at=now)
        for mid, _ in meeting_ids
        for n in (1, 2)
    ]
    bulk(AgendaItem, items)
    if recommendations:
        through = AgendaItem.recommendations.through
        rows = [
            through(agendaitem_id=item_id, recommendation_id=rng.choice(recommendations).pk)
            for item_id in AgendaItem.objects.filter(title__startswith="Item ").values_list(
                "id", flat=True
            )
        ]
        bulk(through, rows)

    log(f"attendance: {counts['attendance']}")
    modes = (
        [AttendanceMode.IN_PERSON] * 7 + [AttendanceMode.VIRTUAL] * 2 + [AttendanceMode.APOLOGIES]
    )
    seen = set()
    batch = []
    person_ids = [p.pk for p in people]
    authority_ids = [a.pk for a in authorities]
    while len(seen) < counts["attendance"]:
        mid, _ = meeting_ids[rng.randrange(len(meeting_ids))]
        pid = person_ids[rng.randrange(len(person_ids))]
        if (mid, pid) in seen:  # one attendance per meeting and person, as the model requires
            continue
        seen.add((mid, pid))
        batch.append(
            Attendance(
                meeting_id=mid,
                person_id=pid,
                authority_id=rng.choice(authority_ids),
                mode=rng.choice(modes),
                created_at=now,
                updated_at=now,
            )
        )
        if len(batch) >= BATCH:
            Attendance.objects.bulk_create(batch, batch_size=BATCH)
            batch = []
    bulk(Attendance, batch)

    log(f"commitments: {counts['commitments']}")
    statuses = CommitmentStatus.values
    government = next((a.pk for a in authorities if a.slug == "uk-government"), authority_ids[0])
    commitments = []
    for i in range(counts["commitments"]):
        mid, date = meeting_ids[rng.randrange(len(meeting_ids))]
        commitments.append(
            Commitment(
                meeting_id=mid,
                title=f"Synthetic commitment {i}",
                text="The parties agreed to work together on a synthetic benchmark.",
                made_on=date,
                due_on=date + datetime.timedelta(days=rng.randrange(30, 720)),
                lead_authority_id=(
                    government if rng.random() < 1 / 3 else rng.choice(authority_ids)
                ),
                status=rng.choice(statuses),
                publication_state="published" if rng.random() < 0.95 else "draft",
                created_at=now,
                updated_at=now,
            )
        )
        if len(commitments) >= BATCH:
            Commitment.objects.bulk_create(commitments, batch_size=BATCH)
            commitments = []
    bulk(Commitment, commitments)
    if recommendations:
        through = Commitment.recommendations.through
        rows = [
            through(commitment_id=cid, recommendation_id=rng.choice(recommendations).pk)
            for cid in Commitment.objects.filter(
                title__startswith="Synthetic commitment"
            ).values_list("id", flat=True)
        ]
        bulk(through, rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    args = parser.parse_args()
    refuse_unsafe_target()
    log(f"resetting {connection.settings_dict['NAME']} and loading the reference data")
    reset_database()
    with transaction.atomic():
        generate(args.size)
    # bulk_create runs outside igr.policy.writing(), so the stored figures are built
    # once at the end (forums.stats.figures).
    log("stored figures")
    call_command("rebuild_figures", verbosity=0)
    # VACUUM as well as ANALYZE: after bulk inserts the visibility map is empty (index-only
    # scans visit the heap for every row) and the GIN indexes' pending lists are unmerged,
    # so until autovacuum got there every figure depended on when it last ran (issue 19).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    log(
        "done: "
        + ", ".join(
            f"{model.__name__} {model.objects.count()}"
            for model in (Meeting, Commitment, Attendance, Person, Office)
        )
    )


if __name__ == "__main__":
    main()
