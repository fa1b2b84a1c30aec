"""Complaints (投诉): filing, lifecycle, SLA deadlines, notes, follow-ups (回访)."""
