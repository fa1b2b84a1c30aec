"""模型训练: the serving model, retrain-and-reload runs, their progress and failures.

A run executes in a thread with its own database sessions, like in production, so these
tests use an app with the real session factory on the session's (migrated) database and
delete what they committed afterwards, instead of the rolled-back `session` fixture.
`rasa` is a small Python script that prints Rasa-like output and writes a model archive;
the Rasa server's HTTP API is an httpx MockTransport.
"""

from __future__ import annotations

import io
import json
import os
import socket
import stat
import sys
import tarfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete

from crm_api.clock import UTC, utc_now
from crm_api.main import create_app
from crm_api.staff.models import StaffUser
from tests.crm_api.conftest import SERVICE_TOKEN, assert_error, make_settings
from tests.crm_api.staff_helpers import login, make_staff
from trainer.training.archive import archive_info
from trainer.training.models import TrainingRun
from trainer.training.progress import TrainingProgress
from trainer.training.rasa_server import RasaServer
from trainer.training.runner import TrainingRunner

RASA_TOKEN = "rasa-test-token-0123456789"
RASA_URL = "http://rasa.test:5005"

FAKE_RASA = r'''
"""A stand-in for `rasa train`: Rasa-like output, then a model archive (or a failure).

Behaviour from files in the working directory (the training work tree):
fake_mode = ok | fail | block (block: wait for the file `release` before finishing).
"""
import io, json, os, sys, tarfile, time, uuid
from datetime import datetime

args = sys.argv[1:]
with open("fake_calls.jsonl", "a") as calls:
    calls.write(json.dumps({"args": args, "cwd": os.getcwd(), "env": dict(os.environ)}) + "\n")
mode = open("fake_mode").read().strip() if os.path.exists("fake_mode") else "ok"
out = args[args.index("--out") + 1]
name = args[args.index("--fixed-model-name") + 1]

def say(text, end="\n"):
    sys.stdout.write(text + end)
    sys.stdout.flush()

HOOKS = "2026-12-03 07:07:07 INFO     rasa.engine.training.hooks  - "
say("2026-12-03 07:06:58 INFO     rasa.cli.train  - Started validating domain and training data...")
say("/site-packages/pkg_resources/__init__.py:3117: DeprecationWarning: Deprecated call")
say("  declare_namespace(pkg)")
say("\x1b[93mUserWarning: example '我的手机号13800138000' is very short\x1b[0m")
say(HOOKS + "Restored component 'JiebaTokenizer' from cache.")
say(HOOKS + "Starting to train component 'CharNgramIntentClassifier'.")
say(HOOKS + "Finished training component 'CharNgramIntentClassifier'.")
if mode == "fail":
    say("Traceback (most recent call last):")
    say("rasa.shared.exceptions.YamlSyntaxException: Failed to read 'data/nlu/card.yml'.")
    sys.exit(1)
say(HOOKS + "Starting to train component 'TEDPolicy'.")
for done in (10, 20):
    say(f"Epochs:  {done * 100 // 40}%|###     | {done}/40 [00:01<00:02, t_loss=1.2]", end="\r")
if mode == "block":
    while not os.path.exists("release"):
        time.sleep(0.05)
for done in (30, 40):
    say(f"Epochs: {done * 100 // 40}%|####### | {done}/40 [00:03<00:00, t_loss=0.4]", end="\r")
say("")
say(HOOKS + "Finished training component 'TEDPolicy'.")
os.makedirs(out, exist_ok=True)
metadata = json.dumps({"model_id": uuid.uuid4().hex, "trained_at": datetime.utcnow().isoformat(),
                       "rasa_open_source_version": "3.6.21"}).encode()
path = os.path.join(out, name + ".tar.gz")
with tarfile.open(path, "w:gz") as archive:
    info = tarfile.TarInfo("metadata.json")
    info.size = len(metadata)
    archive.addfile(info, io.BytesIO(metadata))
say(f"\x1b[92mYour Rasa model is trained and saved at '{path}'.\x1b[0m")
'''


