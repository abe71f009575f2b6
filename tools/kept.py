"""The last few results of a pure function, found again by the identity of its inputs."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class KeptByIdentity(Generic[T]):
    """Results of a pure function of some objects that are not changed once made (frozen
    telemetry windows, their lists of series), handed out again for the same objects.

    The sandbox and the recording proxies hand the same window objects to several nodes
    (detection's baseline and window are diagnosis's), so a later one finds what an
    earlier one computed or encoded. An entry holds its objects, so an identity it is
    found by cannot pass to another object while it is kept.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[Hashable, ...], tuple[tuple[object, ...], T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, objects: tuple[object, ...], extra: tuple[Hashable, ...], make: Callable[[], T]
    ) -> T:
        """The kept result for these objects (and plain `extra` values), else make() kept."""
        key = (*(id(o) for o in objects), *extra)
        with self._lock:
            found = self._kept.get(key)
            if found is not None and all(a is b for a, b in zip(found[0], objects, strict=True)):
                self._kept.move_to_end(key)
                return found[1]
        result = make()
        with self._lock:
            self._kept[key] = (objects, result)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return result
