"""Domain actions. Every write and every read with a rule lives here; services
take the acting user explicitly and never commit (the caller owns the
transaction)."""
