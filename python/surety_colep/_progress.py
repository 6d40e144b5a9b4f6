"""A one-line progress report on standard error."""

from __future__ import annotations

import sys
import time


class Progress:
    """Counts samples done; on a terminal, rewrites one line (at most ten times a second);
    elsewhere (a log, a pipe) prints one summary line when done. Silent when ``quiet``."""

    def __init__(self, label: str, total: int, draws: int, quiet: bool, stream=None):
        self.label, self.total, self.draws, self.quiet = label, total, draws, quiet
        self.stream = stream if stream is not None else sys.stderr
        self.live = not quiet and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = self.last = time.monotonic()

    def update(self, done: int) -> None:
        if not self.live:
            return
        now = time.monotonic()
        if now - self.last >= 0.1 or done == self.total:
            self.last = now
            self.stream.write(f"\rsurety_colep: {self.label}: {done}/{self.total} samples × {self.draws} draws")
            self.stream.flush()

    def finish(self) -> None:
        if self.quiet:
            return
        elapsed = time.monotonic() - self.start
        prefix = "\r" if self.live else ""
        self.stream.write(f"{prefix}surety_colep: {self.label}: {self.total} samples × {self.draws} draws in {elapsed:.1f} s\n")
        self.stream.flush()
