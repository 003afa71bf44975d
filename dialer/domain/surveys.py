"""The kinds of question a campaign's survey can ask."""

from enum import StrEnum


class QuestionKind(StrEnum):
    SINGLE_CHOICE = "single"
    MULTIPLE_CHOICE = "multiple"
    SCALE = "scale"
    FREE_TEXT = "text"
