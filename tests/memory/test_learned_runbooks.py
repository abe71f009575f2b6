"""Learned runbooks: proposals, promotion into the overlay, and the refusals around them."""

from pathlib import Path

import pytest

from memory.runbooks import CatalogError, Runbook, RunbookCatalog, RunbookMatch, RunbookStep
from memory.runbooks.learned import LearnedRunbooks, Proposal


def _proposal(runbook_id: str = "rb-learned-leak-restart", incident: str = "inc-1") -> Proposal:
    runbook = Runbook(
        id=runbook_id,
        match=RunbookMatch(fault_type="memory_leak"),
        description="Learned.",
        justification="A human resolved it.",
        steps=(RunbookStep(action="restart_service"),),
    )
    return Proposal(
        runbook=runbook, incident_id=incident, root_cause="catalog:memory_leak", resolved_by="ana"
    )


BASE = RunbookCatalog(runbooks=(_proposal("rb-shipped").runbook,))


def test_promotion_appends_to_the_overlay_and_marks_the_proposal(tmp_path: Path) -> None:
    learned = LearnedRunbooks(tmp_path)
    learned.propose(_proposal())
    assert learned.merged(BASE) == BASE  # a proposal is not in the catalog yet
    learned.promote("rb-learned-leak-restart", "bo", BASE)
    assert [rb.id for rb in learned.merged(BASE).runbooks] == [
        "rb-shipped",
        "rb-learned-leak-restart",
    ]
    proposal = learned.get("rb-learned-leak-restart")
    assert (proposal.status, proposal.promoted_by) == ("promoted", "bo")


def test_a_new_proposal_replaces_a_proposed_one_with_the_same_id(tmp_path: Path) -> None:
    learned = LearnedRunbooks(tmp_path)
    learned.propose(_proposal(incident="inc-1"))
    learned.propose(_proposal(incident="inc-2"))
    assert [p.incident_id for p in learned.proposals()] == ["inc-2"]


def test_promoting_twice_is_refused_and_the_overlay_holds_it_once(tmp_path: Path) -> None:
    learned = LearnedRunbooks(tmp_path)
    learned.propose(_proposal())
    learned.promote("rb-learned-leak-restart", "bo", BASE)
    with pytest.raises(ValueError, match="already promoted"):
        learned.promote("rb-learned-leak-restart", "cy", BASE)
    with pytest.raises(ValueError, match="already promoted"):
        learned.propose(_proposal(incident="inc-3"))
    assert [rb.id for rb in learned.overlay().runbooks] == ["rb-learned-leak-restart"]


def test_a_proposal_whose_id_is_in_the_catalog_is_not_promoted(tmp_path: Path) -> None:
    learned = LearnedRunbooks(tmp_path)
    learned.propose(_proposal("rb-shipped"))
    with pytest.raises(ValueError, match="already exists"):
        learned.promote("rb-shipped", "bo", BASE)
    assert learned.overlay().runbooks == ()
    assert learned.get("rb-shipped").status == "proposed"


def test_an_overlay_that_redefines_a_shipped_runbook_is_an_error(tmp_path: Path) -> None:
    learned = LearnedRunbooks(tmp_path)
    learned.propose(_proposal("rb-shipped"))
    learned.promote("rb-shipped", "bo", RunbookCatalog(runbooks=()))
    with pytest.raises(CatalogError, match="redefines"):
        learned.merged(BASE)


def test_unknown_proposal_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="adsh runbooks list"):
        LearnedRunbooks(tmp_path).get("rb-nope")
