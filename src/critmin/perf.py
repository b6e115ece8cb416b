"""Performance helpers shared by the model assembly and the backends."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building: model assembly and Pyomo allocate an object per
    variable, row and term, and collections triggered by those allocations (which free nothing) took most
    of the Pyomo backend's time at the large benchmark size (benchmarks/README.md)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
