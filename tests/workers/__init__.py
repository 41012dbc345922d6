"""Programs the multi-process tests start as real OS processes (``python -m tests.workers.…``)."""
