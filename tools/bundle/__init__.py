"""Bring-your-own telemetry: read a telemetry bundle (files) into per-minute aggregates."""

from tools.bundle.models import Bundle, BundleError
from tools.bundle.reader import read_bundle

__all__ = ["Bundle", "BundleError", "read_bundle"]
