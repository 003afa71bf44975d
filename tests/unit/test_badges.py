"""The badges a volunteer's totals reach."""

from dialer.domain.badges import badges_earned


def titles(**totals: float) -> list[str]:
    return [badge.title for badge in badges_earned(**totals)]  # type: ignore[arg-type]


def test_a_new_volunteer_has_no_badge_and_the_first_conversation_earns_one():
    assert titles(conversations=0, hours=0.5, signups=0) == []
    assert titles(conversations=1, hours=0.5, signups=0) == ["First conversation"]


def test_conversations_hours_and_sign_ups_each_have_their_milestones():
    assert titles(conversations=50, hours=5.2, signups=10) == [
        "First conversation",
        "10 conversations",
        "50 conversations",
        "First hour calling",
        "5 hours calling",
        "First sign-up won",
        "10 sign-ups won",
    ]
