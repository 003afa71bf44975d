"""`python -m dialer.simulator`: serve the Twilio-compatible simulator."""

from dialer.simulator.server import main

main()
