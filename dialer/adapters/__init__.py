"""The only code in the core that touches the outside world: SQL, Redis, telephony, queues, sockets."""
