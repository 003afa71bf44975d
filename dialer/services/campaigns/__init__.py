"""Setting a campaign up: the campaign itself (seats, script, survey, calling rules), its caller ID, and
its voters imported from CSV and reviewed."""
