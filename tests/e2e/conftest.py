"""End-to-end: the real crm_api, action server and Rasa server on free ports.

The stack is started exactly as `make run` starts it (scripts/run_stack.py), on a fresh
SQLite CRM database and tracker store in a temporary directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from run_stack import MODEL, Stack  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def stack_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does it)")
    tmp = tmp_path_factory.mktemp("stack")
    crm_port, action_port, rasa_port = free_port(), free_port(), free_port()
    env = dict(os.environ)
    env.update(
        {
            "CRM_ENV": "development",
            "CRM_DEMO_MODE": "true",
            "CRM_DATABASE_URL": f"sqlite:///{tmp / 'crm.db'}",
            "CRM_SERVICE_TOKEN": "e2e-service-token-0123456789abcdef",
            "APP_TOKEN_SECRET": "e2e-app-token-secret-0123456789abcdef",
            "WEBCHAT_SECRET": "e2e-webchat-secret-0123456789abcdef",
            "RASA_TOKEN": "e2e-rasa-token-0123456789",
            "CRM_HOST": "127.0.0.1",
            "CRM_PORT": str(crm_port),
            "ACTION_PORT": str(action_port),
            "RASA_PORT": str(rasa_port),
            "CRM_URL": f"http://127.0.0.1:{crm_port}",
            "CRM_PUBLIC_URL": f"http://127.0.0.1:{crm_port}",
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "HANDOFF_SERVICE_HOURS": "00:00-24:00",  # handoff e2e runs at any hour
            "TRACKER_DIALECT": "sqlite",
            "TRACKER_DB": str(tmp / "tracker.db"),
            "TRACKER_HOST": "",
            "TRACKER_PORT": "",
            "TRACKER_USER": "",
            "TRACKER_PASSWORD": "",
            "PYTHONPATH": str(ROOT),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            # Many conversations verify the same demo customer here; the rate limits
            # themselves are covered by tests/crm_api/test_otp.py.
            "OTP_RESEND_GAP_SECONDS": "0",
            "OTP_REQUESTS_PER_HOUR": "1000",
        }
    )
    crm_python = str(ROOT / ".venv" / "crm" / "bin" / "python")
    for command in (["migrate"], ["seed", "--if-empty"]):
        subprocess.run(
            [crm_python, "-m", "crm_api.manage", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    # trainers annotate a copy of the training data, never the work tree under test
    repo = tmp / "repo"
    shutil.copytree(ROOT / "data", repo / "data")
    shutil.copytree(ROOT / "domain", repo / "domain")
    shutil.copy(ROOT / "config.yml", repo / "config.yml")
    # the custom NLU components, which a retrain started from the console imports
    shutil.copytree(ROOT / "bot", repo / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests" / "stories", repo / "tests" / "stories")
    env["TRAINER_REPO_DIR"] = str(repo)
    env["E2E_TMP"] = str(tmp)
    return env


@pytest.fixture(scope="session")
def stack(stack_env: dict[str, str]) -> Iterator[Stack]:
    with Stack(stack_env, Path(stack_env["E2E_TMP"]) / "logs") as running:
        yield running


@pytest.fixture(scope="session")
def urls(stack: Stack, stack_env: dict[str, str]) -> dict[str, str]:
    return {
        "crm": f"http://127.0.0.1:{stack_env['CRM_PORT']}",
        "rasa": f"http://127.0.0.1:{stack_env['RASA_PORT']}",
    }


@pytest.fixture(scope="session")
def crm_api(urls: dict[str, str], stack_env: dict[str, str]) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {stack_env['CRM_SERVICE_TOKEN']}"}
    with httpx.Client(base_url=urls["crm"] + "/api/v1", headers=headers, timeout=10) as client:
        yield client


def latest_code(crm_url: str, phone: str) -> str:
    import re

    outbox = httpx.get(f"{crm_url}/api/v1/demo/sms-outbox", params={"phone": phone}).json()
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", outbox[0]["text"])
    assert match, outbox[0]["text"]
    return match.group(1)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless (never `playwright install`: it downloads)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `make browser` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A desktop page for the staff console (modules for the customer chat override it)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    yield page
    context.close()


def log_in(page: Page, console: str, username: str) -> None:
    from crm_api.staff.service import DEMO_DEFAULT_PASSWORD

    page.goto(console + "index.html")
    page.fill("#username", username)
    page.fill("#password", DEMO_DEFAULT_PASSWORD)
    page.click("#submit")
