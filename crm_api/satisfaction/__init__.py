"""Satisfaction (满意度): CSAT per conversation and per resolved complaint, NPS."""
