"""`make bench`: NLU parse latency, full-turn latency of a balance question, crm_api throughput.

Starts its own stack on free ports with a fresh demo database (like the e2e tests), measures,
prints a table. Not a test: numbers on shared 2-core machines are noisy; compare ratios.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from run_stack import Stack  # noqa: E402

UTTERANCES = [
    "查余额",
    "我卡里还有多少钱",
    "上个月的流水给我看看",
    "信用卡这期要还多少",
    "我的卡丢了",
    "你好",
    "谢谢",
    "你是机器人吗",
    "今天天气怎么样",
    "储蓄卡余额",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def parse_latency(client: httpx.AsyncClient, rasa: str, token: str, n: int) -> list[float]:
    timings = []
    for i in range(n):
        started = time.perf_counter()
        response = await client.post(
            f"{rasa}/model/parse",
            params={"token": token},
            json={"text": UTTERANCES[i % len(UTTERANCES)]},
        )
        response.raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def balance_turns(
    client: httpx.AsyncClient, rasa: str, identity: str, conversations: int, turns: int
) -> list[float]:
    async def one_conversation() -> list[float]:
        sender = uuid.uuid4().hex
        metadata = {"channel": "app", "identity_token": identity}
        timings = []
        for _ in range(turns):
            started = time.perf_counter()
            response = await client.post(
                f"{rasa}/webhooks/rest/webhook",
                json={"sender": sender, "message": "查余额", "metadata": metadata},
            )
            response.raise_for_status()
            replies = " ".join(m.get("text", "") for m in response.json())
            assert "可用余额" in replies, replies
            timings.append((time.perf_counter() - started) * 1000)
        return timings

    results = await asyncio.gather(*(one_conversation() for _ in range(conversations)))
    return [t for timings in results for t in timings]


async def crm_rps(
    client: httpx.AsyncClient, crm: str, token: str, seconds: float, concurrency: int
) -> float:
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            response = await client.get(
                f"{crm}/api/v1/customers/1/accounts", headers={"Authorization": f"Bearer {token}"}
            )
            response.raise_for_status()
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - started)


async def measure(env: dict[str, str]) -> list[tuple[str, str]]:
    crm = f"http://127.0.0.1:{env['CRM_PORT']}"
    rasa = f"http://127.0.0.1:{env['RASA_PORT']}"
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        identity = (
            await client.post(f"{crm}/api/v1/demo/app-token", json={"phone": "13800138000"})
        ).json()["token"]
        await parse_latency(client, rasa, env["RASA_TOKEN"], 10)  # warm-up
        await balance_turns(client, rasa, identity, 1, 3)
        parse = await parse_latency(client, rasa, env["RASA_TOKEN"], 200)
        single = await balance_turns(client, rasa, identity, 1, 30)
        twenty = await balance_turns(client, rasa, identity, 20, 5)
        rps = await crm_rps(client, crm, env["CRM_SERVICE_TOKEN"], 10, 20)
    rows = [
        (
            "NLU parse (POST /model/parse), 200 requests",
            f"p50 {statistics.median(parse):.0f} ms, p95 {pct(parse, 0.95):.0f} ms",
        ),
        (
            "balance question, full turn, 1 conversation (30 turns)",
            f"p50 {statistics.median(single):.0f} ms, p95 {pct(single, 0.95):.0f} ms",
        ),
        (
            "balance question, full turn, 20 concurrent conversations (100 turns)",
            f"p50 {statistics.median(twenty):.0f} ms, p95 {pct(twenty, 0.95):.0f} ms",
        ),
        ("crm_api GET /customers/1/accounts, 20 concurrent, 10 s", f"{rps:.0f} requests/s"),
    ]
    return rows


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    env = dict(os.environ)
    ports = {"CRM_PORT": free_port(), "ACTION_PORT": free_port(), "RASA_PORT": free_port()}
    env.update({k: str(v) for k, v in ports.items()})
    env.update(
        {
            "CRM_DEMO_MODE": "true",
            "CRM_DATABASE_URL": f"sqlite:///{tmp / 'crm.db'}",
            "CRM_URL": f"http://127.0.0.1:{ports['CRM_PORT']}",
            "CRM_PUBLIC_URL": f"http://127.0.0.1:{ports['CRM_PORT']}",
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports['ACTION_PORT']}/webhook",
            "TRACKER_DB": str(tmp / "tracker.db"),
        }
    )
    python = str(ROOT / ".venv" / "crm" / "bin" / "python")
    for command in (["migrate"], ["seed", "--if-empty"]):
        subprocess.run(
            [python, "-m", "crm_api.manage", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    print("starting the stack for the benchmark …", flush=True)
    with Stack(env, tmp / "logs"):
        rows = asyncio.run(measure(env))
    width = max(len(name) for name, _ in rows)
    print(f"\n{'measure'.ljust(width)} | result\n{'-' * width}-|-------")
    for name, value in rows:
        print(f"{name.ljust(width)} | {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
