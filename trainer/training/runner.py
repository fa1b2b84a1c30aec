"""Training runs executed in this process: `rasa train` in a child process, then reload.

A run trains into a staging folder under `models/` with Rasa's own command line (its
fingerprint cache skips the parts whose inputs did not change), moves the archive over
`models/bank-assistant.tar.gz` in one rename (so a failed run never leaves half a model
where `make run` would load it), asks the Rasa server to load it (`PUT /model`) and
checks with `GET /status` that the new model id is the one serving.

The run executes in a thread of this crm_api process; its state is written to the
`training_runs` table as it goes, so every crm_api instance and every console page reads
the same progress. A run whose process stopped is found by its owner and heartbeat and
marked as interrupted.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bankkit.masking import mask_digit_runs
from crm_api.clock import Clock, utc_now
from crm_api.config import Settings
from crm_api.staff.models import StaffUser
from trainer.errors import RasaServerError, TrainingRunInProgress, TrainingUnavailable
from trainer.project import CONFIG, DATA, DOMAIN
from trainer.training.archive import MODEL_ARCHIVE, MODEL_NAME, ArchiveInfo, archive_info
from trainer.training.models import TrainingRun
from trainer.training.progress import TrainingProgress, count_components, read_output
from trainer.training.rasa_server import RasaServer

logger = logging.getLogger(__name__)

#: a running run refreshes `heartbeat_at` this often …
HEARTBEAT_SECONDS = 5.0
#: … and one whose heartbeat is older than this was orphaned (its crm_api stopped)
STALE_AFTER = timedelta(seconds=30)
#: progress is written at most this often (stage changes are written at once)
PERSIST_EVERY_SECONDS = 0.7
#: a training that runs longer than this is stopped
TRAINING_TIMEOUT_SECONDS = 3 * 3600


class _RunFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


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
            progress.loading()
            self._save(
                run_id,
                progress,
                stage="loading",
                model_file=archive.path.name,
                model_id=archive.model_id,
            )
            self._reload(archive)
            progress.serving()
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