def write_archive(path: Path, model_id: str, trained_at: datetime) -> None:
    """A Rasa 3 model archive as far as crm_api reads it: `metadata.json` at the top."""
    metadata = json.dumps(
        {
            "model_id": model_id,
            "trained_at": trained_at.astimezone(UTC).replace(tzinfo=None).isoformat(),
        }
    ).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("metadata.json")
        info.size = len(metadata)
        archive.addfile(info, io.BytesIO(metadata))
        filler = b"x" * 2048
        info = tarfile.TarInfo("components/domain_provider/domain.yml")
        info.size = len(filler)
        archive.addfile(info, io.BytesIO(filler))


@dataclass
class FakeRasaServer:
    """Rasa's `GET /status` and `PUT /model`; a PUT loads the archive's model id."""

    model_id: str | None = "old-model"
    model_file: str = "bank-assistant.tar.gz"
    down: bool = False
    reject_load: bool = False
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.params.get("token") != RASA_TOKEN:
            return httpx.Response(401, json={"message": "User is not authenticated."})
        if request.method == "GET" and request.url.path == "/status":
            if self.model_id is None:
                return httpx.Response(409, json={"message": "No agent loaded."})
            return httpx.Response(
                200,
                json={
                    "model_file": self.model_file,
                    "model_id": self.model_id,
                    "num_active_training_jobs": 0,
                },
            )
        if request.method == "PUT" and request.url.path == "/model":
            if self.reject_load:
                return httpx.Response(
                    500, json={"message": "An unexpected error occurred. Error: bad archive"}
                )
            path = Path(json.loads(request.content)["model_file"])
            info = archive_info(path)
            assert info is not None, path
            self.model_id, self.model_file = info.model_id, path.name
            return httpx.Response(204)
        return httpx.Response(404)

    def loads(self) -> list[dict[str, Any]]:
        return [
            {"body": json.loads(r.content), "token": r.url.params.get("token")}
            for r in self.requests
            if r.method == "PUT"
        ]


