"""Whom an external may know of, on the generated company: the people checks an
external's requests make, each through the service the page or the API calls.

    python bench/people_queries.py --database-url sqlite+aiosqlite:////tmp/ruche_bench.db
    python bench/people_queries.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/ruche_bench

For contractors who are members of spaces (``--viewers``, each run takes the
next one): a profile by id (``people.access_person``: one person checked), the
header's suggestions for a prefix (``search.engine.suggest``: a few candidates
checked), the directory's first page and its facets (``people.list_people``,
``people.directory_facets``: everyone listed). Median and slowest of
``--runs`` runs per viewer after one warm-up, in milliseconds. Employees are
not measured: for them the clause is ``true``.
"""

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import create_engine
from app.levels import AccountKind
from app.models import Membership, User
from app.search import engine
from app.search.query import parse
from app.services import people


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--viewers", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prefix", default="jul")
    args = parser.parse_args()
    database = create_engine(args.database_url)
    async with AsyncSession(database) as session:
        viewers = list(
            await session.scalars(
                select(User)
                .where(
                    User.kind == AccountKind.CONTRACTOR,
                    User.is_active,
                    User.id.in_(select(Membership.user_id)),
                )
                .order_by(User.id)
                .limit(args.viewers)
            )
        )
        someone = await session.scalar(select(User.id).order_by(User.id.desc()).limit(1))
        cases = {
            "a profile (one person)": lambda viewer: people.access_person(
                session, viewer=viewer, user_id=someone
            ),
            f"suggestions `{args.prefix}`": lambda viewer: engine.suggest(
                session, viewer=viewer, query=parse(args.prefix, prefix=True)
            ),
            "directory, first page": lambda viewer: people.list_people(
                session, viewer=viewer, limit=51, after=None
            ),
            "directory facets": lambda viewer: people.directory_facets(session, viewer=viewer),
        }
        print(f"{len(viewers)} contractors, {args.database_url.split(':')[0]}")
        print("| check | p50 ms | max ms |\n| --- | ---: | ---: |")
        for name, call in cases.items():
            runs = []
            for viewer in viewers:
                await call(viewer)
                for _ in range(args.runs):
                    began = time.perf_counter()
                    await call(viewer)
                    runs.append((time.perf_counter() - began) * 1000)
            print(f"| {name} | {statistics.median(runs):.0f} | {max(runs):.0f} |")
    await database.dispose()


if __name__ == "__main__":
    asyncio.run(main())
