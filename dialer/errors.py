"""Errors the core raises, named for what went wrong in campaign terms."""


class DialerError(Exception):
    """Base class: a problem the product reports to its user in one clear line."""


class ConfigurationError(DialerError):
    """The environment asks for something impossible or unsafe."""


class StartupError(DialerError):
    """A component the product needs could not be started or reached."""


class InvalidInput(DialerError):
    """Input from a user or a file that the product cannot accept; the message says why."""


class NotFound(DialerError):
    """The thing asked for does not exist (or the asker may not know it does)."""
