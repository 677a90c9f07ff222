"""The words of a tip that every tips module shares: its kinds and priorities (in queue order)."""

KINDS = ("request", "lead", "inquiry", "complaint")
PRIORITIES = ("urgent", "high", "normal", "low")
PRIORITY_RANK = {p: n for n, p in enumerate(PRIORITIES)}
