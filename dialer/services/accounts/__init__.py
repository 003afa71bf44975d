"""Accounts: signing up and in, sign-in sessions, roles, a volunteer's verified phone number, and what
a volunteer's own pages show (their first page, their progress)."""
