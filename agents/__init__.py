"""Agents: Monitor, Planner, Safeguard and Executor, as plain Python over domain models."""
