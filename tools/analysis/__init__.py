"""Analysis over telemetry: anomaly detection, log mining, root-cause analysis, recovery checks."""
