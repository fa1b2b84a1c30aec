"""Labels for the staff console: complaint categories and statuses, roles, intents."""
