"""How the process allocates memory, set by the commands that read data before they read.

Every batch makes numpy temporaries of a few MB (the errors, each loss's rows) and frees them.
With glibc's defaults such blocks go back to the kernel when freed (mapped on their own, or
trimmed from the top of the heap) and page-fault in again for the next batch: on a 10M-row
Parquet file that was a third of the run, in the kernel.
"""

from __future__ import annotations

import os
import sys

#: glibc's mallopt parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: Blocks up to this size come from the heap (glibc's default lets it float up to 32 MiB).
MMAP_THRESHOLD = 32 << 20
#: Freed memory at the top of the heap kept for the next batch, up to this much.
TRIM_THRESHOLD = 256 << 20
#: The user's own malloc settings win.
USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")


def tune_memory() -> None:
    """Arrow's jemalloc pool and a heap that keeps what it frees (see the functions)."""
    prefer_jemalloc()
    keep_freed_heap()


def prefer_jemalloc() -> None:
    """Arrow's jemalloc pool: lower peak memory and faster CSV parsing than its default here.

    Set before pyarrow is imported (the pool is chosen then), on Linux, where pyarrow's wheels
    build it; ARROW_DEFAULT_MEMORY_POOL set by the user wins.
    """
    if "pyarrow" not in sys.modules and sys.platform.startswith("linux"):
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")


def keep_freed_heap() -> bool:
    """glibc: serve blocks below `MMAP_THRESHOLD` from the heap and keep up to
    `TRIM_THRESHOLD` of freed heap, so a batch reuses the pages the last one freed instead of
    faulting in new ones. Peak memory is unchanged: only what was in use is kept.

    True when set; False off glibc or when the user set malloc's parameters."""
    if not sys.platform.startswith("linux") or any(k in os.environ for k in USER_SETTINGS):
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # no C library to load, or not glibc
        return False
    return bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
