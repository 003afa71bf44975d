"""Harnesses that run the product under load and simulate shifts, for scripts and tests only (never
shipped in its wheel).

`harness.loopback` runs a whole production-shaped deployment on one machine (web processes behind
a balancer, RQ workers, the Twilio simulator, simulated crowds of volunteers and dashboards) for the
load test and the fault drills; `harness.shift_simulation` simulates calling shifts on one clock to
compare dialing strategies. The product (`dialer`, `web`, `workers`) never imports them: an
import-linter contract keeps it so.
"""
