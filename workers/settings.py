"""Settings for `rq worker -c workers.settings`: the queues Marginal uses, most urgent first."""

from dialer.adapters.rq_queue import QUEUES as _QUEUES

QUEUES: list[str] = list(_QUEUES)