@dataclass
class TrainingWorld:
    app: FastAPI
    client: TestClient
    repo: Path
    rasa: FakeRasaServer
    runner: TrainingRunner
    staff: dict[str, StaffUser]

    def headers(self, role: str) -> dict[str, str]:
        return login(self.client, self.staff[role])

    def set_mode(self, mode: str) -> None:
        (self.repo / "fake_mode").write_text(mode)

    def calls(self) -> list[dict[str, Any]]:
        path = self.repo / "fake_calls.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def start(self, role: str = "trainer") -> dict[str, Any]:
        response = self.client.post("/api/v1/trainer/training-runs", headers=self.headers(role))
        assert response.status_code == 202, response.text
        body: dict[str, Any] = response.json()
        return body

    def finish(self, run_id: int, headers: dict[str, str]) -> dict[str, Any]:
        self.runner.wait(run_id, timeout=30)
        response = self.client.get(f"/api/v1/trainer/training-runs/{run_id}", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def make_repo(root: Path) -> Path:
    repo = root / "repo"
    (repo / "data" / "nlu").mkdir(parents=True)
    (repo / "models").mkdir()
    (repo / "config.yml").write_text(
        "pipeline:\n  - name: JiebaTokenizer\n  - name: CharNgramIntentClassifier\n"
        "policies:\n  - name: RulePolicy\n  - name: TEDPolicy\n",
        encoding="utf-8",
    )
    (repo / "domain").mkdir()
    (repo / "domain" / "core.yml").write_text(
        "version: '3.1'\nintents: [greet]\n", encoding="utf-8"
    )
    (repo / "data" / "nlu" / "greet.yml").write_text("nlu: []\n", encoding="utf-8")
    return repo


def make_fake_rasa(root: Path) -> Path:
    script = root / "bin" / "rasa"
    script.parent.mkdir()
    script.write_text(f"#!{sys.executable}\n{FAKE_RASA}", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[TrainingWorld]:
    repo = make_repo(tmp_path)
    settings = make_settings(
        database_url,
        trainer_repo_dir=repo,
        trainer_rasa_bin=str(make_fake_rasa(tmp_path)),
        rasa_url=RASA_URL,
        rasa_token=RASA_TOKEN,
        tracker_password="tracker-secret-do-not-leak",
    )
    app = create_app(settings)
    rasa = FakeRasaServer()
    runner: TrainingRunner = app.state.training_runner
    runner.rasa = RasaServer(RASA_URL, RASA_TOKEN, transport=httpx.MockTransport(rasa))
    staff: dict[str, StaffUser] = {}
    with app.state.session_factory() as session:
        for role in ("trainer", "supervisor", "agent"):
            staff[role] = make_staff(session, role, username=f"{role}-{uuid.uuid4().hex[:8]}")
        session.commit()
    try:
        with TestClient(app) as client:
            yield TrainingWorld(app, client, repo, rasa, runner, staff)
    finally:
        runner.shutdown()
        with app.state.session_factory() as session:
            session.execute(delete(TrainingRun))
            session.execute(
                delete(StaffUser).where(StaffUser.id.in_([s.id for s in staff.values()]))
            )
            session.commit()
        app.state.engine.dispose()


def wait_for(
    world: TrainingWorld, run_id: int, headers: dict[str, str], check: Any
) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        body: dict[str, Any] = world.client.get(
            f"/api/v1/trainer/training-runs/{run_id}", headers=headers
        ).json()
        if check(body):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


# ---- who may use it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/trainer/model"),
        ("GET", "/api/v1/trainer/training-runs"),
        ("POST", "/api/v1/trainer/training-runs"),
        ("GET", "/api/v1/trainer/training-runs/1"),
    ],
)
def test_only_trainers(world: TrainingWorld, method: str, path: str) -> None:
    # no login at all (the service token of the action server is not a staff login)
    anonymous = world.client.request(method, path, headers={"Authorization": "Bearer nope"})
    assert_error(anonymous, 401, "not_authenticated")
    service = world.client.request(
        method, path, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}
    )
    assert_error(service, 401, "not_authenticated")
    # agents and supervisors are logged in but may not retrain
    for role in ("agent", "supervisor"):
        assert_error(
            world.client.request(method, path, headers=world.headers(role)), 403, "forbidden"
        )
    assert world.calls() == []


# ---- the serving model --------------------------------------------------------------------


def test_model_overview_reads_the_served_archive(world: TrainingWorld) -> None:
    trained_at = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    archive = world.repo / "models" / "bank-assistant.tar.gz"
    write_archive(archive, "old-model", trained_at)
    old = (trained_at - timedelta(hours=1)).timestamp()
    for path in [world.repo / "config.yml", *world.repo.rglob("*.yml")]:
        os.utime(path, (old, old))

    body = world.client.get("/api/v1/trainer/model", headers=world.headers("trainer")).json()

    assert body["serving"] == {
        "model_file": "bank-assistant.tar.gz",
        "model_id": "old-model",
        "num_active_training_jobs": 0,
    }
    assert body["rasa_error"] is None
    assert body["archive"] == {
        "file": "bank-assistant.tar.gz",
        "model_id": "old-model",
        "trained_at": "2026-12-01T10:30:00+08:00",  # Beijing time
        "trained_at_source": "metadata",
        "size_bytes": archive.stat().st_size,
    }
    assert body["archive_is_serving"] is True
    assert body["data_changed"] is False
    assert body["advice"] == []
    assert world.rasa.requests[-1].url.params["token"] == RASA_TOKEN


def test_model_overview_says_when_the_data_changed(world: TrainingWorld) -> None:
    write_archive(
        world.repo / "models" / "bank-assistant.tar.gz", "old-model", utc_now() - timedelta(days=1)
    )
    (world.repo / "data" / "nlu" / "card.yml").write_text("nlu: []\n", encoding="utf-8")

    body = world.client.get("/api/v1/trainer/model", headers=world.headers("trainer")).json()

    assert body["data_changed"] is True
    assert "训练数据在模型训练之后有改动，建议重新训练" in body["advice"]


