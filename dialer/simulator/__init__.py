"""A Twilio-compatible telephony simulator: Twilio's REST API, webhooks and TwiML, on loopback."""
