"""The kinds of question a campaign's survey can ask, and what counts as a valid answer to each."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from dialer.errors import InvalidInput

MAX_TEXT_ANSWER = 2000
DEFAULT_SCALE = ("1", "2", "3", "4", "5")


class QuestionKind(StrEnum):
    SINGLE_CHOICE = "single"
    MULTIPLE_CHOICE = "multiple"
    SCALE = "scale"
    FREE_TEXT = "text"


def validated_options(kind: QuestionKind, options: Sequence[str]) -> list[str]:
    """The options a question offers, checked for its kind (a scale defaults to 1-5)."""
    cleaned = [option.strip() for option in options if option.strip()]
    if len(set(cleaned)) != len(cleaned):
        raise InvalidInput("a question's options must all be different")
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE) and len(cleaned) < 2:
        raise InvalidInput("a choice question needs at least two options")
    if kind is QuestionKind.SCALE:
        cleaned = cleaned or list(DEFAULT_SCALE)
        if len(cleaned) < 2:
            raise InvalidInput("a scale needs at least two points")
    if kind is QuestionKind.FREE_TEXT and cleaned:
        raise InvalidInput("a free-text question has no options")
    return cleaned


def validated_answer(kind: QuestionKind, options: Sequence[str], value: Any) -> Any:
    """The answer in its stored form, or InvalidInput saying what was wrong; None means unanswered."""
    if value is None or value == "" or value == []:
        return None
    if kind is QuestionKind.FREE_TEXT:
        if not isinstance(value, str):
            raise InvalidInput("a free-text answer must be text")
        text = value.strip()
        if len(text) > MAX_TEXT_ANSWER:
            raise InvalidInput(f"a free-text answer may be at most {MAX_TEXT_ANSWER} characters")
        return text or None
    if kind is QuestionKind.MULTIPLE_CHOICE:
        chosen = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) and item in options for item in chosen):
            raise InvalidInput(f"choose from: {', '.join(options)}")
        return [option for option in options if option in chosen]
    choice = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if choice is None or choice not in options:
        raise InvalidInput(f"choose one of: {', '.join(options)}")
    return choice
