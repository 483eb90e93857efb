"""Signals end the CLI at once and silently (SPEC §8): SIGINT 130, SIGTERM 143, SIGHUP 129,
after removing the temporary files the output layer is writing. Standard library only, so that
the entry point installs it as its first instruction, before anything heavy loads."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import Any

#: Temporary files being written (the output layer adds and discards them).
TEMPORARY: set[str] = set()
#: Signal name -> exit code (128 + the signal's number on Linux).
EXIT_CODES = {"SIGINT": 130, "SIGTERM": 143, "SIGHUP": 129}


def install() -> None:
    """Handle SIGINT, SIGTERM and SIGHUP; a signal ignored at start (nohup, a background job
    of a non-interactive shell) stays ignored."""
    for name, code in EXIT_CODES.items():
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            with contextlib.suppress(OSError, ValueError):  # not the main thread
                signal.signal(number, _exit_with(code))


def _exit_with(code: int) -> Any:
    def handler(signum: int, frame: object) -> None:
        remove_temporary()
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(code)

    return handler


def remove_temporary() -> None:
    """Remove every temporary file still registered."""
    for path in list(TEMPORARY):
        with contextlib.suppress(OSError):
            os.unlink(path)
        TEMPORARY.discard(path)


def blocked() -> contextlib.AbstractContextManager[None]:
    """Hold the handled signals while a temporary file is created and registered."""
    return _Blocked()


class _Blocked:
    def __enter__(self) -> None:
        self.previous: set[Any] | None = None
        if hasattr(signal, "pthread_sigmask"):
            wanted = {getattr(signal, n) for n in EXIT_CODES if hasattr(signal, n)}
            self.previous = set(signal.pthread_sigmask(signal.SIG_BLOCK, wanted))

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self.previous)
