"""Prompt templates for the LLM reasoning back end (versioned; rendered at call time)."""