def test_model_overview_without_the_rasa_server(world: TrainingWorld) -> None:
    write_archive(world.repo / "models" / "bank-assistant.tar.gz", "m1", utc_now())
    world.rasa.down = True

    response = world.client.get("/api/v1/trainer/model", headers=world.headers("trainer"))

    assert response.status_code == 200
    body = response.json()
    assert body["serving"] is None
    assert body["rasa_error"] == "无法连接 Rasa 服务器，请确认它已启动"
    assert body["archive"]["model_id"] == "m1"  # the file on disk is still described
    assert body["archive_is_serving"] is None


def test_model_overview_when_the_archive_is_not_what_serves(world: TrainingWorld) -> None:
    # e.g. `make train` rebuilt the archive but the Rasa server was not restarted
    write_archive(world.repo / "models" / "bank-assistant.tar.gz", "newer-model", utc_now())

    body = world.client.get("/api/v1/trainer/model", headers=world.headers("trainer")).json()

    assert body["archive_is_serving"] is False
    assert any("不是 Rasa 正在使用的模型" in hint for hint in body["advice"])


# ---- a run --------------------------------------------------------------------------------


def test_retrain_and_reload_end_to_end(world: TrainingWorld) -> None:
    headers = world.headers("trainer")
    world.set_mode("block")

    started = world.start()
    assert started["status"] == "running"
    assert started["stage"] in ("queued", "training")
    assert started["requested_by"] == world.staff["trainer"].id

    # while TEDPolicy trains: stage 训练中, progress from the components and epochs so far
    during = wait_for(world, started["id"], headers, lambda b: "20/40" in (b["step"] or ""))
    assert during["status"] == "running"
    assert (during["stage"], during["stage_label"]) == ("training", "训练中")
    assert during["step"] == "正在训练组件 TEDPolicy：第 20/40 轮（50%）"
    # 2 of 4 components done + half of TEDPolicy's epochs
    assert 5 < during["progress"] < 90
    assert "Restored component 'JiebaTokenizer' from cache." in during["log_tail"]
    # the number in the training example is masked, the colour codes are gone
    assert "13800138000" not in during["log_tail"]
    assert "138****8000" in during["log_tail"]
    assert "\x1b[" not in during["log_tail"]
    # dependencies' deprecation chatter is left out
    assert "DeprecationWarning" not in during["log_tail"]
    assert "declare_namespace" not in during["log_tail"]
    # a progress bar redrawn with \r is one line, its latest state
    assert during["log_tail"].count("Epochs:") == 1

    (world.repo / "release").touch()
    done = world.finish(started["id"], headers)

    assert done["status"] == "succeeded"
    assert (done["stage"], done["stage_label"]) == ("done", "完成")
    assert done["progress"] == 100
    assert done["error"] is None
    assert done["finished_at"] and done["duration_seconds"] is not None
    assert done["requested_by_name"] == world.staff["trainer"].display_name
    archive = world.repo / "models" / "bank-assistant.tar.gz"
    info = archive_info(archive)
    assert info is not None and done["model_id"] == info.model_id
    assert done["model_file"] == "bank-assistant.tar.gz"
    # the staging folder is gone; the Rasa server was told to load the new archive …
    assert sorted(p.name for p in (world.repo / "models").iterdir()) == ["bank-assistant.tar.gz"]
    assert world.rasa.loads() == [{"body": {"model_file": str(archive)}, "token": RASA_TOKEN}]
    # … and now serves it
    assert world.rasa.model_id == info.model_id

    # `rasa train` ran in the work tree with Rasa's arguments and no crm_api secrets
    (call,) = world.calls()
    assert call["cwd"] == str(world.repo)
    out = call["args"][call["args"].index("--out") + 1]
    assert call["args"] == [
        "train", "--config", "config.yml", "--domain", "domain", "--data", "data",
        "--out", out, "--fixed-model-name", "bank-assistant",
    ]  # fmt: skip
    assert Path(out).parent == world.repo / "models"
    assert call["env"]["PYTHONPATH"] == str(world.repo)
    leaked = [k for k in call["env"] if k.startswith(("CRM_", "RASA_", "TRACKER_", "APP_"))]
    assert leaked == []
    for secret in (SERVICE_TOKEN, RASA_TOKEN, "tracker-secret-do-not-leak"):
        assert secret not in json.dumps(call["env"])

    runs = world.client.get("/api/v1/trainer/training-runs", headers=headers).json()
    assert [r["id"] for r in runs][:1] == [started["id"]]
    assert "log_tail" not in runs[0]
    overview = world.client.get("/api/v1/trainer/model", headers=headers).json()
    assert overview["serving"]["model_id"] == info.model_id
    assert overview["archive_is_serving"] is True


