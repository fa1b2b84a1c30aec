"""Data-quality report on the NLU training data; exits 1 if it finds an error.

    PYTHONPATH=. .venv/bot/bin/python scripts/check_data.py            # what `make check-data` runs
    PYTHONPATH=. .venv/bot/bin/python scripts/check_data.py --min-examples 30

The checks are described in trainer/checks/data.py. `make check-data` runs
`rasa data validate` first.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # rasa imports TensorFlow

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trainer.checks.data import (  # noqa: E402
    DEFAULT_MIN_EXAMPLES,
    DEFAULT_MIN_FAQ_EXAMPLES,
    ERROR,
    CheckConfig,
    format_report,
    run_checks,
)


def main(argv: list[str] | None = None) -> int:
    """Runs the checks and prints the report; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project directory")
    parser.add_argument(
        "--min-examples",
        type=int,
        default=DEFAULT_MIN_EXAMPLES,
        help=f"minimum examples per intent (default {DEFAULT_MIN_EXAMPLES})",
    )
    parser.add_argument(
        "--min-faq-examples",
        type=int,
        default=DEFAULT_MIN_FAQ_EXAMPLES,
        help=f"minimum examples per faq/<topic> (default {DEFAULT_MIN_FAQ_EXAMPLES})",
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    findings = run_checks(root, CheckConfig(args.min_examples, args.min_faq_examples))
    print(format_report(findings, root=root))
    return 1 if any(f.severity == ERROR for f in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
