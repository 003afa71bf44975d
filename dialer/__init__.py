"""Marginal: a volunteer phone bank for UK election campaigns (the core, free of web and job frameworks)."""
