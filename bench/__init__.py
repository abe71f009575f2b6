"""Benchmarks: `python -m bench {loop,analysis,detector,replay} --json` (docs/benchmarks.md)."""
