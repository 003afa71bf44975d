"""The call script as a volunteer reads it: placeholders filled, nothing from them run as markup."""

from __future__ import annotations

from web.call_script import ScriptContext, render_script

CONTEXT = ScriptContext(volunteer_first_name="Priya", seat="Bath", campaign="Bath phone bank")


def test_the_volunteers_name_the_seat_and_the_campaign_are_filled_in_whatever_their_spacing_or_case():
    html = render_script("I'm {my name} for {Campaign} in { seat }.", CONTEXT)

    assert html == "<p>I'm Priya for Bath phone bank in Bath.</p>\n"


def test_the_voters_first_name_is_a_span_the_calling_page_fills_for_each_voter():
    html = render_script("Is that **{first name}**?", CONTEXT)

    assert html == (
        '<p>Is that <strong><span class="placeholder" data-placeholder="first-name">the voter</span>'
        "</strong>?</p>\n"
    )


def test_a_name_with_markup_in_it_is_shown_as_text_and_an_unknown_placeholder_is_left_as_written():
    html = render_script("{my name} says {favourite colour}", ScriptContext("<b>Bo</b>", "Bath", "C"))

    assert html == "<p>&lt;b&gt;Bo&lt;/b&gt; says {favourite colour}</p>\n"