def test_failed_training_keeps_the_serving_model(world: TrainingWorld) -> None:
    headers = world.headers("trainer")
    write_archive(world.repo / "models" / "bank-assistant.tar.gz", "old-model", utc_now())
    world.set_mode("fail")

    run = world.finish(world.start()["id"], headers)

    assert run["status"] == "failed"
    assert (run["stage"], run["stage_label"]) == ("failed", "失败")
    assert run["error_code"] == "training_failed"
    assert run["error"] == "训练失败（rasa train 退出码 1），请查看下方日志"
    assert "YamlSyntaxException" in run["log_tail"]
    assert 0 < run["progress"] < 90
    # nothing was loaded; the previous archive is untouched and no staging folder is left
    assert world.rasa.loads() == []
    info = archive_info(world.repo / "models" / "bank-assistant.tar.gz")
    assert info is not None and info.model_id == "old-model"
    assert sorted(p.name for p in (world.repo / "models").iterdir()) == ["bank-assistant.tar.gz"]


@pytest.mark.parametrize(
    ("setup", "code", "message_part"),
    [
        # the Rasa server refuses the new archive
        ("reject", "reload_failed", "Rasa 服务器加载失败：Rasa 服务器返回错误 500"),
        # the Rasa server is not running
        ("down", "reload_failed", "无法连接 Rasa 服务器"),
    ],
)
def test_reload_failure(world: TrainingWorld, setup: str, code: str, message_part: str) -> None:
    headers = world.headers("trainer")
    if setup == "reject":
        world.rasa.reject_load = True
    else:
        world.rasa.down = True

    run = world.finish(world.start()["id"], headers)

    assert run["status"] == "failed"
    assert run["error_code"] == code
    assert message_part in run["error"]
    assert "新模型已训练好（bank-assistant.tar.gz）" in run["error"]
    assert run["model_file"] == "bank-assistant.tar.gz"  # trained: the next run reuses it
    assert 90 <= run["progress"] < 100


