"""URL converters: `<int:...>` ids are capped to the database's 32-bit integer columns.

Werkzeug's int converter accepts any length of digits; an id PostgreSQL cannot hold would fail in
the database (a 500) instead of being the 404 it is.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

LARGEST_ID = 2**31 - 1


class RecordId(IntegerConverter):
    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)
