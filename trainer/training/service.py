"""Retraining from the staff console: which model serves, `rasa train`, reload via `/model`.

A run trains into a staging folder under `models/` with Rasa's own command line (its
fingerprint cache skips the parts whose inputs did not change), moves the archive over
`models/bank-assistant.tar.gz` in one rename (so a failed run never leaves half a model
where `make run` would load it), asks the Rasa server to load it (`PUT /model`) and
checks with `GET /status` that the new model id is the one serving.

The run executes in a thread of this crm_api process; its state is written to the
`training_runs` table as it goes, so every crm_api instance and every console page reads
the same progress. crm_api never imports Rasa: they meet over HTTP with `RASA_TOKEN` and
over the files of `TRAINER_REPO_DIR`.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import tarfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bankkit.masking import mask_digit_runs
from crm_api.clock import UTC, Clock, utc_now
from crm_api.config import Settings
from crm_api.errors import DomainError
from crm_api.staff.models import StaffUser
from trainer.project import CONFIG, DATA, DOMAIN, TRAINING_INPUTS
from trainer.training.models import TrainingRun

logger = logging.getLogger(__name__)

MODEL_NAME = "bank-assistant"
MODEL_ARCHIVE = f"{MODEL_NAME}.tar.gz"

STAGE_LABELS = {
    "queued": "排队",
    "training": "训练中",
    "loading": "加载新模型",
    "done": "完成",
    "failed": "失败",
}
STATUS_LABELS = {"running": "进行中", "succeeded": "成功", "failed": "失败"}

LOG_TAIL_LINES = 60
LOG_LINE_CHARS = 300
#: a running run refreshes `heartbeat_at` this often …
HEARTBEAT_SECONDS = 5.0
#: … and one whose heartbeat is older than this was orphaned (its crm_api stopped)
STALE_AFTER = timedelta(seconds=30)
#: progress is written at most this often (stage changes are written at once)
PERSIST_EVERY_SECONDS = 0.7
#: a training that runs longer than this is stopped
TRAINING_TIMEOUT_SECONDS = 3 * 3600
#: loading a model in the Rasa server reads and initialises every component
RELOAD_TIMEOUT_SECONDS = 300.0

# progress bands of the stages, in percent
_TRAIN_START, _TRAIN_END, _LOAD_START = 5, 90, 92


# ---- errors ------------------------------------------------------------------------------


class TrainingRunInProgress(DomainError):
    status_code = 409
    code = "training_run_in_progress"
    detail_zh = "已有一次训练正在进行，请等它结束后再发起"
    detail_en = "A training run is already in progress"


class TrainingRunNotFound(DomainError):
    status_code = 404
    code = "training_run_not_found"
    detail_zh = "训练记录不存在"
    detail_en = "Training run not found"


class TrainingUnavailable(DomainError):
    status_code = 503
    code = "training_unavailable"
    detail_zh = "本机无法训练：找不到 rasa 程序或训练数据目录，请联系运维"
    detail_en = "Training is not available here: rasa executable or training data not found"


class RasaServerError(Exception):
    """The Rasa server could not be reached or refused; `reason` is Chinese, for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _RunFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


# ---- the Rasa server's HTTP API ----------------------------------------------------------


