"""Sending mail: the SMTP connection (aiosmtplib), the mails rendered at send
time in their reader's language, and the delivery round that drains the
outbox. Like app/jobs.py it owns its transactions; the domain's side (the
outbox rows, choices, digests) is app/services/mail/."""
