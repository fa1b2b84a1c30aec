"""Benchmark the manager dashboard's SQL aggregates on a million survey rows.

Creates a throw-away database (a temporary SQLite file, and a temporary PostgreSQL
database when one is reachable), migrates it with Alembic, bulk-loads N satisfaction
responses (default 1,000,000, spread over a year, 1–2 intents each) and 20,000
complaints, then times every dashboard query (best of 3) for a 30-day and a 365-day
range, all channels and one channel.

    .venv/crm/bin/python scripts/bench_dashboard.py [--rows 1000000] [--no-postgres]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

`make bench` runs it. PostgreSQL: CRM_TEST_DATABASE_URL, else the URL above; skipped
with a message if unreachable.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bankkit.complaints import COMPLAINT_CATEGORIES  # noqa: E402
from crm_api.clock import SHANGHAI, UTC  # noqa: E402
from crm_api.dashboard import service  # noqa: E402
from crm_api.database import create_db_engine  # noqa: E402
from crm_api.manage import alembic_config  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
DAYS = 365
COMPLAINTS = 20_000
INTENTS = [
    "check_balance",
    "query_transactions",
    "query_credit_card",
    "faq",
    "report_card_loss",
    "ask_product_recommendation",
    "ask_interest_rate",
    "complain",
    "query_complaint_status",
    "request_human",
]
CATEGORIES = list(COMPLAINT_CATEGORIES)
STATUSES = ["已受理", "处理中", "已解决", "已关闭"]
COMMENTS = [
    "问了三遍都没听懂我的问题",
    "转人工太难了",
    "回答都是套话",
    "验证码半天收不到",
    None,
    None,
]


def survey_rows(n: int, seed: int = 7) -> Iterator[tuple[Any, ...]]:
    """(id, reference, channel, score, nps, comment, at, day, intents) per response."""
    rng = random.Random(seed)
    start = datetime.combine(TODAY - timedelta(days=DAYS - 1), datetime.min.time(), SHANGHAI)
    start_utc, shift = start.astimezone(UTC), timedelta(hours=8)
    span = DAYS * 86400
    cumulative = (0.06, 0.14, 0.30, 0.65)  # scores 1–4; the rest are 5
    for i in range(1, n + 1):
        at = start_utc + timedelta(seconds=rng.random() * span)
        draw = rng.random()
        score = next((k + 1 for k, edge in enumerate(cumulative) if draw < edge), 5)
        comment = rng.choice(COMMENTS) if score <= 2 else None
        nps = rng.randint(0, 10) if rng.random() < 0.25 else None
        intents = rng.sample(INTENTS, 1 if rng.random() < 0.65 else 2)
        channel = "app" if rng.random() < 0.56 else "web"
        yield (i, f"bench-{i}", channel, score, nps, comment, at, (at + shift).date(), intents)


def complaint_rows(n: int, seed: int = 11) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(seed)
    for i in range(1, n + 1):
        created = NOW - timedelta(seconds=rng.random() * DAYS * 86400)
        hours = rng.choice((24, 48, 72, 120, 240, 360))
        status = rng.choices(STATUSES, (5, 10, 25, 60))[0]
        resolved = (
            created + timedelta(hours=hours * rng.uniform(0.1, 1.4))
            if status in ("已解决", "已关闭")
            else None
        )
        yield (
            i,
            f"TB{i:012d}",
            "13900139000",
            "电话",
            rng.choice(CATEGORIES),
            "基准测试",
            rng.choice(("web", "app")),
            "普通",
            "远程银行中心",
            status,
            hours,
            created,
            created,
            created + timedelta(hours=hours),
            resolved,
        )


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


SURVEY_COLUMNS = (
    "id, reference, kind, status, channel, human_involved, score, nps_score, comment,"
    " created_at, answered_at, survey_day"
)
COMPLAINT_COLUMNS = (
    "id, number, contact_phone, contact_method, category, description, channel,"
    " customer_tier, branch, status, sla_hours, created_at, updated_at, due_at,"
    " resolved_at, reopen_count"
)


def load_sqlite(engine: Engine, rows: int) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("BEGIN")
        batch: list[tuple[Any, ...]] = []
        intents: list[tuple[Any, ...]] = []
        for i, ref, channel, score, nps, comment, at, day, chosen in survey_rows(rows):
            stamp = _ts(at)
            batch.append(
                (
                    i,
                    ref,
                    "conversation",
                    "answered",
                    channel,
                    0,
                    score,
                    nps,
                    comment,
                    stamp,
                    stamp,
                    day.isoformat(),
                )
            )
            intents.extend((i, intent, day.isoformat(), channel, score) for intent in chosen)
            if len(batch) >= 50_000:
                _flush_sqlite(cursor, batch, intents)
        _flush_sqlite(cursor, batch, intents)
        cursor.executemany(
            f"INSERT INTO complaints ({COMPLAINT_COLUMNS}) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            [
                (*r[:11], _ts(r[11]), _ts(r[12]), _ts(r[13]), _ts(r[14]))
                for r in complaint_rows(COMPLAINTS)
            ],
        )
        cursor.execute("COMMIT")
        cursor.execute("ANALYZE")
    finally:
        raw.close()


def _flush_sqlite(
    cursor: Any, batch: list[tuple[Any, ...]], intents: list[tuple[Any, ...]]
) -> None:
    cursor.executemany(
        f"INSERT INTO satisfaction_responses ({SURVEY_COLUMNS}) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        batch,
    )
    cursor.executemany(
        "INSERT INTO satisfaction_intents (response_id, intent, survey_day, channel, score) "
        "VALUES (?, ?, ?, ?, ?)",
        intents,
    )
    batch.clear()
    intents.clear()


def _copy_text(values: tuple[Any, ...]) -> str:
    def one(v: Any) -> str:
        if v is None:
            return "\\N"
        if isinstance(v, bool):
            return "t" if v else "f"
        if isinstance(v, datetime):
            return v.isoformat()
        return str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")

    return "\t".join(one(v) for v in values) + "\n"


def load_postgres(engine: Engine, rows: int) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        surveys, intents = io.StringIO(), io.StringIO()
        for i, ref, channel, score, nps, comment, at, day, chosen in survey_rows(rows):
            surveys.write(
                _copy_text(
                    (
                        i,
                        ref,
                        "conversation",
                        "answered",
                        channel,
                        False,
                        score,
                        nps,
                        comment,
                        at,
                        at,
                        day,
                    )
                )
            )
            for intent in chosen:
                intents.write(_copy_text((i, intent, day, channel, score)))
        with cursor.copy(f"COPY satisfaction_responses ({SURVEY_COLUMNS}) FROM STDIN") as copy:
            copy.write(surveys.getvalue())
        with cursor.copy(
            "COPY satisfaction_intents (response_id, intent, survey_day, channel, score) FROM STDIN"
        ) as copy:
            copy.write(intents.getvalue())
        with cursor.copy(f"COPY complaints ({COMPLAINT_COLUMNS}) FROM STDIN") as copy:
            for r in complaint_rows(COMPLAINTS):
                copy.write(_copy_text((*r, 0)))
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def _score_views(session: Session, f: service.DashboardFilter) -> Any:
    """What the endpoint does: one query, then summary/trend/distribution/channels."""
    counts = service.score_counts(session, f)
    return (
        service.csat_summary(session, f, counts),
        service.csat_trend(session, f, "day", counts),
        service.csat_trend(session, f, "week", counts),
        service.score_distribution(session, f, counts),
        service.csat_by_channel(session, f, counts),
    )


QUERIES: list[tuple[str, Callable[[Session, service.DashboardFilter], Any]]] = [
    ("score_counts (csat/trend/dist/chan)", _score_views),
    ("csat_by_intent", service.csat_by_intent),
    ("nps", service.nps),
    ("latest_low_comments", service.latest_low_comments),
    ("complaints_by_category_status", service.complaints_by_category_status),
    ("complaint_sla", lambda s, f: service.complaint_sla(s, f, NOW)),
]


def time_queries(engine: Engine, label: str) -> list[tuple[str, str, float]]:
    results = []
    cases = [
        ("30 days", service.DashboardFilter(start=TODAY - timedelta(days=29), end=TODAY)),
        ("365 days", service.DashboardFilter(start=TODAY - timedelta(days=364), end=TODAY)),
        (
            "365 days, app",
            service.DashboardFilter(start=TODAY - timedelta(days=364), end=TODAY, channel="app"),
        ),
    ]
    with Session(engine) as session:
        for case, f in cases:
            total = 0.0
            for name, query in QUERIES:
                best = float("inf")
                for _ in range(3):
                    started = time.perf_counter()
                    query(session, f)
                    best = min(best, time.perf_counter() - started)
                total += best
                results.append((f"{label} · {case}", name, best * 1000))
            results.append((f"{label} · {case}", "whole dashboard (sum)", total * 1000))
    return results


def bench_sqlite(rows: int) -> list[tuple[str, str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        config = alembic_config(url)
        config.attributes["configure_logger"] = False
        command.upgrade(config, "head")
        engine = create_db_engine(url)
        started = time.perf_counter()
        load_sqlite(engine, rows)
        print(
            f"sqlite: loaded {rows:,} responses in {time.perf_counter() - started:.1f}s", flush=True
        )
        try:
            return time_queries(engine, "SQLite")
        finally:
            engine.dispose()


def bench_postgres(rows: int, server_url: str) -> list[tuple[str, str, float]]:
    admin = create_engine(
        make_url(server_url), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    name = f"crm_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    except Exception as exc:  # noqa: BLE001 - any connection problem means "skip"
        print(f"postgresql: skipped ({type(exc).__name__}: {str(exc).splitlines()[0]})")
        admin.dispose()
        return []
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        config = alembic_config(url)
        config.attributes["configure_logger"] = False
        command.upgrade(config, "head")
        engine = create_db_engine(url)
        started = time.perf_counter()
        load_postgres(engine, rows)
        print(
            f"postgresql: loaded {rows:,} responses in {time.perf_counter() - started:.1f}s",
            flush=True,
        )
        try:
            return time_queries(engine, "PostgreSQL")
        finally:
            engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--pg-url", default=os.environ.get("CRM_TEST_DATABASE_URL", DEFAULT_PG_URL))
    args = parser.parse_args(argv)
    results = bench_sqlite(args.rows)
    if not args.no_postgres:
        results += bench_postgres(args.rows, args.pg_url)
    print(
        f"\nDashboard queries, {args.rows:,} survey responses, {COMPLAINTS:,} complaints "
        "(best of 3, ms)"
    )
    print(f"| {'database · range':<28} | {'query':<36} | {'ms':>8} |")
    print(f"|{'-' * 30}|{'-' * 38}|{'-' * 10}|")
    for case, name, ms in results:
        print(f"| {case:<28} | {name:<36} | {ms:>8.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
