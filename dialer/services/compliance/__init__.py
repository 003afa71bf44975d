"""Compliance every feature writes to: the audit log of who saw, exported or erased personal data, and
the do-not-call list."""
