"""Data protection: voters' subject access and erasure requests, and volunteers' rights over their own
data."""
