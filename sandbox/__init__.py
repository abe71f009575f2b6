"""Deterministic simulated microservice system: the embedded default target of ADSH."""
