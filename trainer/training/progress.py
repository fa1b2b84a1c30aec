"""Reading `rasa train`'s output: its lines as trainers see them, and the progress they mean."""

from __future__ import annotations

import codecs
import os
import queue
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bankkit.masking import mask_digit_runs

LOG_TAIL_LINES = 60
LOG_LINE_CHARS = 300

# progress bands of the stages, in percent
TRAIN_START, TRAIN_END, LOAD_START = 5, 90, 92

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


def clean_line(text: str) -> str:
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
        line = clean_line(raw)
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
            self._advance(TRAIN_END)
            return
        else:
            return
        done = min(self.components_total, self.components_done + self.epoch_fraction)
        span = TRAIN_END - 1 - TRAIN_START
        self._advance(TRAIN_START + int(span * done / self.components_total))

    def loading(self) -> None:
        """The archive is in place; the Rasa server is loading it."""
        self.step = "Rasa 服务器正在加载新模型"
        self._advance(LOAD_START)

    def serving(self) -> None:
        """The Rasa server serves the new model."""
        self.step = "新模型已上线"
        self._advance(100)

    def _advance(self, value: int) -> None:
        self.progress = max(self.progress, min(100, value))

    def tail(self) -> str:
        return "\n".join(line for line, _transient in self.lines)


_LINE_END = re.compile(r"\r\n|\n|\r")


def read_output(stream: IO[bytes], sink: queue.Queue[tuple[str, bool] | None]) -> None:
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
