"""Scale-out over Redis: a work queue, per-incident locks, event fan-out and the workers."""
