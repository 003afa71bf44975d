"""The organiser's call script as a volunteer reads it: Markdown without raw HTML, placeholders filled.

A script may say {first name} (the voter's), {my name} (the volunteer's first name), {seat} and
{campaign}. The voter changes from call to call, so their name goes in as a marked span the calling
page fills from each voter card; the rest are filled here. A placeholder this module does not know
is left as written, so the organiser sees it in the preview and on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

#: CommonMark with raw HTML switched off: an organiser's script cannot inject markup or scripts.
_markdown = MarkdownIt("commonmark", {"html": False})

#: What the voter's name reads as before a voter is on screen.
NO_VOTER_YET = "the voter"

_PLACEHOLDER = re.compile(r"\{\s*([A-Za-z][A-Za-z' ]*?)\s*\}")
_NAMES = {
    "first name": "voter",
    "voter's first name": "voter",
    "voter first name": "voter",
    "my name": "volunteer",
    "your name": "volunteer",
    "volunteer": "volunteer",
    "seat": "seat",
    "constituency": "seat",
    "campaign": "campaign",
}


@dataclass(frozen=True)
class ScriptContext:
    """What the placeholders stand for on one volunteer's calling page."""

    volunteer_first_name: str
    seat: str
    campaign: str


def render_script(script_md: str, context: ScriptContext) -> Markup:
    """The script as HTML with its placeholders filled (the voter's name as a span to fill)."""
    html = _markdown.render(script_md)
    values = {
        "volunteer": escape(context.volunteer_first_name),
        "seat": escape(context.seat),
        "campaign": escape(context.campaign),
        "voter": Markup('<span class="placeholder" data-placeholder="first-name">{}</span>').format(
            NO_VOTER_YET
        ),
    }

    def fill(match: re.Match[str]) -> str:
        name = _NAMES.get(" ".join(match.group(1).lower().split()))
        return str(values[name]) if name else match.group(0)

    return Markup(_PLACEHOLDER.sub(fill, html))
