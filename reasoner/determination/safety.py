"""Step 5: safety notices for continuation lines that are refused or pended.

The rule and its words are knowledge (issue 7 encodes the withdrawal risks); this step only turns
them into :class:`~.model.SafetyNotice` items. Until the knowledge states a withdrawal risk, there
is nothing to say.
"""

from __future__ import annotations

from rdflib import Graph

from ..compiled import CompiledKnowledge
from .model import LineDecision, SafetyNotice

__all__ = ["safety_notices"]


def safety_notices(knowledge: CompiledKnowledge, data: Graph, lines: list[LineDecision]) -> list[SafetyNotice]:
    return []
