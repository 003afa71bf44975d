"""Organising a running campaign: opening, pausing and ending it, the organiser's home page, a voter's
timeline, and CSV exports."""
