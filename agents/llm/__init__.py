"""LLM reasoning through an OpenAI-compatible endpoint: governed, validated, replayable."""
