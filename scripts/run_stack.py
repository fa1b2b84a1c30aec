"""Start crm_api, the action server and the Rasa server; wait until healthy; stop on Ctrl-C.

Used by `make run` / `make shell`, and by the end-to-end tests (`Stack`), so the processes
tests see are started exactly as a newcomer starts them. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT_BIN = ROOT / ".venv" / "bot" / "bin"
CRM_BIN = ROOT / ".venv" / "crm" / "bin"
MODEL = ROOT / "models" / "bank-assistant.tar.gz"


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str
    log_path: Path
    process: subprocess.Popen[bytes] | None = None


@dataclass
class Stack:
    """The three processes, configured from an environment dict."""

    env: dict[str, str]
    log_dir: Path
    with_rasa: bool = True
    services: list[Service] = field(default_factory=list)

    def __post_init__(self) -> None:
        env = self.env
        crm_port, action_port, rasa_port = env["CRM_PORT"], env["ACTION_PORT"], env["RASA_PORT"]
        # crm_api relays agents' messages to this Rasa server (human handoff)
        env.setdefault("RASA_URL", f"http://127.0.0.1:{rasa_port}")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.services = [
            Service(
                "crm_api",
                [
                    str(CRM_BIN / "python"),
                    "-m",
                    "uvicorn",
                    "crm_api.main:app",
                    "--host",
                    env.get("CRM_HOST", "127.0.0.1"),
                    "--port",
                    crm_port,
                    "--no-access-log",
                ],
                f"http://127.0.0.1:{crm_port}/health",
                self.log_dir / "crm_api.log",
            ),
            Service(
                "action server",
                [
                    str(BOT_BIN / "rasa"),
                    "run",
                    "actions",
                    "--actions",
                    "actions",
                    "--port",
                    action_port,
                ],
                f"http://127.0.0.1:{action_port}/health",
                self.log_dir / "actions.log",
            ),
        ]
        if self.with_rasa:
            self.services.append(
                Service(
                    "Rasa server",
                    [
                        str(BOT_BIN / "rasa"),
                        "run",
                        "--enable-api",
                        "--auth-token",
                        env["RASA_TOKEN"],
                        "--model",
                        env.get("RASA_MODEL", str(MODEL)),
                        "--credentials",
                        "credentials.yml",
                        "--endpoints",
                        "endpoints.yml",
                        "--port",
                        rasa_port,
                        "--cors",
                        "null",
                    ],
                    f"http://127.0.0.1:{rasa_port}/status?token={env['RASA_TOKEN']}",
                    self.log_dir / "rasa.log",
                )
            )

    def start(self, timeout: float = 240.0) -> None:
        for service in self.services:
            self._spawn(service)
        deadline = time.monotonic() + timeout
        for service in self.services:
            self._wait_healthy(service, deadline)

    def restart(self, name: str, timeout: float = 120.0) -> None:
        """Starts one stopped service again (the e2e outage tests stop the CRM)."""
        service = next(s for s in self.services if s.name == name)
        if service.process is not None and service.process.poll() is None:
            return
        self._spawn(service)
        self._wait_healthy(service, time.monotonic() + timeout)

    def _spawn(self, service: Service) -> None:
        log = service.log_path.open("ab")
        service.process = subprocess.Popen(
            service.command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _wait_healthy(self, service: Service, deadline: float) -> None:
        while time.monotonic() < deadline:
            assert service.process is not None
            if service.process.poll() is not None:
                raise RuntimeError(f"{service.name} exited early; see {service.log_path}")
            try:
                with urllib.request.urlopen(service.health_url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{service.name} not healthy in time; see {service.log_path}")

    def stop(self) -> None:
        for service in reversed(self.services):
            if service.process and service.process.poll() is None:
                os.killpg(service.process.pid, signal.SIGTERM)
        for service in self.services:
            if service.process:
                try:
                    service.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(service.process.pid, signal.SIGKILL)

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shell", action="store_true", help="chat in the terminal")
    args = parser.parse_args()
    env = dict(os.environ)
    stack = Stack(env, ROOT / "var" / "logs", with_rasa=not args.shell)
    # SIGTERM (e.g. from a supervisor or `timeout`) stops the children like Ctrl-C does.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    print("启动中 / starting crm_api, action server" + ("" if args.shell else ", Rasa") + " …")
    try:
        stack.start()
    except (RuntimeError, TimeoutError, KeyboardInterrupt) as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        stack.stop()
        return 1
    try:
        if args.shell:
            return subprocess.call(
                [
                    str(BOT_BIN / "rasa"),
                    "shell",
                    "--model",
                    str(MODEL),
                    "--endpoints",
                    "endpoints.yml",
                ],
                cwd=ROOT,
                env=env,
            )
        crm = f"http://127.0.0.1:{env['CRM_PORT']}"
        rasa = f"http://127.0.0.1:{env['RASA_PORT']}"
        print(
            f"""
智能客服 is running. Open:
  客户聊天页 customer chat     {rasa}/webhooks/webchat/
  CRM API docs (OpenAPI)      {crm}/docs
  演示短信箱 demo SMS outbox   {crm}/api/v1/demo/sms-outbox?phone=13800138000
  员工工作台 staff console     {crm}/console/   (demo staff: zhangzhuguan 主管, xiaoli 坐席;
                              password: CRM_STAFF_DEMO_PASSWORD, else the demo default in README)
  人工会话 handoff console     {crm}/console/handoff.html   (agents: xiaoli 小李, xiaowang 小王)
Demo customer: 张伟, phone 13800138000 (one 储蓄卡, one 信用卡); ask 「查余额」 and verify
with the code from the demo SMS outbox.
Logs: {stack.log_dir}    Ctrl-C stops everything.
""",
            flush=True,
        )
        while True:
            time.sleep(2)
            for service in stack.services:
                if service.process and service.process.poll() is not None:
                    print(f"ERROR: {service.name} stopped; see {service.log_path}", file=sys.stderr)
                    return 1
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping …")
        stack.stop()
    return 0


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
