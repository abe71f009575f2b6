"""Offline evals: scenario suites, scorers, runners and reports."""
