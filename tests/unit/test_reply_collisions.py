"""The rule behind "send anyway?": a reply asks first when the customer wrote again or a colleague replied since the
agent opened the case."""

from agent_console.domain.collisions import SeenMessage, reply_collision, seen_uids

ANNA, LENA = 1, 2


def message(uid: str, direction: str = "in", author: int | None = None, name: str = "", internal: bool = False):
    return SeenMessage(uid, direction, author, name, internal)


OPENED = [message("m1"), message("m2", "out", LENA, "Lena")]


def test_nothing_new_sends_without_asking():
    assert reply_collision(seen_uids(OPENED), OPENED, ANNA) is None


def test_a_newer_customer_message_asks_first():
    collision = reply_collision(seen_uids(OPENED), [*OPENED, message("m3")], ANNA)
    assert collision is not None and collision.customer_messages == 1
    assert collision.reason_text() == "The customer wrote again since you opened the case."


def test_a_colleagues_reply_asks_first_and_names_them():
    collision = reply_collision(seen_uids(OPENED), [*OPENED, message("m3", "out", LENA, "Lena")], ANNA)
    assert collision is not None and collision.colleague_names == ("Lena",)
    assert "Lena replied to the customer" in collision.reason_text()


def test_notes_and_the_agents_own_messages_do_not_ask():
    now = [*OPENED, message("m3", "out", LENA, "Lena", internal=True), message("m4", "out", ANNA, "Anna")]
    assert reply_collision(seen_uids(OPENED), now, ANNA) is None