class RasaServer:
    """`GET /status` and `PUT /model` of a Rasa server started with `--enable-api
    --auth-token`; Rasa reads the token from the `token` query parameter."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.transport = transport

    def _request(
        self, method: str, path: str, *, timeout: float | None = None, **kwargs: Any
    ) -> httpx.Response:
        if not self.token:
            raise RasaServerError("未配置 RASA_TOKEN，无法访问 Rasa 服务器")
        try:
            with httpx.Client(
                base_url=self.base_url,
                timeout=timeout or self.timeout,
                transport=self.transport,
            ) as client:
                response = client.request(method, path, params={"token": self.token}, **kwargs)
        except httpx.TimeoutException:
            logger.error("trainer.rasa %s %s timed out", method, path)
            raise RasaServerError("Rasa 服务器响应超时") from None
        except httpx.HTTPError as exc:
            # never log the URL: it carries the token
            logger.error("trainer.rasa %s %s failed: %s", method, path, type(exc).__name__)
            raise RasaServerError("无法连接 Rasa 服务器，请确认它已启动") from None
        if response.status_code in (401, 403):
            logger.error("trainer.rasa %s %s answered %d", method, path, response.status_code)
            raise RasaServerError("Rasa 服务器拒绝访问：RASA_TOKEN 不正确")
        if response.status_code == 409 and path == "/status":
            raise RasaServerError("Rasa 服务器已启动，但还没有加载任何模型")
        if response.status_code >= 400:
            message = ""
            with suppress(ValueError, AttributeError):
                message = str(response.json().get("message") or "")
            logger.error("trainer.rasa %s %s answered %d", method, path, response.status_code)
            suffix = f"：{_clean(message)[:200]}" if message else ""
            raise RasaServerError(f"Rasa 服务器返回错误 {response.status_code}{suffix}")
        return response

    def status(self) -> dict[str, Any]:
        """`model_file` (the archive's file name), `model_id`, `num_active_training_jobs`."""
        body = self._request("GET", "/status").json()
        return body if isinstance(body, dict) else {}

    def load_model(self, model_file: Path) -> None:
        """Replaces the serving model; Rasa answers when the new one is loaded."""
        self._request(
            "PUT",
            "/model",
            json={"model_file": str(model_file)},
            timeout=RELOAD_TIMEOUT_SECONDS,
        )


# ---- the model archive and the training inputs --------------------------------------------


@dataclass(frozen=True)
class ArchiveInfo:
    path: Path
    size_bytes: int
    model_id: str | None
    trained_at: datetime
    trained_at_source: str  # "metadata" or "file_mtime"


def archive_info(path: Path) -> ArchiveInfo | None:
    """What a Rasa 3 model archive says about itself (`metadata.json`), or None if absent."""
    try:
        stat = path.stat()
    except OSError:
        return None
    model_id, trained_at = _read_metadata(str(path), stat.st_size, stat.st_mtime_ns)
    if trained_at is not None:
        return ArchiveInfo(path, stat.st_size, model_id, trained_at, "metadata")
    mtime = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
    return ArchiveInfo(path, stat.st_size, model_id, mtime, "file_mtime")


@lru_cache(maxsize=16)
def _read_metadata(path: str, size: int, mtime_ns: int) -> tuple[str | None, datetime | None]:
    # Keyed on size and mtime as well: the archive is replaced in place by each run.
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                if member.name.lstrip("/") == "metadata.json":
                    handle = archive.extractfile(member)
                    if handle is None:
                        break
                    metadata = json.load(handle)
                    break
            else:
                return None, None
    except (OSError, tarfile.TarError, ValueError, EOFError):
        return None, None
    model_id = metadata.get("model_id")
    trained_at: datetime | None = None
    try:
        # Rasa writes `datetime.utcnow().isoformat()`: naive, in UTC
        parsed = datetime.fromisoformat(str(metadata.get("trained_at")))
        trained_at = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except ValueError:
        pass
    return (str(model_id) if model_id else None), trained_at


def newest_input_change(repo_dir: Path) -> datetime | None:
    """The latest modification time of config.yml and anything under domain/ and data/."""
    newest = 0.0
    for name in TRAINING_INPUTS:
        root = repo_dir / name
        if root.is_file():
            newest = max(newest, root.stat().st_mtime)
        elif root.is_dir():
            for folder, _dirs, files in os.walk(root):
                for file in files:
                    try:
                        newest = max(newest, os.stat(os.path.join(folder, file)).st_mtime)
                    except OSError:
                        continue
    return datetime.fromtimestamp(newest, tz=UTC) if newest else None


@dataclass(frozen=True)
class ModelOverview:
    serving_file: str | None
    serving_model_id: str | None
    active_training_jobs: int | None
    rasa_error: str | None
    archive: ArchiveInfo | None
    archive_is_serving: bool | None
    inputs_changed_at: datetime | None
    data_changed: bool | None
    advice: list[str]


def model_overview(*, settings: Settings, rasa: RasaServer) -> ModelOverview:
    """Which model the Rasa server serves, when it was trained, and whether it is stale."""
    models_dir = settings.trainer_repo_dir / "models"
    serving: dict[str, Any] | None = None
    rasa_error: str | None = None
    try:
        serving = rasa.status()
    except RasaServerError as exc:
        rasa_error = exc.reason
    serving_file = Path(str(serving.get("model_file") or "")).name if serving else None
    # Rasa reports only the file name; the archive of that name under models/ is it when
    # the model ids agree (the Rasa server runs from the same work tree).
    archive = archive_info(models_dir / (serving_file or MODEL_ARCHIVE))
    archive_is_serving: bool | None = None
    if serving and archive and archive.model_id:
        archive_is_serving = archive.model_id == serving.get("model_id")
    inputs_changed_at = newest_input_change(settings.trainer_repo_dir)
    data_changed: bool | None = None
    if archive and inputs_changed_at:
        data_changed = inputs_changed_at > archive.trained_at
    advice: list[str] = []
    if rasa_error:
        advice.append(f"无法获取正在服务的模型：{rasa_error}")
    if archive is None:
        advice.append("models 目录下没有模型文件，请先训练")
    elif archive_is_serving is False:
        advice.append(
            "磁盘上的模型文件不是 Rasa 正在使用的模型（可能训练后未加载），建议重新训练并加载"
        )
    if data_changed:
        advice.append("训练数据在模型训练之后有改动，建议重新训练")
    return ModelOverview(
        serving_file=serving_file,
        serving_model_id=str(serving.get("model_id")) if serving else None,
        active_training_jobs=int(serving.get("num_active_training_jobs") or 0) if serving else None,
        rasa_error=rasa_error,
        archive=archive,
        archive_is_serving=archive_is_serving,
        inputs_changed_at=inputs_changed_at,
        data_changed=data_changed,
        advice=advice,
    )


# ---- reading `rasa train`'s output ------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_COMPONENT_ENTRY = re.compile(r"^\s*-\s*name\s*:", re.MULTILINE)
_VALIDATING = re.compile(r"Started validating domain and training data")
_RESTORED = re.compile(r"Restored component '([^']+)' from cache")
_STARTING = re.compile(r"Starting to train component '([^']+)'")
_FINISHED = re.compile(r"Finished training component '([^']+)'")
_EPOCHS = re.compile(r"Epochs:\s*(\d{1,3})%(?:.*?(\d+)/(\d+))?")
_SAVED = re.compile(r"Your Rasa model is trained and saved")
# Python's deprecation chatter from Rasa's dependencies: not for trainers' eyes
_NOISE = re.compile(r"DeprecationWarning|^Implementing implicit namespace packages")


def _clean(text: str) -> str:
    """One log line as shown to trainers: no colour codes, numbers masked, bounded."""
    return mask_digit_runs(_ANSI.sub("", text)).rstrip()[:LOG_LINE_CHARS]


def count_components(config_file: Path) -> int:
    """Pipeline components plus policies in config.yml: the steps Rasa reports on."""
    try:
        text = config_file.read_text(encoding="utf-8")
    except OSError:
        return 10
    return max(1, len(_COMPONENT_ENTRY.findall(text)))


@dataclass
class TrainingProgress:
    """The state of one training, updated line by line from Rasa's output.

    Rasa logs each trainable component as "Restored … from cache" or "Starting to train"
    / "Finished training", and tqdm bars ("Epochs: 45%|…") while a neural component
    trains. Progress counts finished components against the entries of config.yml (some
    entries need no training, so the bar may jump at the end) and never goes backwards.
    """

    components_total: int
    components_done: int = 0
    current: str | None = None
    epoch_fraction: float = 0.0
    progress: int = 0
    step: str = "启动训练进程"
    saved: bool = False
    _skip_source_line: bool = False
    lines: deque[tuple[str, bool]] = field(default_factory=lambda: deque(maxlen=LOG_TAIL_LINES))

    def feed(self, raw: str, *, transient: bool = False) -> None:
        """One line of output; `transient` lines (ended by \\r) replace each other."""
        line = _clean(raw)
        if not line.strip():
            return
        if _NOISE.search(line) or (self._skip_source_line and line.startswith("  ")):
            # a warning is followed by the indented source line that raised it
            self._skip_source_line = True
            return
        self._skip_source_line = False
        if self.lines and self.lines[-1][1]:
            self.lines.pop()  # the previous state of a progress bar
        self.lines.append((line, transient))
        self._parse(line)

    def _parse(self, line: str) -> None:
        if _VALIDATING.search(line):
            self.step = "校验训练数据和领域文件"
            self._advance(3)
        elif match := _RESTORED.search(line):
            self.components_done += 1
            self.current, self.epoch_fraction = None, 0.0
            self.step = f"组件 {match.group(1)} 未改动，沿用已训练的结果"
        elif match := _STARTING.search(line):
            self.current, self.epoch_fraction = match.group(1), 0.0
            self.step = f"正在训练组件 {match.group(1)}"
        elif match := _FINISHED.search(line):
            self.components_done += 1
            self.current, self.epoch_fraction = None, 0.0
            self.step = f"组件 {match.group(1)} 训练完成"
        elif match := _EPOCHS.search(line):
            self.epoch_fraction = min(1.0, int(match.group(1)) / 100)
            rounds = f"第 {match.group(2)}/{match.group(3)} 轮" if match.group(2) else ""
            name = self.current or "神经网络组件"
            self.step = f"正在训练组件 {name}：{rounds}（{match.group(1)}%）".replace("：（", "（")
        elif _SAVED.search(line):
            self.saved = True
            self.step = "模型训练完成，正在打包"
            self._advance(_TRAIN_END)
            return
        else:
            return
        done = min(self.components_total, self.components_done + self.epoch_fraction)
        span = _TRAIN_END - 1 - _TRAIN_START
        self._advance(_TRAIN_START + int(span * done / self.components_total))

    def _advance(self, value: int) -> None:
        self.progress = max(self.progress, min(100, value))

    def tail(self) -> str:
        return "\n".join(line for line, _transient in self.lines)


_LINE_END = re.compile(r"\r\n|\n|\r")


def read_output(stream: Any, sink: queue.Queue[tuple[str, bool] | None]) -> None:
    """Splits a child's output into lines for `sink`: (text, transient), where transient
    lines ended with a bare \r (tqdm redrawing its bar). None marks the end."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    after_cr = False  # the last chunk ended with CR: a LF opening this one belongs to it
    fd = stream.fileno()
    while chunk := os.read(fd, 8192):
        pending += decoder.decode(chunk)
        if after_cr and pending.startswith("\n"):
            pending = pending[1:]
        after_cr = False
        while match := _LINE_END.search(pending):
            sink.put((pending[: match.start()], match.group() == "\r"))
            pending = pending[match.end() :]
            after_cr = match.group() == "\r" and not pending
    pending += decoder.decode(b"", final=True)
    if pending.strip("\r\n"):
        sink.put((pending.strip("\r\n"), False))
    sink.put(None)


# ---- runs: creating, reading, reconciling ----------------------------------------------


def _instance_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class TrainingRunner:
    """Starts runs in threads and knows which of them are alive in this process."""

    def __init__(
        self,
        *,
        settings: Settings,
        session_factory: sessionmaker[Session],
        rasa: RasaServer,
        clock: Clock = utc_now,
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.rasa = rasa
        self.clock = clock
        self.owner = _instance_id()
        self._lock = threading.Lock()
        self._threads: dict[int, threading.Thread] = {}
        self._processes: dict[int, subprocess.Popen[bytes]] = {}
        self._stopping = False

    # -- which runs are alive

    def is_running(self, run_id: int) -> bool:
        with self._lock:
            return run_id in self._threads

    def is_orphaned(self, run: TrainingRun, now: datetime) -> bool:
        """True if nobody is executing this `running` run any more."""
        if run.owner == self.owner:
            return not self.is_running(run.id)
        host, _, rest = run.owner.partition(":")
        pid = rest.partition(":")[0]
        if host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid)):
            return True
        return now - run.heartbeat_at > STALE_AFTER

    def reconcile(self, *, session: Session) -> None:
        """Marks runs whose crm_api stopped (restart, crash) as failed: interrupted."""
        now = self.clock()
        for run in session.scalars(select(TrainingRun).where(TrainingRun.status == "running")):
            if self.is_orphaned(run, now):
                logger.warning(
                    "trainer.training_run.interrupted run=%d owner=%s", run.id, run.owner
                )
                run.status, run.stage = "failed", "failed"
                run.error_code = "interrupted"
                run.error = "训练进程已中断（crm_api 曾重启或停止），请重新发起训练"
                run.step = "已中断"
                run.finished_at = now
        session.flush()

    # -- starting

    def check_available(self) -> None:
        repo = self.settings.trainer_repo_dir
        rasa_bin = self.settings.rasa_bin
        if not (os.access(rasa_bin, os.X_OK) and (repo / CONFIG).is_file()):
            logger.error(
                "trainer.training unavailable rasa_bin_ok=%s config_ok=%s",
                os.access(rasa_bin, os.X_OK),
                (repo / CONFIG).is_file(),
            )
            raise TrainingUnavailable()

    def create_run(self, *, session: Session, staff: StaffUser) -> TrainingRun:
        """A new `running` run in stage 排队; the caller commits, then calls `launch`.

        Raises TrainingRunInProgress if a run is running (orphans are failed first).
        """
        self.check_available()
        self.reconcile(session=session)
        busy = session.scalar(select(TrainingRun.id).where(TrainingRun.status == "running"))
        if busy is not None:
            raise TrainingRunInProgress(run_id=busy)
        now = self.clock()
        run = TrainingRun(
            requested_by=staff.id,
            status="running",
            stage="queued",
            progress=0,
            step="等待开始",
            owner=self.owner,
            started_at=now,
            heartbeat_at=now,
            log_tail="",
        )
        session.add(run)
        session.flush()
        return run

    def launch(self, run_id: int) -> None:
        thread = threading.Thread(
            target=self._execute, args=(run_id,), name=f"training-run-{run_id}", daemon=True
        )
        with self._lock:
            self._threads[run_id] = thread
        thread.start()

    def shutdown(self, timeout: float = 15.0) -> None:
        """Stops running trainings (crm_api is stopping); their runs end as interrupted."""
        with self._lock:
            self._stopping = True
            processes = list(self._processes.values())
            threads = list(self._threads.values())
        for process in processes:
            _kill_group(process, signal.SIGTERM)
        for thread in threads:
            thread.join(timeout)

    def wait(self, run_id: int, timeout: float = 30.0) -> None:
        """Blocks until the run's thread ends (tests, scripts)."""
        with self._lock:
            thread = self._threads.get(run_id)
        if thread is not None:
            thread.join(timeout)

    # -- executing (in the run's thread)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self.session_factory() as session:
            yield session

    def _save(self, run_id: int, progress: TrainingProgress | None = None, **values: Any) -> None:
        with self._session() as session:
            run = session.get(TrainingRun, run_id)
            if run is None:
                return
            if progress is not None:
                run.progress = progress.progress
                run.step = progress.step[:200]
                run.log_tail = progress.tail()
            for name, value in values.items():
                setattr(run, name, value)
            run.heartbeat_at = self.clock()
            session.commit()

    def _execute(self, run_id: int) -> None:
        started = time.monotonic()
        progress = TrainingProgress(
            components_total=count_components(self.settings.trainer_repo_dir / CONFIG)
        )
        outcome = "failed"
        try:
            self._save(run_id, progress, stage="training")
            archive = self._train(run_id, progress)
            progress.step = "Rasa 服务器正在加载新模型"
            progress._advance(_LOAD_START)
            self._save(
                run_id,
                progress,
                stage="loading",
                model_file=archive.path.name,
                model_id=archive.model_id,
            )
            self._reload(archive)
            progress.step = "新模型已上线"
            progress._advance(100)
            self._save(
                run_id,
                progress,
                status="succeeded",
                stage="done",
                finished_at=self.clock(),
            )
            outcome = "succeeded"
        except _RunFailed as failure:
            code, message = failure.code, failure.message
            if self._stopping:
                code, message = "interrupted", "crm_api 停止，训练已中断，请重新发起训练"
            progress.lines.append((f"[失败] {message}", False))
            self._fail(run_id, progress, code, message)
        except Exception as exc:  # the run must end, whatever happened
            logger.exception(
                "trainer.training_run.error run=%d type=%s", run_id, type(exc).__name__
            )
            self._fail(run_id, progress, "internal_error", "训练时出现系统错误，请联系运维查看日志")
        finally:
            with self._lock:
                self._threads.pop(run_id, None)
                self._processes.pop(run_id, None)
            logger.info(
                "trainer.training_run.finished run=%d outcome=%s seconds=%.1f",
                run_id,
                outcome,
                time.monotonic() - started,
            )

    def _fail(self, run_id: int, progress: TrainingProgress, code: str, message: str) -> None:
        progress.step = message[:200]
        try:
            self._save(
                run_id,
                progress,
                status="failed",
                stage="failed",
                error_code=code,
                error=mask_digit_runs(message),
                finished_at=self.clock(),
            )
        except Exception:
            logger.exception("trainer.training_run.save_failed run=%d", run_id)

    def _environment(self) -> dict[str, str]:
        """Only what `rasa train` needs: none of crm_api's secrets or database settings."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(self.settings.trainer_repo_dir)),
            "PYTHONPATH": str(self.settings.trainer_repo_dir),
            "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
            "PYTHONUNBUFFERED": "1",  # progress lines as they happen, not at exit
            "PYTHONIOENCODING": "utf-8",
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
        for name in ("TMPDIR", "LC_ALL"):
            if name in os.environ:
                env[name] = os.environ[name]
        return env

    def _train(self, run_id: int, progress: TrainingProgress) -> ArchiveInfo:
        repo = self.settings.trainer_repo_dir
        models_dir = repo / "models"
        staging = models_dir / f".training-run-{run_id}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        command = [
            str(self.settings.rasa_bin),
            "train",
            "--config",
            CONFIG,
            "--domain",
            DOMAIN,
            "--data",
            DATA,
            "--out",
            str(staging),
            "--fixed-model-name",
            MODEL_NAME,
        ]
        try:
            returncode = self._run_process(run_id, command, progress)
            if returncode != 0:
                raise _RunFailed(
                    "training_failed", f"训练失败（rasa train 退出码 {returncode}），请查看下方日志"
                )
            produced = staging / MODEL_ARCHIVE
            if not produced.is_file():
                raise _RunFailed("model_missing", "训练结束了，但没有生成模型文件，请查看下方日志")
            target = models_dir / MODEL_ARCHIVE
            os.replace(produced, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        stamp = models_dir / ".trained"  # `make train`'s "up to date" marker
        if stamp.exists():
            stamp.touch()
        info = archive_info(target)
        if info is None or not info.model_id:
            raise _RunFailed("model_unreadable", "新模型文件无法读取（缺少 metadata.json）")
        return info

    def _run_process(self, run_id: int, command: list[str], progress: TrainingProgress) -> int:
        process = subprocess.Popen(
            command,
            cwd=self.settings.trainer_repo_dir,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop it with its workers
        )
        with self._lock:
            self._processes[run_id] = process
            stopping = self._stopping
        if stopping:
            _kill_group(process, signal.SIGTERM)
        lines: queue.Queue[tuple[str, bool] | None] = queue.Queue()
        reader = threading.Thread(
            target=read_output, args=(process.stdout, lines), name=f"training-log-{run_id}"
        )
        reader.daemon = True
        reader.start()
        deadline = time.monotonic() + TRAINING_TIMEOUT_SECONDS
        last_saved = time.monotonic()
        saved_state = (progress.progress, progress.step)
        while True:
            dirty = (progress.progress, progress.step) != saved_state
            try:
                # unsaved progress is written soon; otherwise only the heartbeat is due
                item = lines.get(timeout=PERSIST_EVERY_SECONDS if dirty else HEARTBEAT_SECONDS)
            except queue.Empty:
                item = ("", False)
            if item is None:
                break
            if item[0]:
                progress.feed(item[0], transient=item[1])
            now = time.monotonic()
            state = (progress.progress, progress.step)
            if now - last_saved >= HEARTBEAT_SECONDS or (
                state != saved_state and now - last_saved >= PERSIST_EVERY_SECONDS
            ):
                self._save(run_id, progress)
                last_saved, saved_state = now, state
            if now > deadline:
                _kill_group(process, signal.SIGTERM)
                raise _RunFailed("training_timeout", "训练超时，已停止")
        returncode = process.wait()
        if process.stdout is not None:
            process.stdout.close()
        self._save(run_id, progress)
        return returncode

    def _reload(self, archive: ArchiveInfo) -> None:
        path = archive.path.resolve()
        try:
            self.rasa.load_model(path)
        except RasaServerError as exc:
            raise _RunFailed(
                "reload_failed",
                f"新模型已训练好（{archive.path.name}），但 Rasa 服务器加载失败：{exc.reason}。"
                "可稍后重新发起（未改动的部分会直接沿用），或请运维重启 Rasa 服务器",
            ) from None
        try:
            status = self.rasa.status()
        except RasaServerError as exc:
            raise _RunFailed(
                "reload_not_verified", f"已请求 Rasa 加载新模型，但无法确认：{exc.reason}"
            ) from None
        if status.get("model_id") != archive.model_id:
            raise _RunFailed(
                "reload_not_verified", "Rasa 服务器仍在使用旧模型，新模型没有生效，请联系运维"
            )


def _kill_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def list_runs(*, session: Session, limit: int = 20) -> list[tuple[TrainingRun, str | None]]:
    """The latest runs, newest first, with the display name of who started each."""
    rows = session.execute(
        select(TrainingRun, StaffUser.display_name)
        .outerjoin(StaffUser, StaffUser.id == TrainingRun.requested_by)
        .order_by(TrainingRun.id.desc())
        .limit(limit)
    ).all()
    return [(run, name) for run, name in rows]


def get_run(*, session: Session, run_id: int) -> tuple[TrainingRun, str | None]:
    row = session.execute(
        select(TrainingRun, StaffUser.display_name)
        .outerjoin(StaffUser, StaffUser.id == TrainingRun.requested_by)
        .where(TrainingRun.id == run_id)
    ).first()
    if row is None:
        raise TrainingRunNotFound()
    return row[0], row[1]
