"""Webhooks (docs/webhooks.md): outgoing ones (outgoing.py), sent by the
delivery loop (delivering.py) to checked addresses (targets.py) with what the
hook may read (payloads.py); incoming ones (incoming.py); both stopped when
their creator leaves (leaving.py)."""
