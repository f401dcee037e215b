"""The blocker answer's shape: *no*, or *yes: what blocks me* — the convention the DM ask explains and
the form asks as a choice. Free text without that shape only gets a hint, which the member can correct."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EMOJI = re.compile(r":[a-z0-9_+'-]+:")
_NO = re.compile(r"^(no|none|nope|nah|nothing|nil|n/?a|-+)?[\s.,;:!?()\-–—'\"]*$")
_YES = re.compile(r"^(yes|yep|yeah)\b[\s:,.\-–—]*(.*)$", re.S | re.I)
_WORDS = re.compile(r"[a-z/']+")
NEGATIONS = {"no", "none", "nope", "nah", "nothing", "not", "zero", "nil", "n/a", "na", "never"}
FILLER = {"today", "now", "for", "at", "the", "moment", "so", "far", "all", "good", "clear", "fine", "ok", "okay"}
FILLER |= {"thanks", "thank", "you", "currently", "right", "as", "of", "really", "major", "much", "here", "great"}
BLOCK_WORDS = {"block", "blocks", "blocker", "blockers", "blocking", "blocked", "issue", "issues", "problem"}
BLOCK_WORDS |= {"problems", "impediment", "impediments", "blockages"}


@dataclass(frozen=True)
class Shape:
    """A blocker answer in the convention's shape: blocked or not, and what blocks (after “yes:”)."""

    blocked: bool
    detail: str = ""


def _bare(text: str) -> str:
    return _EMOJI.sub(" ", text.strip().lower()).strip()


def shape(text: str) -> Shape | None:
    """“no”, “none.”, “no :)”, “-” -> not blocked; “yes: waiting on quota” -> blocked; else None."""
    bare = _bare(text)
    if _NO.match(bare):
        return Shape(False)
    yes = _YES.match(text.strip())
    if yes:
        return Shape(True, yes.group(2).strip())
    return None


def hint(text: str) -> bool:
    """A guess for free text: “None today”, “all good”, “no blockers at the moment” read as no blocker;
    anything else (“no GPU quota yet”) reads as a blocker. Only a hint: the member is told and can correct it."""
    words = _WORDS.findall(_bare(text))
    if all(w in NEGATIONS or w in FILLER for w in words):
        return False
    for i, word in enumerate(words):
        if word in NEGATIONS and any(w in BLOCK_WORDS for w in words[i + 1 : i + 4]):
            return False
    return True


def blocked(text: str) -> bool:
    """The shape when there is one, else the hint."""
    found = shape(text)
    return hint(text) if found is None else found.blocked


def detail(text: str) -> str:
    """What blocks, for the blocker list: the words after “yes:”, else the whole answer."""
    found = shape(text)
    return found.detail if found is not None and found.detail else text.strip()
