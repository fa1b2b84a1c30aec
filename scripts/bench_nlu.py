"""NLU/training benchmark: full `rasa train` time and NLU parse latency, as a table.

    PYTHONPATH=. .venv/bot/bin/python scripts/bench_nlu.py [--skip-train]

Trains the full model (NLU + dialogue, `--force`, into a temporary directory, so the
cache does not hide the cost) and parses every held-out utterance with the trained
model, reporting p50/p95/max latency per message.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trainer.project import CONFIG, DATA, DOMAIN  # noqa: E402


def train(out: Path) -> tuple[float, Path]:
    rasa = Path(sys.executable).with_name("rasa")
    started = time.perf_counter()
    subprocess.run(
        [str(rasa), "train", "--force", "--config", CONFIG, "--domain", DOMAIN,
         "--data", DATA, "--out", str(out), "--fixed-model-name", "bench"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    return time.perf_counter() - started, out / "bench.tar.gz"


def parse_latencies(model: Path, texts: list[str]) -> list[float]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> list[float]:
        await agent.parse_message("你好")  # warm-up (lazy spaCy/jieba set-up)
        latencies = []
        for text in texts:
            started = time.perf_counter()
            await agent.parse_message(text)
            latencies.append((time.perf_counter() - started) * 1000)
        return latencies

    return asyncio.run(run())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-train", action="store_true", help="use models/bank-assistant.tar.gz"
    )
    args = parser.parse_args()
    from scripts.eval_nlu import load_test_examples

    texts = [e["text"] for e in load_test_examples()]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.skip_train:
            model = ROOT / "models/bank-assistant.tar.gz"
        else:
            seconds, model = train(Path(tmp))
            rows.append(("full `rasa train --force` (NLU + dialogue)", f"{seconds:.0f} s"))
        latencies = sorted(parse_latencies(model, texts))
    q = statistics.quantiles(latencies, n=20)
    rows += [
        ("NLU parse latency p50", f"{statistics.median(latencies):.1f} ms"),
        ("NLU parse latency p95", f"{q[18]:.1f} ms"),
        ("NLU parse latency max", f"{latencies[-1]:.1f} ms"),
        ("messages parsed", str(len(latencies))),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"| {'NLU benchmark'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
