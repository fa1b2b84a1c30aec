"""Command line: `python -m crm_api.manage migrate|seed|create-staff|inbox`.

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
from crm_api.staff.models import STAFF_ROLES, StaffRole

ROOT = Path(__file__).resolve().parent.parent
logger = logging.getLogger("crm_api.manage")


def alembic_config(database_url: str) -> Config:
    """Alembic config for `database_url`, independent of the current directory."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "crm_api" / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migrate(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


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


MIN_STAFF_PASSWORD_LENGTH = 12


def create_staff_user(
    database_url: str, *, username: str, display_name: str, role: StaffRole, branch: str
) -> int:
    """Create a console user; the password comes from CRM_NEW_STAFF_PASSWORD or a prompt,
    never from the command line (it would end up in the shell history)."""
    import getpass
    import os

    from crm_api.staff.service import DEMO_DEFAULT_PASSWORD, create_staff

    password = os.environ.get("CRM_NEW_STAFF_PASSWORD") or getpass.getpass("密码 / password: ")
    if len(password) < MIN_STAFF_PASSWORD_LENGTH or password == DEMO_DEFAULT_PASSWORD:
        print(
            f"create-staff: the password must have {MIN_STAFF_PASSWORD_LENGTH}+ characters "
            "and not be the demo default",
            file=sys.stderr,
        )
        return 1
    engine = create_db_engine(database_url)
    try:
        with create_session_factory(engine)() as session:
            staff = create_staff(
                session=session,
                username=username,
                display_name=display_name,
                role=role,
                branch=branch,
                password=password,
            )
            session.commit()
            print(f"create-staff: {staff.username} ({staff.role}, {staff.branch}) id={staff.id}")
            return 0
    finally:
        engine.dispose()


def _entity_arg(raw: str) -> tuple[int, int, str, str | None]:
    """`3:6:account_type=储蓄卡` → (3, 6, "account_type", "储蓄卡")."""
    try:
        start, end, rest = raw.split(":", 2)
        name, _, value = rest.partition("=")
        return int(start), int(end), name, value or None
    except ValueError as exc:
        raise argparse.ArgumentTypeError("expected START:END:ENTITY[=VALUE]") from exc


def run_inbox(args: argparse.Namespace) -> int:
    """The NLU inbox for trainers who prefer a terminal (same rules as the console)."""
    from crm_api.clock import utc_now
    from crm_api.config import TrainerSettings
    from crm_api.errors import DomainError
    from crm_api.staff.models import StaffUser
    from trainer.inbox.service import Inbox
    from trainer.nlu_files import Entity, TrainingFiles
    from trainer.tracker import TrackerReader

    settings = TrainerSettings()
    engine = create_db_engine(settings.crm_database_url)
    reader = TrackerReader(settings.tracker_url)
    try:
        with create_session_factory(engine)() as session:
            inbox = Inbox(
                session=session,
                reader=reader,
                files=TrainingFiles(settings.trainer_repo_dir),
                low_confidence=settings.trainer_low_confidence,
            )
            staff = None
            if getattr(args, "as_user", None):
                staff = session.query(StaffUser).filter_by(username=args.as_user).one_or_none()
                if staff is None or staff.role != "trainer":
                    print(f"inbox: {args.as_user} is not a trainer", file=sys.stderr)
                    return 1
            try:
                if args.inbox_command == "sync":
                    result = inbox.sync(now=utc_now())
                    print(
                        f"inbox sync: {result.events_read} events, {result.messages} messages, "
                        f"{result.new_items} new, {result.updated_items} seen again, "
                        f"{result.already_known} already in the training data"
                    )
                elif args.inbox_command == "list":
                    items, total = inbox.page(
                        status=args.status, reason=args.reason, page_size=args.limit
                    )
                    for item in items:
                        confidence = "-" if item.confidence is None else f"{item.confidence:.2f}"
                        print(
                            f"{item.id:>6}  {item.reason:<14} {item.predicted_intent or '-':<28}"
                            f" {confidence:>5}  ×{item.occurrences:<3} {item.text}"
                        )
                    print(f"({len(items)} of {total})")
                elif args.inbox_command == "accept":
                    entities = None
                    if args.entity is not None:
                        entities = [Entity(*e) for e in args.entity]
                    item = inbox.accept(
                        args.id, staff=staff, now=utc_now(), intent=args.intent, entities=entities
                    )
                    print(f"inbox: #{item.id} → {item.final_intent} written to {item.written_to}")
                else:
                    item = inbox.discard(args.id, staff=staff, now=utc_now())
                    print(f"inbox: #{item.id} discarded")
            except DomainError as exc:
                print(f"inbox: {exc.code}: {exc.detail}", file=sys.stderr)
                return 1
            session.commit()
            return 0
    finally:
        reader.dispose()
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_api.manage", description="crm_api admin")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply Alembic migrations (upgrade head)")
    seed_parser = sub.add_parser("seed", help="insert deterministic demo data")
    seed_parser.add_argument("--customers", type=int, default=200)
    seed_parser.add_argument("--if-empty", action="store_true", help="do nothing if seeded")
    seed_parser.add_argument("--reset", action="store_true", help="delete all rows first")
    staff_parser = sub.add_parser("create-staff", help="add a staff console user")
    staff_parser.add_argument("username")
    staff_parser.add_argument("--display-name", required=True, help="如 小李")
    staff_parser.add_argument("--role", choices=STAFF_ROLES, required=True)
    staff_parser.add_argument("--branch", required=True, help="如 北京分行 / 总行")
    inbox_parser = sub.add_parser("inbox", help="NLU inbox: sync, list, accept, discard")
    inbox_sub = inbox_parser.add_subparsers(dest="inbox_command", required=True)
    inbox_sub.add_parser("sync", help="file new customer messages from the tracker store")
    list_parser = inbox_sub.add_parser("list", help="show items, worst understood first")
    list_parser.add_argument("--status", choices=["new", "accepted", "discarded"], default="new")
    list_parser.add_argument("--reason", choices=["fallback", "handoff", "low_confidence", "other"])
    list_parser.add_argument("--limit", type=int, default=30)
    accept_parser = inbox_sub.add_parser(
        "accept", help="write an item into data/: as predicted, or with --intent/--entity"
    )
    accept_parser.add_argument("id", type=int)
    accept_parser.add_argument("--intent", help="the right intent (default: the prediction)")
    accept_parser.add_argument(
        "--entity",
        action="append",
        type=_entity_arg,
        metavar="START:END:ENTITY[=VALUE]",
        help="an entity span in the shown text (repeat; give none of them for no entities)",
    )
    accept_parser.add_argument("--as", dest="as_user", help="trainer username (audit)")
    discard_parser = inbox_sub.add_parser("discard", help="drop an item")
    discard_parser.add_argument("id", type=int)
    discard_parser.add_argument("--as", dest="as_user", help="trainer username (audit)")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    if args.command == "inbox":
        return run_inbox(args)
    database_url = DatabaseSettings().crm_database_url
    if args.command == "create-staff":
        return create_staff_user(
            database_url,
            username=args.username,
            display_name=args.display_name,
            role=args.role,
            branch=args.branch,
        )
    if args.command == "migrate":
        migrate(database_url)
        return 0
    return run_seed(
        database_url, customers=args.customers, if_empty=args.if_empty, reset=args.reset
    )


if __name__ == "__main__":
    sys.exit(main())
