"""Mail as the domain sees it: the outbox rows a change writes in its own
transaction, each person's choices (a channel per notification kind, a
digest), and what a digest holds. Sending lives in app/mail/ (it owns its
transactions, as a job does)."""
