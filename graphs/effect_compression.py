"""How recorded effect results are compressed at rest: Zstandard, reading zlib as well."""

from __future__ import annotations

import threading
import zlib

import zstandard

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class _Zstd(threading.local):
    """Zstandard level 1 (3x faster than zlib level 1 on telemetry windows, and smaller);
    one (de)compressor per thread, as the library asks."""

    def compressor(self) -> zstandard.ZstdCompressor:
        if not hasattr(self, "_compressor"):
            self._compressor = zstandard.ZstdCompressor(level=1)
        return self._compressor

    def decompressor(self) -> zstandard.ZstdDecompressor:
        if not hasattr(self, "_decompressor"):
            self._decompressor = zstandard.ZstdDecompressor()
        return self._decompressor


_ZSTD = _Zstd()


def compress(body: bytes) -> bytes:
    return _ZSTD.compressor().compress(body)


def decompress(packed: bytes) -> bytes:
    """Zstandard, or zlib as recordings made before it were."""
    if packed.startswith(_ZSTD_MAGIC):
        return _ZSTD.decompressor().decompress(packed)
    return zlib.decompress(packed)
