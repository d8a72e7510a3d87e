"""A one-line progress bar on stderr for long commands, redrawn at most twice a second (one line per update
when stderr is not a terminal, so that logs stay readable)."""

import sys
import time

from django.core.management.base import OutputWrapper


class ProgressBar:
    def __init__(self, enabled: bool = True, stream=None, width: int = 30):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()
        self.last_shown = 0.0
        self.drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if done < total and now - self.last_shown < 0.5:
            return
        self.last_shown = now
        filled = self.width * done // total
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"{stage:>12} [{bar}] {done:>9,}/{total:,}"
        elapsed = now - self.started
        if 0 < done < total:
            line += f"  {elapsed:.0f} s, about {elapsed * (total - done) / done:.0f} s left"
        self._write("\r" + line if self.stream.isatty() else line + "\n")
        self.drawn = True

    def close(self) -> None:
        if self.drawn and self.stream.isatty():
            self._write("\n")

    def _write(self, text: str) -> None:
        if isinstance(self.stream, OutputWrapper):  # a command's self.stderr, which would end each write with \n
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()
