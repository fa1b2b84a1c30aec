"""Manager dashboard: satisfaction and complaint aggregates (SQL GROUP BY on indexes)."""
