"""Text a request may carry: no NUL characters, anywhere.

Nobody types U+0000, PostgreSQL cannot store it in a text column (it fails the query), and SQLite
would keep it where later readers do not expect it. So a request holding one, in its path, query
string, form fields, file names or JSON, is refused with 400 before any view runs.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request

NUL = "\x00"
MESSAGE = "Text cannot contain NUL characters."


def refuse_nul_characters(app: Flask) -> None:
    @app.before_request
    def _refuse() -> None:
        if _holds_nul(_everything_sent()):
            abort(400, description=MESSAGE)


def _everything_sent() -> list[Any]:
    sent: list[Any] = [list((request.view_args or {}).values())]
    sent.extend(request.args.items(multi=True))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent.extend(request.form.items(multi=True))
        sent.extend(upload.filename or "" for upload in request.files.values())
        if request.is_json:
            sent.append(request.get_json(silent=True))
    return sent


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(_holds_nul(item) for item in value)
    return False
