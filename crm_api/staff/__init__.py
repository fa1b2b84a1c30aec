"""Bank staff (agents, supervisors, trainers): accounts, login sessions, roles."""
