"""A failed call's SIP response and Twilio error code say whether the number does not exist (a wrong
number) or the network could not complete the call (tried again)."""

import pytest

from dialer.domain.call_failures import Failure, classify, describe


@pytest.mark.parametrize(
    ("sip_code", "error_code"),
    [(404, None), (410, None), (484, None), (604, None), (None, 13224), (None, 21211), (503, 21217)],
)
def test_a_number_that_does_not_exist_is_told_by_its_sip_or_twilio_code(sip_code, error_code):
    assert classify(sip_code, error_code) is Failure.NUMBER_DOES_NOT_EXIST


@pytest.mark.parametrize(
    ("sip_code", "error_code"),
    [(503, None), (480, None), (408, None), (500, None), (603, None), (None, None)],
)
def test_congestion_temporary_network_and_unknown_failures_are_the_carriers_trouble(sip_code, error_code):
    assert classify(sip_code, error_code) is Failure.CARRIER_TROUBLE


def test_the_organiser_reads_what_failed_and_the_codes():
    assert describe(503, None) == "the network could not complete the call (SIP 503)"
    assert describe(404, 21211) == "the number does not exist (SIP 404, Twilio error 21211)"
    assert describe(None, None) == "the network could not complete the call"
