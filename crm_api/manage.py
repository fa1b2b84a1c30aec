"""Command line: `python -m crm_api.manage migrate|seed`.

Only CRM_DATABASE_URL is needed (no API secrets), so a fresh machine can be set up
before secrets exist.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from alembic import command
from alembic.config import Config

from crm_api.config import DatabaseSettings
from crm_api.database import create_db_engine, create_session_factory
from crm_api.seed import clear, is_empty, seed

ROOT = Path(__file__).resolve().parent.parent
logger = logging.getLogger("crm_api.manage")


def alembic_config(database_url: str) -> Config:
    """Alembic config for `database_url`, independent of the current directory."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "crm_api" / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migrate(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "heads")


def run_seed(database_url: str, *, customers: int, if_empty: bool, reset: bool) -> int:
    engine = create_db_engine(database_url)
    try:
        with create_session_factory(engine)() as session:
            if not is_empty(session):
                if if_empty:
                    print("seed: database already has customers; skipped (--if-empty)")
                    return 0
                if not reset:
                    print("seed: database is not empty; use --if-empty or --reset", file=sys.stderr)
                    return 1
                clear(session)
            started = time.perf_counter()
            counts = seed(session=session, customers=customers)
            session.commit()
            print(
                f"seed: {counts['customers']} customers, {counts['accounts']} accounts, "
                f"{counts['transactions']} transactions in {time.perf_counter() - started:.1f}s"
            )
            return 0
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_api.manage", description="crm_api admin")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply Alembic migrations (upgrade heads)")
    seed_parser = sub.add_parser("seed", help="insert deterministic demo data")
    seed_parser.add_argument("--customers", type=int, default=200)
    seed_parser.add_argument("--if-empty", action="store_true", help="do nothing if seeded")
    seed_parser.add_argument("--reset", action="store_true", help="delete all rows first")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    database_url = DatabaseSettings().crm_database_url
    if args.command == "migrate":
        migrate(database_url)
        return 0
    return run_seed(
        database_url, customers=args.customers, if_empty=args.if_empty, reset=args.reset
    )


if __name__ == "__main__":
    sys.exit(main())
