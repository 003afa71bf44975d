"""Who may do what: the roles an account can hold."""

from enum import StrEnum


class Role(StrEnum):
    VOLUNTEER = "volunteer"
    ORGANISER = "organiser"
    ADMIN = "admin"
