"""What can happen at a door, in the words a canvasser uses, mapped onto the campaign's dispositions."""

from __future__ import annotations

from typing import Final

from dialer.domain.dispositions import Disposition

#: Doorstep outcomes, in the order the doorstep page offers them.
DOORSTEP_OUTCOMES: Final = {
    Disposition.TALKED: "Talked",
    Disposition.NO_ANSWER: "Not in",
    Disposition.REFUSED: "Refused to talk",
    Disposition.MOVED: "Moved away",
    Disposition.LANGUAGE_BARRIER: "Language barrier",
    Disposition.DO_NOT_CALL: "Do not contact again",
}

#: Outcomes that opt the voter out of every campaign's calls (opt-outs are immediate and absolute).
OPT_OUTS: Final = frozenset({Disposition.DO_NOT_CALL})
