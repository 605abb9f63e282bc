"""Search's latency against its floor: the same queries without the policy clause.

    python bench/search_queries.py --database-url sqlite+aiosqlite:////tmp/ruche_bench.db
    python bench/search_queries.py --database-url postgresql+asyncpg://... --explain

On a database bench/generate.py filled (issue 16's benchmark), it picks from
the data, the same way on both databases:

- a common word (the one of 5+ letters whose forms are in closest to 15 % of a
  sample of posts), a rare word (the first word of a space's name, in
  alphabetical order, found in 3-20 entries: the full-text index counts them),
  a two-word phrase that occurs (closest to 2 % of the sample), and the most
  frequent 3-letter start of a word of people's names, for suggestions;
- 20 active employees and 20 active contractors that are members of spaces.

Then, interleaved (each run takes the next viewer, the policy side and the
floor side back to back, their order alternating), for each query and kind of
viewer, it times what GET /api/v1/search runs in-process, in two parts:
``page`` (``engine.search``, the title band then the body band, 20 results,
and ``search.show``, which reads the items back and makes the snippets) and
``facets`` (``engine.facets``: the counts over the newest 1,000 matches, or
over the page's hits when they are all there are, as ``search.find`` asks);
``total`` is their sum, the request's work without HTTP. The floor is the same
calls with ``policy=False``: ``engine.statement`` without the policy clause.
Suggestions time ``engine.suggest`` (people, spaces, pages) the same way.
Each case gets ``--runs`` timed runs after ``--warmup`` runs, or as many as fit
in ``--budget`` seconds. It prints the p50/p99 per case as a markdown table,
the load average, and the index's size. ``--also TEXT`` times one more search,
of your choosing, the same way (a phrase of common words that is rare, say:
``--also '"equipe projet"'``).

``--explain`` prints the plans (EXPLAIN QUERY PLAN on SQLite, EXPLAIN
(ANALYZE, BUFFERS) on PostgreSQL) of every statement of the common-word search,
its facets and the suggestions, policy and floor, for one employee and one
contractor.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from feed_queries import percentile, print_plan  # noqa: E402  (bench/ is the script's directory)
from machine import machine  # noqa: E402

LIMIT = 20
SAMPLE_EVERY = 50  # one post in 50 is read to pick the words


async def pick_viewers(session, kind, count: int) -> list[int]:
    """``count`` active accounts of ``kind`` that are members of a space, spread
    over the ids."""
    from sqlalchemy import exists, select

    from app.models import Membership, User

    ids = list(
        await session.scalars(
            select(User.id)
            .where(
                User.kind == kind,
                User.is_active.is_(True),
                exists().where(Membership.user_id == User.id),
            )
            .order_by(User.id)
        )
    )
    step = max(1, len(ids) // count)
    return ids[::step][:count]


async def matches(session, dialect: str, text: str, cap: int = 1000) -> int:
    """How many entries match ``text`` (up to ``cap``), whoever reads them."""
    from app.models import User
    from app.search.engine import Filters, statement
    from app.search.query import parse

    found = await session.execute(
        statement(
            User(id=0), parse(text), Filters(), dialect=dialect, band=None, limit=cap, policy=False
        )
    )
    return len(found.all())


async def pick_words(session, dialect: str) -> dict[str, str]:
    """The common word, the rare word, the phrase and the prefix, from the data."""
    from sqlalchemy import func, select

    from app.markdown import plain_text
    from app.models import Post, SearchEntry, SearchKind
    from app.search.query import parse
    from app.search.text import terms, words

    bodies = [
        words(plain_text(body))
        for (body,) in await session.execute(
            select(Post.body).where(Post.deleted_at.is_(None), Post.id % SAMPLE_EVERY == 0)
        )
    ]
    # What the index holds of each post (its words and their stems), as the app writes it.
    documents = [set(terms(" ".join(body)).split()) for body in bodies]
    frequency = Counter(word for body in bodies for word in set(body))
    bigrams = Counter(pair for body in bodies for pair in set(itertools.pairwise(body)))
    sampled = len(documents)

    def share(word: str) -> float:
        forms = set(parse(word).terms[0].forms)
        return sum(1 for document in documents if forms & document) / sampled

    candidates = sorted(
        (w for w, n in frequency.items() if len(w) >= 5 and w.isalpha() and n >= 0.05 * sampled),
        key=lambda w: (abs(share(w) - 0.15), w),
    )
    common = candidates[0]
    # The posts' vocabulary is small (every word of it is in thousands of posts): the
    # rare words are in spaces' names (project code names) and the few posts that name
    # them. The first of those in a handful of entries, else the rarest.
    rare, fewest = None, None
    names = await session.scalars(
        select(SearchEntry.title_terms).where(SearchEntry.kind == SearchKind.SPACE)
    )
    for word in sorted({w for name in names for w in name.split() if len(w) >= 5 and w.isalpha()}):
        found = await matches(session, dialect, word)
        if fewest is None or found < fewest:
            rare, fewest = word, found
        if 3 <= found <= 20:
            rare, fewest = word, found
            break
    phrase = min(
        (
            pair
            for pair, n in bigrams.items()
            if all(len(w) >= 4 and w.isalpha() for w in pair) and n >= 2
        ),
        key=lambda pair: (abs(bigrams[pair] / sampled - 0.02), pair),
    )
    titles = await session.scalars(
        select(SearchEntry.title_terms).where(SearchEntry.kind == SearchKind.PERSON)
    )
    starts = Counter(
        word[:3] for title in titles for word in title.split() if len(word) >= 4 and word.isalpha()
    )
    prefix = min(starts, key=lambda start: (-starts[start], start))
    total = await session.scalar(
        select(func.count()).select_from(SearchEntry).where(SearchEntry.kind == SearchKind.POST)
    )
    print(
        f"{sampled:,} posts sampled of {total:,}; common word {common!r} in "
        f"{share(common):.1%} of them; rare word {rare!r} in {fewest} entries; phrase "
        f"'{' '.join(phrase)}' in {bigrams[phrase] / sampled:.1%}; prefix {prefix!r} "
        f"({starts[prefix]} words of people's names)",
        flush=True,
    )
    return {
        "common word": common,
        "rare word": rare,
        "phrase": '"' + " ".join(phrase) + '"',
        "prefix": prefix,
    }


async def index_size(connection, dialect: str) -> list[tuple[str, int]]:
    """The search index's tables and indexes, in bytes."""
    from sqlalchemy.exc import OperationalError

    if dialect == "sqlite":
        try:
            rows = await connection.exec_driver_sql(
                "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'search%' "
                "OR name LIKE '%search_entries%' GROUP BY name ORDER BY name"
            )
        except OperationalError:  # SQLite built without dbstat: its page count
            page = (await connection.exec_driver_sql("PRAGMA page_size")).scalar()
            pages = (await connection.exec_driver_sql("PRAGMA page_count")).scalar()
            return [("whole database (no dbstat)", page * pages)]
        return [tuple(row) for row in rows]
    rows = await connection.exec_driver_sql(
        "SELECT 'search_entries (pg_total_relation_size)', "
        "pg_total_relation_size('search_entries') "
        "UNION ALL SELECT 'search_entries (table and TOAST)', pg_table_size('search_entries') "
        "UNION ALL SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) "
        "FROM pg_index WHERE indrelid = 'search_entries'::regclass ORDER BY 1"
    )
    return [tuple(row) for row in rows]


