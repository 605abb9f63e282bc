"""Where a home-feed request's time goes, without HTTP, and the plans of its queries.

    python bench/feed_queries.py --database-url sqlite+aiosqlite:////tmp/ruche_bench.db
    python bench/feed_queries.py --database-url postgresql+asyncpg://... --explain

For many viewers (the tokens bench/generate.py wrote), runs what GET
/api/v1/feed runs, step by step, with the app's own functions: the bearer-token
lookup, ``feed.stream`` (the sources, then the merge query), ``feed.show_posts``,
``post_read`` and the response model's validation and JSON serialisation, then
the commit. It prints each step's time (p50, p99, mean) and, from the driver's
side, each kind of SQL statement's time and count.

``--explain`` prints the plan of every statement of one typical viewer's feed
(EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL), with
the viewer's real parameters.

``--app-dir DIR`` imports ``app`` from another copy of the code (to measure a
prototype change to app/services/feed.py without touching the work tree).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def label(statement: str) -> str:
    """A short name for a statement of the feed."""
    s = " ".join(statement.split())
    if s.upper() in ("BEGIN", "COMMIT", "ROLLBACK"):
        return s.upper()
    if "UNION ALL" in s:
        return "merge (UNION ALL of ranges)"
    if "FROM access_tokens" in s:
        return "auth: token + user"
    if s.startswith("UPDATE"):
        return "auth: touch last_used"
    if "FROM follows" in s:
        return "sources: follows"
    if re.search(r"^SELECT memberships.space_id FROM memberships", s):
        return "sources: memberships"
    if "row_number()" in s.lower():
        return "show: first comments"
    m = re.search(r"FROM (\w+)", s)
    table = m.group(1) if m else "?"
    if "count(" in s.lower():
        return f"show: count {table}"
    if table == "post_reactions":
        return "show: my reactions"
    return f"show: {table}"


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tokens-file", default=None)
    parser.add_argument("--viewers", type=int, default=300)
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="passes over the viewers (the first one warms the caches and is not counted)",
    )
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--app-dir", default=str(ROOT))
    args = parser.parse_args()
    sys.path.insert(0, args.app_dir)
    url = args.database_url
    if args.tokens_file is None:
        args.tokens_file = (
            url.split(":///", 1)[1] + ".tokens.json"
            if url.startswith("sqlite")
            else f"/tmp/ruche_bench_tokens_{url.rsplit('/', 1)[-1]}.json"  # noqa: S108
        )

    from pydantic import TypeAdapter
    from sqlalchemy import event
    from sqlalchemy.engine.interfaces import CacheStats

    import app
    from app.api.posts import post_read
    from app.config import Settings
    from app.db import Database
    from app.schemas.common import Page
    from app.schemas.post import PostRead
    from app.services import feed
    from app.services.sessions import token_for_secret

    print(f"app imported from {Path(app.__file__).parent}", flush=True)
    viewers = json.loads(Path(args.tokens_file).read_text())["viewers"][: args.viewers]
    database = Database(Settings(database_url=url, jobs_interval_seconds=0))
    page_adapter = TypeAdapter(Page[PostRead])

    sql: dict[str, list[float]] = defaultdict(list)
    capture: list | None = None
    timing = {"on": False}

    @event.listens_for(database.engine.sync_engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()
        if capture is not None:
            capture.append((statement, parameters))

    misses: dict[str, int] = defaultdict(int)

    @event.listens_for(database.engine.sync_engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        if timing["on"]:
            name = label(statement)
            sql[name].append(time.perf_counter() - conn.info["bench_started"])
            # Compiled-statement cache: a miss compiles the statement anew.
            if context is not None and context.cache_hit is CacheStats.CACHE_MISS:
                misses[name] += 1

    steps: dict[str, list[float]] = defaultdict(list)
    sizes = []
    sources: dict[str, int] = {}

    cpu: list[float] = []

    async def one(viewer: dict, record: bool) -> None:
        cpu_started = time.process_time()
        marks = [("start", time.perf_counter())]
        async with database.sessionmaker() as session:
            user, _token = await token_for_secret(session, viewer["token"])
            marks.append(("auth (token lookup)", time.perf_counter()))
            if viewer["token"] not in sources:
                containers, people, tags = await feed._home_sources(session, user)
                sources[viewer["token"]] = len(containers) + len(people) + len(tags)
                marks.append(("(sources, counted once)", time.perf_counter()))
            found = await feed.stream(session, viewer=user, limit=args.limit + 1)
            marks.append(("feed.stream (sources + merge query)", time.perf_counter()))
            views = await feed.show_posts(session, viewer=user, posts=found[: args.limit])
            marks.append(("feed.show_posts", time.perf_counter()))
            items = [post_read(v) for v in views]
            marks.append(("post_read x page", time.perf_counter()))
            body = page_adapter.dump_json(
                page_adapter.validate_python({"items": items, "next_cursor": None})
            )
            marks.append(("response model: validate + JSON", time.perf_counter()))
            await session.commit()
            marks.append(("commit", time.perf_counter()))
        if record:
            for (_, before_), (name, after_) in itertools.pairwise(marks):
                steps[name].append(after_ - before_)
            steps["total"].append(marks[-1][1] - marks[0][1])
            cpu.append(time.process_time() - cpu_started)
            sizes.append((sources[viewer["token"]], len(body)))

    try:
        for round_ in range(args.rounds):
            timing["on"] = round_ == args.rounds - 1
            for viewer in viewers:
                await one(viewer, record=timing["on"])
        print(
            f"\n{len(viewers)} viewers, page of {args.limit}; "
            f"sources per viewer: median {statistics.median(s for s, _ in sizes):.0f}, "
            f"max {max(s for s, _ in sizes)}; response median "
            f"{statistics.median(b for _, b in sizes) / 1024:.1f} KiB\n"
        )
        print(f"{'step':<40} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
        for name, values in steps.items():
            print(
                f"{name:<40} {percentile(values, 50) * 1000:8.2f} "
                f"{percentile(values, 99) * 1000:8.2f} {statistics.mean(values) * 1000:8.2f}"
            )
        print(
            f"{'CPU time of this process (mean)':<40} {'':8} {'':8} "
            f"{statistics.mean(cpu) * 1000:8.2f}"
        )
        print(
            f"\n{'SQL statement (driver time)':<40} {'count':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'mean ms':>8} {'per feed':>8} {'compiled':>8}"
        )
        for name, values in sorted(sql.items(), key=lambda kv: -sum(kv[1])):
            print(
                f"{name:<40} {len(values):8d} {percentile(values, 50) * 1000:8.2f} "
                f"{percentile(values, 99) * 1000:8.2f} {statistics.mean(values) * 1000:8.2f} "
                f"{sum(values) / len(viewers) * 1000:8.2f} {misses.get(name, 0):8d}"
            )
        total_sql = sum(sum(v) for v in sql.values()) / len(viewers)
        print(f"{'all SQL, per feed':<40} {'':8} {'':8} {'':8} {'':8} {total_sql * 1000:8.2f}")

        if args.explain:
            # A typical viewer: an employee whose number of sources is the median.
            employees = [
                (v, s) for v, (s, _) in zip(viewers, sizes, strict=False) if v["kind"] == "employee"
            ]
            median = statistics.median(s for _, s in employees)
            viewer = min(employees, key=lambda vs: abs(vs[1] - median))[0]
            capture = []
            await one(viewer, record=False)
            statements, capture = capture, None
            print(
                f"\nPlans for viewer {viewer['user_id']} ({viewer['kind']}, clearance "
                f"rank {viewer['clearance']}, {median:.0f} sources):"
            )
            await explain(database, statements)
    finally:
        await database.dispose()


async def explain(database, statements) -> None:
    sqlite = database.engine.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    async with database.engine.connect() as connection:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            print(f"\n-- {label(statement)}")
            print("   " + " ".join(statement.split())[:600])
            rows = (await connection.exec_driver_sql(prefix + statement, parameters)).all()
            print_plan(rows, sqlite)


def print_plan(rows, sqlite: bool) -> None:
    """An EXPLAIN's rows, indented: SQLite's query plan as its tree, PostgreSQL's as is."""
    if sqlite:
        depth = {0: 0}
        for node, parent, _, detail in rows:
            depth[node] = depth.get(parent, 0) + 1
            print("   " + "  " * depth[node] + detail)
    else:
        for (line,) in rows:
            print("   " + line)


if __name__ == "__main__":
    asyncio.run(main())
