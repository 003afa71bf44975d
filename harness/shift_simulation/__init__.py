"""A fast discrete-event model of a phone-bank shift, for comparing dialing strategies on the same voters.

The callees are the telephony simulator's own behaviour mix and detection timings; the clock is
simulated seconds; no HTTP, no SQL. The predictive strategy calls the product's own pacer and
compliance governor (`dialer.domain.pacing`, `dialer.domain.compliance_governor`).
"""
