"""Graphs: incident state, lifecycle, the LangGraph wiring and the checkpointer factory."""
