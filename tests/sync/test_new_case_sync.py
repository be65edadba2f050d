"""A case from the console's new-case form reaches the team server like one from ``agent-console case create``:
created, claimed by the agent, and a new customer keeps both their e-mail address and their phone number."""

from __future__ import annotations

from sqlalchemy import select

from agent_console.domain.new_case import NewCaseRequest, NewCustomer, create_claimed_case
from tests.sync.conftest import canonical_dump, server_dump


def test_a_new_case_with_a_new_customer_is_pushed_created_and_claimed(team):
    from agent_console.store.db import Store, make_engine
    from agent_console.store.models import Customer

    ben = team.console("ben")
    case = create_claimed_case(ben.cases(), NewCaseRequest(
        subject="Parcel damaged at the door", channel="onsite", queue="General", priority="high",
        new_customer=NewCustomer("Walk In", "walk.in@example.com", "+49 30 5550123")))
    assert ben.pending() >= 2
    ben.sync()
    assert ben.pending() == 0
    on_server = server_dump(team.server)
    assert canonical_dump(ben.store) == on_server
    pushed = on_server["cases"][case.uid]
    assert (pushed["assignee"], pushed["priority"], pushed["subject"]) == ("ben", "high",
                                                                           "Parcel damaged at the door")
    server_store = Store(team.server.db_url, make_engine(team.server.db_url))
    try:
        with server_store.session() as session:
            customer = session.scalars(select(Customer).where(Customer.uid == pushed["customer"])).one()
            assert (customer.name, customer.email, customer.phone) == ("Walk In", "walk.in@example.com",
                                                                       "+49305550123")
    finally:
        server_store.dispose()
