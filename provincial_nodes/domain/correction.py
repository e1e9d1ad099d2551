"""What a 2601 correction did, and what a node knows of a msgid (5203-style): values both
places and the hub client exchange."""

from __future__ import annotations

from dataclasses import dataclass

from provincial_nodes.domain.settlement import Settlement


@dataclass(frozen=True)
class Outcome:
    """What a correction did: "reversed", "already_reversed" or "burned"."""

    outcome: str
    original: Settlement | None = None
    reversal: Settlement | None = None

    @property
    def took_effect(self) -> bool:
        return self.outcome != "burned"


@dataclass(frozen=True)
class Status:
    """What one node knows of a msgid (5203-style)."""

    state: str
    """"unknown", "done", "burned" or "corrected"."""
    infno: str = ""
    setlinfo: Settlement | None = None
    reversal: Settlement | None = None
