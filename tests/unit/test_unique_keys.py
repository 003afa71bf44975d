"""A write that loses a race on a unique key is rolled back and tried again, a bounded number of times."""

import pytest
from sqlalchemy.exc import IntegrityError

from dialer.services.unique_keys import TRIES, first_one_wins


class CountingUnitOfWork:
    def __init__(self) -> None:
        self.rollbacks = 0

    def rollback(self) -> None:
        self.rollbacks += 1


def losing(times: int):
    tries = []

    def attempt() -> str:
        tries.append(1)
        if len(tries) <= times:
            raise IntegrityError("INSERT", {}, Exception("duplicate key"))
        return "the winner's row"

    return attempt


def test_a_write_that_loses_three_races_in_a_row_reads_the_winners_row_on_its_fourth_try():
    uow = CountingUnitOfWork()

    assert first_one_wins(uow, losing(3)) == "the winner's row"  # type: ignore[arg-type]
    assert uow.rollbacks == 3


def test_a_write_that_loses_every_try_raises_the_last_loss_after_rolling_it_back():
    uow = CountingUnitOfWork()

    with pytest.raises(IntegrityError):
        first_one_wins(uow, losing(TRIES))  # type: ignore[arg-type]
    assert uow.rollbacks == TRIES
