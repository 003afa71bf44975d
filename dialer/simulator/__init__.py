"""A Twilio-compatible telephony simulator: Twilio's REST API, webhooks and TwiML, on loopback.

It imports nothing of the product but `dialer.clock`; the product reaches it only through
twilio-python and signed webhooks, exactly as it reaches Twilio. See simulator.py for the entry
point (`Simulator`) and docs/SIMULATOR.md for how to drive it from tests.
"""

from dialer.simulator.behaviours import Behaviour, Mix
from dialer.simulator.faults import Fault
from dialer.simulator.inprocess import WsgiHttpClient, WsgiTransport
from dialer.simulator.simulator import DEFAULT_NUMBERS, Simulator

__all__ = ["DEFAULT_NUMBERS", "Behaviour", "Fault", "Mix", "Simulator", "WsgiHttpClient", "WsgiTransport"]
