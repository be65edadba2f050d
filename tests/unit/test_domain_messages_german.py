"""The domain's messages that the modals show are worded in the interface language when they are built (#18): a
template problem, a send refusal, a new customer's missing contact, why resolving or replying asks first, the masks
of another customer's data, an escalation or canned-response refusal. What goes to the customer — the rendered
template text and its markers — stays as written."""

from __future__ import annotations

import pytest

from agent_console import i18n
from agent_console.domain.canned import CannedError, validate_canned
from agent_console.domain.cases import CaseService
from agent_console.domain.collisions import Collision
from agent_console.domain.escalation import EscalationError, EscalationService
from agent_console.domain.new_case import check_new_customer
from agent_console.domain.outgoing import check_outgoing, not_sent, refusal
from agent_console.domain.privacy import Identity, mask_other_customer
from agent_console.domain.resolving import resolve_concerns
from agent_console.domain.templates import render, template_problems


@pytest.fixture(autouse=True)
def german():
    i18n.set_language("de")
    yield
    i18n.set_language("en")


def test_template_problems_in_german_and_the_text_as_written():
    rendered = render("Hallo {{ customer.shoe_size }}", {})
    assert rendered.text == "Hallo ⟦unknown: customer.shoe_size⟧"
    assert rendered.problems == ["unbekannter Platzhalter: customer.shoe_size"]
    assert render("{% for x in y %}x{% endfor %}", {}).problems == ["Schleifen sind in Textbausteinen nicht erlaubt"]
    problems = template_problems("Hallo\n{{ customer.nickname }}")
    assert problems[0] == "Zeile 2: unbekannter Platzhalter customer.nickname"
    assert problems[1].startswith("bekannte Platzhalter: customer.first_name")
    assert len(problems) == 2  # the unknown placeholder is not named twice in German either
    assert template_problems("{{ 1/0 }}") == [
        "die Vorlage lässt sich nicht ausfüllen: ZeroDivisionError: division by zero"]



def test_a_send_refusal_in_german_with_the_count_of_the_others():
    text = "Hallo ⟦unknown: customer.nickname⟧\n{{ case.key }} und {{ agent.name }}"
    problems = check_outgoing(text)
    assert refusal(problems[:1]) == ("Zeile 1, Spalte 7: Der Platzhalter customer.nickname hat keinen Wert: "
                                     "⟦unknown: customer.nickname⟧")
    assert refusal(problems[:2]).endswith("(und 1 weiteres)")
    assert not_sent(problems) == (
        "nicht gesendet: Zeile 1, Spalte 7: Der Platzhalter customer.nickname hat keinen Wert: "
        "⟦unknown: customer.nickname⟧ (und 2 weitere)")


def test_new_customer_refusals_in_german():
    assert check_new_customer("Eva", "", "") == (
        "email", "Geben Sie eine E-Mail-Adresse oder eine Telefonnummer des neuen Kunden ein.")
    assert check_new_customer("Eva", "eva at home", "") == (
        "email", "'eva at home' ist keine E-Mail-Adresse (wie name@example.com).")


class _Case:
    def __init__(self, assignee_id):
        self.assignee_id = assignee_id


def test_why_resolving_and_replying_ask_first_in_german():
    assert resolve_concerns(_Case(8), [], agent_id=7) == ["Dieser Fall ist einem anderen Agenten zugewiesen, "
                                                          "nicht Ihnen."]
    assert resolve_concerns(_Case(None), [], agent_id=7) == [
        "Dieser Fall ist Ihnen nicht zugewiesen (er ist niemandem zugewiesen)."]
    assert Collision(1, ("Lena", "")).reason_text() == (
        "Der Kunde hat erneut geschrieben, seit Sie den Fall geöffnet haben. Lena hat dem Kunden geantwortet, seit "
        "Sie den Fall geöffnet haben. Ein Kollege hat dem Kunden geantwortet, seit Sie den Fall geöffnet haben.")


def test_another_customers_data_is_masked_in_german():
    masked = mask_other_customer("Hallo Otto Alt, Ihre Nummer 0171 1234567, otto@example.de, Fall AC-000042.",
                                 Identity(name="Otto Alt", email="otto@example.de", case_key="AC-000042"))
    assert masked == "Hallo [Kunde], Ihre Nummer [Telefon], [E-Mail], Fall [Fall]."


def test_escalation_and_canned_refusals_in_german(store, clock, agents):
    service = CaseService(store, clock, agents["anna"])
    case = service.create_case(customer="k@example.de", channel="chat", queue="Technical", subject="DSL", body="…")
    escalations = EscalationService(store, clock, agents["anna"])
    with pytest.raises(EscalationError, match="^eine Eskalation braucht einen Grund$"):
        escalations.escalate(case.id, to_tier=2, reason=" ")
    service.resolve(case.key)
    with pytest.raises(EscalationError) as refused:
        escalations.escalate(case.id, to_tier=2, reason="Leitung prüfen")
    assert str(refused.value) == f"{case.key} ist gelöst; öffnen Sie ihn erneut, bevor Sie eskalieren"
    with pytest.raises(CannedError) as refused:
        validate_canned(title="Spitzname", shortcut="nick", body="Hallo {{ customer.nickname }}")
    assert str(refused.value).startswith("Vorlagenfehler: Zeile 1: unbekannter Platzhalter customer.nickname; "
                                         "bekannte Platzhalter: ")
    assert refused.value.field == "body"