def test_reload_not_taking_effect_is_a_failure(world: TrainingWorld) -> None:
    headers = world.headers("trainer")
    original = world.rasa.__call__

    def ignore_load(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            world.rasa.requests.append(request)
            return httpx.Response(204)  # says yes, keeps serving the old model
        return original(request)

    world.runner.rasa = RasaServer(RASA_URL, RASA_TOKEN, transport=httpx.MockTransport(ignore_load))

    run = world.finish(world.start()["id"], headers)

    assert run["error_code"] == "reload_not_verified"
    assert run["error"] == "Rasa 服务器仍在使用旧模型，新模型没有生效，请联系运维"


def test_one_run_at_a_time(world: TrainingWorld) -> None:
    headers = world.headers("trainer")
    world.set_mode("block")
    first = world.start()

    second = world.client.post("/api/v1/trainer/training-runs", headers=headers)

    body = assert_error(second, 409, "training_run_in_progress")
    assert body["run_id"] == first["id"]
    (world.repo / "release").touch()
    assert world.finish(first["id"], headers)["status"] == "succeeded"
    # once it is over, the next one may start
    assert world.finish(world.start()["id"], headers)["status"] == "succeeded"
    assert len(world.calls()) == 2


def test_missing_rasa_executable(world: TrainingWorld) -> None:
    world.runner.settings = world.runner.settings.model_copy(
        update={"trainer_rasa_bin": str(world.repo / "no-such-rasa")}
    )
    response = world.client.post("/api/v1/trainer/training-runs", headers=world.headers("trainer"))
    assert_error(response, 503, "training_unavailable")


def test_unknown_run(world: TrainingWorld) -> None:
    response = world.client.get(
        "/api/v1/trainer/training-runs/999999", headers=world.headers("trainer")
    )
    assert_error(response, 404, "training_run_not_found")


# ---- runs orphaned by a restart -----------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "heartbeat_age"),
    [
        # started by this process, but its thread is gone (e.g. it crashed)
        ("self", timedelta(0)),
        # started by a crm_api process that no longer exists (restart) on this host
        ("dead-pid", timedelta(0)),
        # started by another instance that stopped sending heartbeats
        ("other-host", timedelta(minutes=5)),
    ],
)
def test_interrupted_run_shows_as_failed(
    world: TrainingWorld, owner: str, heartbeat_age: timedelta
) -> None:
    owners = {
        "self": world.runner.owner,
        "dead-pid": f"{socket.gethostname()}:999999999:abcd1234",
        "other-host": "crm-api-2.internal:4242:abcd1234",
    }
    now = utc_now()
    with world.app.state.session_factory() as session:
        run = TrainingRun(
            requested_by=world.staff["trainer"].id,
            status="running",
            stage="training",
            progress=40,
            step="正在训练组件 TEDPolicy",
            owner=owners[owner],
            started_at=now - timedelta(minutes=10),
            heartbeat_at=now - heartbeat_age,
            log_tail="",
        )
        session.add(run)
        session.commit()
        run_id = run.id
    headers = world.headers("trainer")

    body = world.client.get(f"/api/v1/trainer/training-runs/{run_id}", headers=headers).json()

    assert (body["status"], body["stage"], body["error_code"]) == (
        "failed",
        "failed",
        "interrupted",
    )
    assert "中断" in body["error"]
    assert body["finished_at"] is not None
    # and it no longer blocks a new run
    assert world.finish(world.start()["id"], headers)["status"] == "succeeded"


def test_another_live_instance_keeps_its_run(world: TrainingWorld) -> None:
    with world.app.state.session_factory() as session:
        run = TrainingRun(
            status="running",
            stage="training",
            owner="crm-api-2.internal:4242:abcd1234",
            heartbeat_at=utc_now(),
            log_tail="",
        )
        session.add(run)
        session.commit()
    headers = world.headers("trainer")

    runs = world.client.get("/api/v1/trainer/training-runs", headers=headers).json()

    assert runs[0]["status"] == "running"
    assert_error(
        world.client.post("/api/v1/trainer/training-runs", headers=headers),
        409,
        "training_run_in_progress",
    )


# ---- reading Rasa's output ----------------------------------------------------------------


def test_progress_never_goes_backwards_and_ends_at_ninety() -> None:
    progress = TrainingProgress(components_total=4)
    seen = []
    for line in [
        "INFO rasa.cli.train  - Started validating domain and training data...",
        "INFO hooks - Restored component 'JiebaTokenizer' from cache.",
        "INFO hooks - Starting to train component 'TEDPolicy'.",
        "Epochs:  50%|#####     | 20/40 [00:10<00:10]",
        "Epochs: 100%|##########| 40/40 [00:20<00:00]",
        "INFO hooks - Finished training component 'TEDPolicy'.",
        "Your Rasa model is trained and saved at 'models/x.tar.gz'.",
    ]:
        progress.feed(line)
        seen.append(progress.progress)
    assert seen == sorted(seen)
    assert seen[-1] == 90
    assert progress.saved
