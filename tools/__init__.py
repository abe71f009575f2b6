"""Tools: telemetry sources, analysis (detection, log mining, RCA) and action adapters."""
