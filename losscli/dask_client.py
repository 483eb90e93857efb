"""The connection half of the Dask executor: check the scheduler's name, connect within a
timeout, wait for workers within a timeout, check that every worker runs this losscli, gather a
result without waiting forever for workers that left, and turn Dask's errors into one line
that says what to do (exit 2)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from losscli.errors import InputError, LosscliError, UsageError

#: Dask's local schedulers; anything else must be the address of a dask.distributed scheduler.
LOCAL_SCHEDULERS = ("threads", "processes", "sync")
#: Seconds to connect to a scheduler, for a first worker to join, and without any worker mid-run.
DEFAULT_TIMEOUT = 30.0
_HOST_PORT = re.compile(r"^[\w.\-]+:\d+$|^\[[0-9a-fA-F:]+\]:\d+$")
_SCHEDULER_HINT = "threads, processes, sync, or a scheduler address such as tcp://host:8786"


def check_scheduler(name: str) -> None:
    """Refuse a --dask value that is neither a local scheduler nor an address ('thread')."""
    if name in LOCAL_SCHEDULERS or "://" in name or _HOST_PORT.match(name):
        return
    raise UsageError(f"--dask '{name}' is not a scheduler", hint=_SCHEDULER_HINT)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


def connect(address: str, timeout: float) -> Any:
    """A dask.distributed Client of the scheduler at `address` with at least one worker, all
    running this losscli; UsageError (exit 2) within about `timeout` seconds otherwise."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise UsageError(
            f"--dask {address}: a scheduler address needs dask.distributed",
            hint="pip install 'losscli[dask]'",
        ) from None
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UsageError(
            f"--dask {address}: no scheduler answered within {timeout:g} s ({_first_line(exc)})",
            hint="check the address; start a scheduler with 'dask scheduler' and workers with "
            "'dask worker ADDRESS'; or raise --timeout",
        ) from None
    except Exception as exc:  # e.g. tls:// without TLS configuration, an unknown protocol
        tls = address.startswith("tls://")
        raise UsageError(
            f"--dask {address}: cannot connect ({_first_line(exc)})",
            hint=(
                "tls:// needs Dask's TLS configuration (distributed.comm.tls.ca-file and "
                "client.cert / client.key in ~/.config/dask/, or DASK_DISTRIBUTED__COMM__TLS__*)"
                if tls
                else "check the address: " + _SCHEDULER_HINT
            ),
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise UsageError(
                f"--dask {address}: no worker joined the scheduler within {timeout:g} s",
                hint="start workers with 'dask worker ADDRESS', or raise --timeout",
            ) from None
        check_workers(client)
    except BaseException:
        client.close()
        raise
    return client


def worker_version() -> str:
    """Run on each worker: the losscli version it imports."""
    import losscli

    return str(losscli.__version__)


def check_workers(client: Any) -> None:
    """Every worker imports losscli, at the client's version; else UsageError naming one."""
    from losscli import __version__

    found = client.run(worker_version, on_error="return")
    hint = f"install losscli=={__version__} on every worker (pip install 'losscli[dask]')"
    for worker, value in sorted(found.items()):
        if isinstance(value, BaseException):
            raise UsageError(
                f"Dask worker {worker} cannot import losscli ({_first_line(value)})", hint=hint
            )
        if value != __version__:
            raise UsageError(
                f"Dask worker {worker} runs losscli {value}, this client {__version__}",
                hint=hint,
            )


def gather(client: Any, future: Any, timeout: float) -> Any:
    """The future's result; fails if the scheduler has had no worker for `timeout` seconds."""
    alone_since: float | None = None
    while True:
        try:
            return future.result(timeout=1.0)
        except TimeoutError:
            pass
        if client.scheduler_info().get("workers"):
            alone_since = None
            continue
        alone_since = alone_since or time.monotonic()
        if time.monotonic() - alone_since > timeout:
            future.cancel()
            raise UsageError(
                f"every Dask worker left, and none joined within {timeout:g} s",
                hint="see the workers' logs (memory?), restart them, and run again",
            )


@contextmanager
def dask_errors(files: Mapping[str, str]) -> Iterator[None]:
    """Dask's errors as one line naming the file (tasks are keyed 'losscli-<file>'); losscli's
    own errors pass unchanged. `files` maps task keys to files."""
    try:
        yield
    except LosscliError:
        raise
    except ImportError as exc:
        if "losscli" not in str(exc):
            raise
        raise UsageError(
            f"a Dask worker cannot import losscli ({_first_line(exc)})",
            hint="install losscli, at the client's version, on every worker",
        ) from None
    except Exception as exc:
        if type(exc).__name__ == "KilledWorker":
            key = getattr(exc, "task", None)
            raise InputError(
                "Dask workers died while running the task of this file, "
                f"{getattr(exc, 'allowed_failures', 'several')} times",
                file=files.get(str(key)) or str(key),
                hint="too little memory per worker? see the workers' logs; no partial result "
                "is reported",
            ) from None
        module = type(exc).__module__.split(".")[0]
        if module not in ("distributed", "dask", "tornado", "asyncio", "concurrent"):
            raise
        raise UsageError(
            f"the Dask run failed ({_first_line(exc)})",
            hint="see the scheduler's and workers' logs, and run again",
        ) from None
