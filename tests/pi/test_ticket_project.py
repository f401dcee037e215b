"""An objective linked to a ticket project (epic): its progress follows the project's stages."""

from __future__ import annotations

from sqlalchemy import select

from bot.blocks import blocks_to_text
from rituals.tickets.models import Ticket, TicketProject
from tests.pi.driver import ADA, GRACE, choose, new_pi_values, objective_values


def project_with_tickets(database, clock) -> int:
    """Project "churn" (the workspace's six default stages): business case closed, modelling open."""
    with database.session() as s:
        project = TicketProject(
            team_id="T0001", name="churn", tracker="builtin", created_by=ADA, created_at=clock.now()
        )
        s.add(project)
        s.flush()
        for key, stage, status in (("DS-1", "Business case", "closed"), ("DS-2", "Modelling / EDA", "open")):
            s.add(
                Ticket(
                    team_id="T0001",
                    project_id=project.id,
                    tracker="builtin",
                    key=key,
                    stage=stage,
                    summary=key,
                    status=status,
                    created_by=ADA,
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
            )
        return project.id


def test_an_objective_linked_to_a_ticket_project_moves_with_its_stages(pi, database, clock):
    project_id = project_with_tickets(database, clock)
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    pi.command("objective")
    [menu] = [b["element"] for b in pi.opened()["blocks"] if b.get("block_id") == "ticket_project"]
    assert [(o["value"], o["text"]["text"]) for o in menu["options"]] == [("none", "None"), (str(project_id), "churn")]
    values = {**objective_values("Churn model v2", "8", GRACE), "ticket_project": choose(str(project_id))}
    assert pi.submit(values, ADA) == {}
    assert "Ticket project *churn*: progress not read yet" in blocks_to_text(pi.command("status")["blocks"])

    assert pi.run("pi.measure")
    assert "Ticket project *churn*: stage 3 of 6, Modelling / EDA" in blocks_to_text(pi.command("status")["blocks"])
    pi.press("pi.checkin_open", "1", GRACE)
    progress = [b["element"] for b in pi.opened()["blocks"] if b.get("block_id") == "progress"][0]
    assert progress["initial_value"] == "33"  # business case and data collection done: 2 of 6 stages

    with database.session() as s:
        s.scalars(select(Ticket).where(Ticket.key == "DS-2")).one().status = "closed"
    clock.advance(minutes=5)
    assert pi.run("pi.measure")
    pi.press("pi.checkin_open", "1", GRACE)
    progress = [b["element"] for b in pi.opened()["blocks"] if b.get("block_id") == "progress"][0]
    assert progress["initial_value"] == "50"  # modelling closed too: 3 of 6


def test_a_project_of_another_workspace_is_refused(pi, database, clock):
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    with database.session() as s:
        other = TicketProject(team_id="T9999", name="theirs", tracker="builtin", created_by=ADA, created_at=clock.now())
        s.add(other)
        s.flush()
        other_id = other.id
    pi.command("objective")
    values = {**objective_values("Churn model v2", "8", GRACE), "ticket_project": choose(str(other_id))}
    assert pi.submit(values, ADA)["errors"] == {
        "ticket_project": "That ticket project no longer exists: reopen the form and pick again."
    }
