"""The audit page's queries on a large log: the default page, a kind of action,
a person's events (done or undergone) and a person's last sign-in.

    python bench/audit_queries.py --events 1000000

Builds a fresh SQLite database by the migrations in a temporary folder, writes
``--events`` audit events (sign-ins, most of them, and account changes between
5,000 accounts), then times each query with the service the page calls
(app/services/audit.py), median of 20 runs after one warm-up, and prints its
plan (EXPLAIN QUERY PLAN).
"""

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text

from app.db import create_engine
from app.levels import Role
from app.migrate import upgrade
from app.models import AuditEvent, User
from app.services import audit

PEOPLE = 5000
ACTIONS = ["auth.sign_in"] * 8 + ["account.updated", "membership.added"]


async def fill(connection, events: int) -> None:
    rng = random.Random(15)
    start = datetime.now(UTC) - timedelta(days=365)
    await connection.execute(
        insert(User),
        [
            {"email": f"p{n}@bench.example", "display_name": f"Person {n}", "handle": f"p{n}"}
            for n in range(1, PEOPLE + 1)
        ],
    )
    for first in range(0, events, 50_000):
        rows = []
        for n in range(first, min(first + 50_000, events)):
            action = rng.choice(ACTIONS)
            rows.append(
                {
                    "actor_id": rng.randint(1, PEOPLE),
                    "action": action,
                    "target_type": None if action == "auth.sign_in" else "user",
                    "target_id": None if action == "auth.sign_in" else rng.randint(1, PEOPLE),
                    "detail": {},
                    "address": "192.0.2.1",
                    "created_at": start + timedelta(seconds=n * 30),
                }
            )
        await connection.execute(insert(AuditEvent), rows)


async def timed(call) -> float:
    await call()
    runs = []
    for _ in range(20):
        began = time.perf_counter()
        await call()
        runs.append(time.perf_counter() - began)
    return statistics.median(runs) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="ruche-audit-bench-")
    engine = create_engine(f"sqlite+aiosqlite:///{folder}/audit.db")
    await upgrade(engine)
    async with engine.begin() as connection:
        await fill(connection, args.events)
    from sqlalchemy.ext.asyncio import AsyncSession

    async with AsyncSession(engine) as session:
        admin = await session.get(User, 1)
        admin.role = Role.ADMIN
        person = 2500

        def page(**filters):
            return lambda: audit.list_audit(
                session, viewer=admin, limit=51, before_id=None, **filters
            )

        queries = {
            "default page (sign-ins hidden)": page(hide_sign_ins=True),
            "a kind of action (account.*)": page(group="account", hide_sign_ins=True),
            "a person's events, done or undergone": page(person_ids=[person]),
            "a person's last sign-in": lambda: audit.last_sign_in(
                session, viewer=admin, user_id=person
            ),
        }
        print(f"{args.events:,} events, {PEOPLE:,} accounts (SQLite)")
        for name, call in queries.items():
            print(f"{name}: {await timed(call):.2f} ms")
        plan = await session.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT id FROM audit_events WHERE actor_id IN (:p) "
                "OR (target_type = 'user' AND target_id IN (:p)) ORDER BY id DESC LIMIT 51"
            ),
            {"p": person},
        )
        print("plan of the person filter:", "; ".join(row[-1] for row in plan))
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
