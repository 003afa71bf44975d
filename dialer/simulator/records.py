"""Everything the simulated account holds, indexed so no request scans every call.

Calls are kept in creation order (a list: position = `seq`), with indexes by sid, status, `To`
and parent call; conferences by sid and by friendly name (at most one live per name).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TypeVar

from dialer.simulator.accounts import Application, OutgoingCallerId, PhoneNumber
from dialer.simulator.calls import Call
from dialer.simulator.conferences import Conference

T = TypeVar("T")


class Records:
    def __init__(self) -> None:
        self.calls: dict[str, Call] = {}
        self.call_order: list[Call] = []
        self.calls_by_status: dict[str, dict[str, Call]] = defaultdict(dict)
        self.calls_by_to: dict[str, list[Call]] = defaultdict(list)
        self.calls_by_parent: dict[str, list[Call]] = defaultdict(list)
        self.conferences: dict[str, Conference] = {}
        self.conference_order: list[Conference] = []
        self.conferences_by_name: dict[str, list[Conference]] = defaultdict(list)
        self.live_conferences: dict[str, Conference] = {}
        self.numbers: dict[str, PhoneNumber] = {}
        self.numbers_by_e164: dict[str, PhoneNumber] = {}
        self.caller_ids: dict[str, OutgoingCallerId] = {}
        self.caller_ids_by_e164: dict[str, OutgoingCallerId] = {}
        self.applications: dict[str, Application] = {}
        self.application_order: list[Application] = []

    # --- calls ------------------------------------------------------------------------

    def add_call(self, call: Call) -> None:
        self.calls[call.sid] = call
        self.call_order.append(call)
        self.calls_by_status[call.status][call.sid] = call
        self.calls_by_to[call.options.to].append(call)
        if call.parent_call_sid:
            self.calls_by_parent[call.parent_call_sid].append(call)

    def set_status(self, call: Call, status: str) -> None:
        self.calls_by_status[call.status].pop(call.sid, None)
        call.status = status
        self.calls_by_status[status][call.sid] = call

    def count_by_status(self) -> dict[str, int]:
        return {status: len(calls) for status, calls in self.calls_by_status.items() if calls}

    def call_candidates(self, status: str | None, to: str | None, parent: str | None) -> list[Call] | None:
        """The smallest index that answers a filter, in creation order (None: walk every call).

        A filter that matches most calls (say `Status=completed` late in a shift) is answered by
        walking the creation order lazily instead, which stops as soon as a page is full.
        """
        sizes: list[tuple[int, str]] = []
        if status is not None:
            sizes.append((len(self.calls_by_status.get(status, {})), "status"))
        if to is not None:
            sizes.append((len(self.calls_by_to.get(to, [])), "to"))
        if parent is not None:
            sizes.append((len(self.calls_by_parent.get(parent, [])), "parent"))
        if not sizes:
            return None
        size, smallest = min(sizes)
        if size * 4 > len(self.call_order):
            return None
        if smallest == "status":
            return sorted(self.calls_by_status.get(status or "", {}).values(), key=_seq)
        if smallest == "to":
            return self.calls_by_to.get(to or "", [])
        return self.calls_by_parent.get(parent or "", [])

    # --- conferences ------------------------------------------------------------------

    def add_conference(self, conference: Conference) -> None:
        self.conferences[conference.sid] = conference
        self.conference_order.append(conference)
        self.conferences_by_name[conference.friendly_name].append(conference)
        self.live_conferences[conference.friendly_name] = conference

    def conference_ended(self, conference: Conference) -> None:
        if self.live_conferences.get(conference.friendly_name) is conference:
            del self.live_conferences[conference.friendly_name]

    def conference_candidates(self, name: str | None) -> list[Conference]:
        return self.conferences_by_name.get(name, []) if name is not None else self.conference_order

    # --- account ----------------------------------------------------------------------

    def add_number(self, number: PhoneNumber) -> None:
        self.numbers[number.sid] = number
        self.numbers_by_e164[number.phone_number] = number

    def add_caller_id(self, caller_id: OutgoingCallerId) -> None:
        self.caller_ids[caller_id.sid] = caller_id
        self.caller_ids_by_e164[caller_id.phone_number] = caller_id

    def add_application(self, application: Application) -> None:
        self.applications[application.sid] = application
        self.application_order.append(application)

    def remove_application(self, application: Application) -> None:
        del self.applications[application.sid]
        self.application_order.remove(application)


def _seq(item: Call | Conference) -> int:
    return item.seq


def newest_first(
    ordered: list[T], seq: Callable[[T], int], keep: Callable[[T], bool]
) -> tuple[Callable[[int | None], Iterator[T]], Callable[[int], Iterator[T]]]:
    """Iterators over a creation-ordered list for wire.page_slice: older than / newer than a position."""
    keys = [seq(item) for item in ordered] if ordered and seq(ordered[-1]) != len(ordered) - 1 else None

    def index_of(position: int) -> int:
        return bisect_left(keys, position) if keys is not None else position

    def older(before: int | None) -> Iterator[T]:
        end = len(ordered) if before is None else index_of(before)
        for index in range(end - 1, -1, -1):
            if keep(ordered[index]):
                yield ordered[index]

    def newer(after: int) -> Iterator[T]:
        start = index_of(after) + 1
        for index in range(start, len(ordered)):
            if keep(ordered[index]):
                yield ordered[index]

    return older, newer


def display_order(
    items: list[T], sid_of: Callable[[T], str]
) -> tuple[Callable[[int | None], Iterator[T]], Callable[[int], Iterator[T]], Callable[[str], int | None]]:
    """Paging iterators for a short list already in the order it is shown (e.g. participants)."""
    index = {sid_of(item): position for position, item in enumerate(items)}

    def after(position: int | None) -> Iterator[T]:
        yield from items[0 if position is None else position + 1 :]

    def before(position: int) -> Iterator[T]:
        for at in range(position - 1, -1, -1):
            yield items[at]

    return after, before, index.get
