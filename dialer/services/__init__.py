"""Use cases: plain functions over ports (no Flask, RQ, Redis or Twilio imports here)."""
