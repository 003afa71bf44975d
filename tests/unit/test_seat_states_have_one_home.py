"""A calling seat's states are named only in the domain's transition table, the module that applies
moves, and the migrations (issue 15, acceptance 1); the Lua scripts take theirs as arguments."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from dialer.domain.seats import SeatState

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("dialer", "web", "workers")
#: Where a seat's states may be named. The simulator has Twilio's own call statuses, not seat states.
HOMES = (
    "dialer/domain/seats.py",
    "dialer/services/calling/seat_moves.py",
    "dialer/migrations/",
    "dialer/simulator/",
)
VALUES = frozenset(state.value for state in SeatState)
MEMBERS = frozenset(state.name for state in SeatState)
_QUOTED = re.compile(r"""(['"])(""" + "|".join(sorted(VALUES)) + r""")\1""")


def python_namings(source: str) -> list[str]:
    """Where `source` names a seat state: a `SeatState` member, a `SeatState("...")` made from a
    literal, a quoted state inside a string (SQL), or a literal state compared with or written to
    something called state."""
    tree = ast.parse(source)
    enum_names = {"SeatState"} | {
        alias.asname
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name == "SeatState" and alias.asname
    }

    def is_enum(node: ast.expr) -> bool:
        return (isinstance(node, ast.Name) and node.id in enum_names) or (
            isinstance(node, ast.Attribute) and node.attr == "SeatState"
        )

    def is_state_literal(node: ast.expr) -> bool:
        return isinstance(node, ast.Constant) and node.value in VALUES

    found: list[str] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute) and node.attr in MEMBERS and is_enum(node.value):
            found.append(f"{line}: SeatState.{node.attr}")
        elif isinstance(node, ast.Call) and is_enum(node.func) and any(map(is_state_literal, node.args)):
            found.append(f"{line}: SeatState made from a literal")
        elif isinstance(node, ast.Subscript) and is_enum(node.value):
            found.append(f"{line}: SeatState[...]")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _QUOTED.search(node.value):
            found.append(f"{line}: a quoted state in {node.value[:40]!r}")
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(map(is_state_literal, sides)) and any("state" in ast.unparse(side) for side in sides):
                found.append(f"{line}: {ast.unparse(node)}")
        elif isinstance(node, ast.keyword) and node.arg == "state" and is_state_literal(node.value):
            found.append(f"{line}: state={ast.unparse(node.value)}")
    return sorted(found, key=lambda naming: int(naming.split(":")[0]))


def lua_namings(source: str) -> list[str]:
    """Where a Lua script names a seat state in its code (its comments may describe them)."""
    found: list[str] = []
    for number, line in enumerate(source.splitlines(), start=1):
        code = line.split("--", 1)[0]
        found.extend(f"{number}: {match.group(0)}" for match in _QUOTED.finditer(code))
    return found


def namings_outside_homes() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if path.suffix not in (".py", ".lua") or relative.startswith(HOMES):
                continue
            source = path.read_text(encoding="utf-8")
            namings = python_namings(source) if path.suffix == ".py" else lua_namings(source)
            if namings:
                found[relative] = namings
    return found


def test_no_product_module_but_the_domain_and_the_moves_module_names_a_seat_state():
    assert namings_outside_homes() == {}


def test_the_check_finds_a_state_named_in_python_sql_or_lua():
    assert python_namings("from dialer.domain.seats import SeatState\nx = SeatState.READY\n")
    assert python_namings("from dialer.domain import seats\nx = seats.SeatState.WRAP_UP\n")
    assert python_namings("from dialer.domain.seats import SeatState as S\nx = S.PAUSED\n")
    assert python_namings("x = SeatState('dialing')\n")
    assert python_namings("q = \"UPDATE calling_session SET state = 'connected'\"\n")
    assert python_namings("ok = seat.state == 'ready'\n")
    assert python_namings("stmt = update(CallingSession).values(state='ended')\n")
    assert lua_namings("if redis.call('HGET', key, 'state') == 'dialing' then\n")


def test_the_check_leaves_other_states_and_the_names_of_groups_alone():
    assert not python_namings("ok = call.status == 'ringing' or campaign.status == 'paused'\n")
    assert not python_namings("reply = {'paused': paused}\n")
    assert not python_namings("idle = seat.state in seats.IDLE\nstate: SeatState = seats.START\n")
    assert not python_namings("state = SeatState(values['state'])\n")
    assert not lua_namings("-- the seat goes 'ready'\nredis.call('HSET', key, 'state', ARGV[2])\n")
