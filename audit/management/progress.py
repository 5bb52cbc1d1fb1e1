"""A progress bar for management commands, on stderr so that --json output stays clean."""

from __future__ import annotations

import sys
from typing import TextIO


class ProgressBar:
    def __init__(self, total: int, label: str, stream: TextIO = sys.stderr, width: int = 30):
        self.total = max(total, 1)
        self.label = label
        self.stream = stream
        self.width = width
        self.interactive = stream.isatty()
        self._last = ""

    def update(self, done: float, note: str = "") -> None:
        """Show `done` of `total` units; on a terminal in place, elsewhere a line per change."""
        filled = int(self.width * min(done, self.total) / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"{self.label} [{bar}] {done:.0f}/{self.total}"
        if note:
            line += f"  {note}"
        if line == self._last:
            return
        self._last = line
        if self.interactive:
            self.stream.write("\r\033[K" + line[:200])
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.interactive:
            self.stream.write("\n")
            self.stream.flush()
