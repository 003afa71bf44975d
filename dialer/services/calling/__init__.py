"""Calling: a volunteer's seat and legs, dialling and pacing, the provider's callbacks, outcomes, texts
after a call, shifts, where to call, and the live figures, dashboard and leaderboard that count it."""
