"""The data commands keep freed heap for the next batch instead of faulting in new pages."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from losscli.cli import memory

LOOP = """
import resource, sys
import numpy as np
if sys.argv[1] == "tuned":
    from losscli.cli.memory import keep_freed_heap
    assert keep_freed_heap()
x = np.random.default_rng(0).random(1 << 18)  # one 2 MB column of a batch
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):  # a batch's temporaries: made, used, freed
    e = x * 2.0; a = np.abs(e); c = np.minimum(a, 1.0); h = c * a; del e, a
    s = x + 1.0; del c, h, s
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""

glibc = pytest.mark.skipif(
    sys.platform != "linux" or platform.libc_ver()[0] != "glibc", reason="glibc's mallopt"
)


def _faults(mode: str, env: dict[str, str] | None = None) -> int:
    out = subprocess.run(
        [sys.executable, "-c", LOOP, mode], capture_output=True, text=True, check=True, env=env
    )
    return int(out.stdout)


@glibc
def test_batches_reuse_freed_pages():
    plain, tuned = _faults("plain"), _faults("tuned")
    assert tuned * 5 < plain, (plain, tuned)


@glibc
def test_the_users_malloc_settings_win(monkeypatch):
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
    assert memory.keep_freed_heap() is False
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_")
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=131072")
    assert memory.keep_freed_heap() is False


def test_off_linux_nothing_is_set(monkeypatch):
    monkeypatch.setattr(memory.sys, "platform", "darwin")
    assert memory.keep_freed_heap() is False
