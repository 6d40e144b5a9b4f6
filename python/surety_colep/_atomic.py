"""Atomic file writes: a temporary file in the target's folder, then ``os.replace``."""

from __future__ import annotations

import os
import tempfile
from typing import Callable, Union


def write_atomically(path: Union[str, os.PathLike], fill: Callable, mode: str = "wb") -> None:
    """Creates ``path`` from ``fill(handle)`` so that readers see the old file or the whole
    new one, never a part: the data go to a temporary file beside ``path`` (same file
    system), are flushed to disk, and the temporary file is renamed over ``path``."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding, newline=None if "b" in mode else "") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def write_text_atomically(path: Union[str, os.PathLike], text: str) -> None:
    """Writes UTF-8 text atomically (``\\n`` line endings on every platform)."""
    write_atomically(path, lambda handle: handle.write(text), mode="w")
