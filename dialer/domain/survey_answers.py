"""Checking a volunteer's survey answers against the campaign's questions (phone or doorstep)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from dialer.domain.surveys import QuestionKind
from dialer.errors import InvalidInput

MAX_TEXT_ANSWER: Final = 2000
DEFAULT_SCALE: Final = ("1", "2", "3", "4", "5")

Answer = str | int | list[str]


@dataclass(frozen=True)
class Question:
    id: int
    key: str
    prompt: str
    kind: QuestionKind
    options: Sequence[str] = field(default_factory=tuple)
    required: bool = False


def check_answers(
    questions: Sequence[Question], answers: Mapping[str, object], *, talked: bool
) -> dict[int, Answer]:
    """Answers by question id, validated; blank answers are dropped.

    Required questions must be answered only when the volunteer actually talked to the voter.
    """
    by_key = {question.key: question for question in questions}
    unknown = sorted(set(answers) - set(by_key))
    if unknown:
        raise InvalidInput(f"no survey question {unknown[0]!r} in this campaign")
    checked: dict[int, Answer] = {}
    for question in questions:
        value = _check(question, answers.get(question.key))
        if value is None:
            if talked and question.required:
                raise InvalidInput(f"answer {question.prompt!r}")
            continue
        checked[question.id] = value
    return checked


def _check(question: Question, value: object) -> Answer | None:
    if value is None or value == "" or value == []:
        return None
    kind = question.kind
    if kind is QuestionKind.SINGLE_CHOICE:
        if not isinstance(value, str) or value not in question.options:
            raise InvalidInput(f"{value!r} is not one of the answers to {question.prompt!r}")
        return value
    if kind is QuestionKind.MULTIPLE_CHOICE:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise InvalidInput(f"{question.prompt!r} takes a list of answers")
        wrong = [item for item in value if item not in question.options]
        if wrong:
            raise InvalidInput(f"{wrong[0]!r} is not one of the answers to {question.prompt!r}")
        return list(dict.fromkeys(value))
    if kind is QuestionKind.SCALE:
        scale = tuple(question.options) or DEFAULT_SCALE
        text = str(value).strip()
        if isinstance(value, bool) or text not in scale:
            raise InvalidInput(f"{question.prompt!r} is answered from {scale[0]} to {scale[-1]}")
        return int(text) if text.lstrip("-").isdigit() else text
    if not isinstance(value, str):
        raise InvalidInput(f"{question.prompt!r} takes text")
    text = value.strip()
    if len(text) > MAX_TEXT_ANSWER:
        raise InvalidInput(f"the answer to {question.prompt!r} is longer than {MAX_TEXT_ANSWER} characters")
    return text or None
