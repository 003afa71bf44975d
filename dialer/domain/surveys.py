"""A campaign's survey: the kinds of question it can ask, and what counts as a valid answer.

One rule for every channel: a volunteer's answers on the calling page and a canvasser's on the
doorstep are checked by `check_answers`, answer by answer with `validated_answer`. Answers are
stored as the option chosen (text), a list of options in the survey's order, or the text typed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Question:
    """A survey question as the rules need it (read from SurveyQuestion rows)."""

    id: int
    key: str
    prompt: str
    kind: QuestionKind
    options: Sequence[str] = field(default_factory=tuple)
    required: bool = False


def check_answers(
    questions: Sequence[Question], answers: Mapping[str, object], *, talked: bool
) -> dict[int, Any]:
    """The answers by question id in their stored form; unanswered questions are left out.

    Answers are keyed by question key; a key the survey does not have is refused. Required
    questions must be answered only when the volunteer actually talked to the voter.
    """
    by_key = {question.key: question for question in questions}
    unknown = sorted(set(answers) - set(by_key))
    if unknown:
        raise InvalidInput(f"no survey question {unknown[0]!r} in this campaign")
    checked: dict[int, Any] = {}
    for question in questions:
        try:
            value = validated_answer(question.kind, question.options, answers.get(question.key))
        except InvalidInput as exc:
            raise InvalidInput(f"{question.prompt}: {exc}") from None
        if value is None:
            if talked and question.required:
                raise InvalidInput(f"{question.prompt}: an answer is needed")
            continue
        checked[question.id] = value
    return checked


def validated_answer(kind: QuestionKind, options: Sequence[str], value: Any) -> Any:
    """The answer in its stored form, or InvalidInput saying what was wrong; None means unanswered."""
    if value is None or value == "" or value == []:
        return None
    if kind is QuestionKind.SCALE and not options:
        options = DEFAULT_SCALE
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