async def explain(connection, dialect: str, title: str, statements) -> None:
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    for statement, parameters in statements:
        if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        print(f"\n-- {title}")
        print("   " + " ".join(statement.split()))
        print(f"   parameters: {parameters}")
        rows = (await connection.exec_driver_sql(prefix + statement, parameters)).all()
        print_plan(rows, dialect == "sqlite")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--viewers", type=int, default=20, help="of each kind")
    parser.add_argument("--runs", type=int, default=200, help="timed runs per case")
    parser.add_argument("--warmup", type=int, default=10, help="untimed runs per case first")
    parser.add_argument(
        "--budget",
        type=float,
        default=40,
        help="seconds per case at most (both sides, warm-up included)",
    )
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="TEXT",
        help="a search to time besides the picked ones (repeatable), e.g. a rare phrase",
    )
    args = parser.parse_args()

    from sqlalchemy import event, select

    from app.config import Settings
    from app.db import Database
    from app.levels import AccountKind
    from app.models import User
    from app.search import engine
    from app.search.engine import Filters
    from app.services import search

    database = Database(Settings(database_url=args.database_url, jobs_interval_seconds=0))
    dialect = database.engine.dialect.name
    print(f"{dialect}, {machine()}, load average {os.getloadavg()}", flush=True)
    async with database.sessionmaker() as session:
        texts = await pick_words(session, dialect)
        texts.update({f"also {n}": text for n, text in enumerate(args.also, 1)})
        viewers = {}
        for kind in (AccountKind.EMPLOYEE, AccountKind.CONTRACTOR):
            ids = await pick_viewers(session, kind, args.viewers)
            viewers[kind.value] = list(await session.scalars(select(User).where(User.id.in_(ids))))
            print(f"{len(ids)} {kind.value}s: {ids}", flush=True)
    # As the server does once started (app/main.py): what was built so far is
    # kept out of the collector's full passes, which otherwise scanned it all
    # (100-140 ms pauses, the runs' p99 on either side).
    gc.collect()
    gc.freeze()

    async def searched(session, asked):
        hits, following = await engine.search(session, **asked, after=None, limit=LIMIT)
        await search.show(session, asked["query"], hits)
        return engine.whole_search(hits, None, following, asked["filters"])

    async def run_search(viewer, text, policy) -> dict[str, float]:
        asked = {
            "viewer": viewer,
            "query": search.parse_query(text),
            "filters": Filters(),
            "policy": policy,
        }
        async with database.sessionmaker() as session:
            started = time.perf_counter()
            whole = await searched(session, asked)
            paged = time.perf_counter()
            await engine.facets(session, **asked, whole=whole)
            done = time.perf_counter()
        return {"page": paged - started, "facets": done - paged, "total": done - started}

    async def run_suggest(viewer, text, policy) -> dict[str, float]:
        query = search.parse_query(text, prefix=True)
        async with database.sessionmaker() as session:
            started = time.perf_counter()
            await engine.suggest(session, viewer=viewer, query=query, policy=policy)
            return {"suggest": time.perf_counter() - started}

    cases = [
        (name, kind, run_suggest if name == "prefix" else run_search, text)
        for name, text in texts.items()
        for kind in viewers
    ]
    times: dict[tuple, dict[bool, dict[str, list]]] = defaultdict(
        lambda: {True: defaultdict(list), False: defaultdict(list)}
    )
    spent: Counter = Counter()
    loads = [os.getloadavg()[0]]
    started = time.perf_counter()
    for run in range(args.warmup + args.runs):
        for name, kind, function, text in cases:
            if spent[name, kind] > args.budget:
                continue
            viewer = viewers[kind][run % len(viewers[kind])]
            for policy in (True, False) if run % 2 else (False, True):
                began = time.perf_counter()
                measured = await function(viewer, text, policy)
                spent[name, kind] += time.perf_counter() - began
                if run >= args.warmup:
                    for part, seconds in measured.items():
                        times[name, kind][policy][part].append(seconds)
        if run % 20 == 0:
            loads.append(os.getloadavg()[0])
    loads.append(os.getloadavg()[0])
    print(
        f"\nmeasured in {time.perf_counter() - started:.0f}s; load average (1 min) "
        f"during the run: {min(loads):.1f}-{max(loads):.1f}\n"
    )
    print("| query | viewer | part | runs | p50 ms | p99 ms | floor p50 | floor p99 | p99 ratio |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for (name, kind), sides in times.items():
        for part, values in sides[True].items():
            floor = sides[False][part]
            p99, floor99 = percentile(values, 99) * 1000, percentile(floor, 99) * 1000
            print(
                f"| {name} `{texts[name]}` | {kind} | {part} | {len(values)} | "
                f"{percentile(values, 50) * 1000:.1f} | {p99:.1f} | "
                f"{percentile(floor, 50) * 1000:.1f} | {floor99:.1f} | {p99 / floor99:.1f}× |"
            )

    async with database.engine.connect() as connection:
        sizes = await index_size(connection, dialect)
    print("\nsearch index:")
    for name, size in sizes:
        print(f"  {name}: {size / 2**20:,.1f} MiB")

    if args.explain:
        captured: list | None = None

        @event.listens_for(database.engine.sync_engine, "before_cursor_execute")
        def capture(conn, cursor, statement, parameters, context, executemany):
            if captured is not None:
                captured.append((statement, parameters))

        for kind in viewers:
            viewer = viewers[kind][0]
            for name, function, text in (
                ("search", run_search, texts["common word"]),
                ("suggestions", run_suggest, texts["prefix"]),
            ):
                for policy in (True, False):
                    captured = []
                    await function(viewer, text, policy)
                    statements, captured = captured, None
                    title = (
                        f"{name} {text!r}, {kind} {viewer.id}, {'policy' if policy else 'floor'}"
                    )
                    async with database.engine.connect() as connection:
                        await explain(connection, dialect, title, statements)
    await database.dispose()


if __name__ == "__main__":
    asyncio.run(main())
