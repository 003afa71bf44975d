"""Errors the core raises, named for what went wrong in campaign terms."""


class DialerError(Exception):
    """Base class: a problem the product reports to its user in one clear line."""


class ConfigurationError(DialerError):
    """The environment asks for something impossible or unsafe."""


class StartupError(DialerError):
    """A component the product needs could not be started or reached."""


class InvalidInput(DialerError):
    """Input from a user or a file that the product cannot accept; the message says why.

    `field` names the input at fault when the caller can tell (a form shows the message beside it).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DialerError):
    """The thing asked for does not exist (or the asker may not know it does)."""


class Conflict(DialerError):
    """The request does not fit the current state (e.g. pausing mid-call); the message says what to do."""


class TelephonyError(DialerError):
    """The telephony provider refused or failed a request; `retryable` says whether trying later may work."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None, code: int | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.code = code


class MailError(DialerError):
    """The SMTP server refused or failed a message; `retryable` says whether trying later may work."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable
