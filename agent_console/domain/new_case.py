"""A new contact started in the console (a call, a walk-in): what the new-case form asks, checked, and the case it
makes — through ``CaseService.create_case`` (the one case-creation rule) and claimed by the agent at once.

The form asks for an existing customer (picked from the lookup) or a new one (name and an e-mail address and/or a
phone number), the channel, the queue, the priority and the subject. The case arrives with the subject as the
customer's first message: a call has no written words of the customer's to store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from agent_console.domain.cases import CaseError, CaseService
from agent_console.domain.service import transaction_of
from agent_console.domain.text import UnsafeText, check_identifier, clean_text, one_line
from agent_console.i18n import N_, _
from agent_console.store.customer_search import looks_like_phone, phone_digits
from agent_console.store.models import Agent, Case

#: The shape the form accepts: something@domain.tld, no spaces.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: Digits a phone number has at least.
MIN_PHONE_DIGITS = 5

DEFAULT_CHANNEL = "phone"
DEFAULT_PRIORITY = "normal"

#: What the form says, translated where it is worded (``check_new_customer``, the form).
MSG_NAME_MISSING = N_("Enter the new customer's name.")
MSG_CONTACT_MISSING = N_("Enter an e-mail address or a phone number for the new customer.")
MSG_BAD_EMAIL = N_("{value} is not an e-mail address (like name@example.com).")
MSG_BAD_PHONE = N_("{value} is not a phone number: digits, spaces and a leading + only, at least {digits} digits.")
MSG_NO_CUSTOMER = N_("Pick a customer from the list, or create a new one.")
MSG_SUBJECT_MISSING = N_("Enter a subject: what the customer needs, in one line.")
MSG_NO_QUEUE = N_("Choose a queue.")


@dataclass(frozen=True)
class NewCustomer:
    name: str
    email: str | None
    phone: str | None


class CustomerProblem(NamedTuple):
    """What is wrong with a new customer, and the field to fix: name, email or phone."""

    field: str
    message: str


@dataclass(frozen=True)
class NewCaseRequest:
    """What the form asks for; exactly one of ``customer_id`` and ``new_customer`` is set."""

    subject: str
    channel: str
    queue: str
    priority: str
    customer_id: int | None = None
    new_customer: NewCustomer | None = None
    #: The call the case is created for (the screen pop's "new phone case"): attached to the new case.
    call_id: str | None = None


def queues_to_work(agent: Agent, store_queues: list[str]) -> list[str]:
    """The queues an agent may open a case in: their own (in their order) that the store has, or every queue of the
    store when the agent lists none."""
    own = agent.queue_list()
    if not own:
        return list(store_queues)
    known = set(store_queues)
    return [queue for queue in own if queue in known] or own


def customer_from_typed(text: str) -> NewCustomer:
    """What the agent typed into the lookup, put into the field it belongs to (the form pre-fills a new customer)."""
    text = one_line(clean_text(text)).strip()
    if "@" in text:
        return NewCustomer(name="", email=text, phone=None)
    if looks_like_phone(text):
        return NewCustomer(name="", email=None, phone=text)
    return NewCustomer(name=text, email=None, phone=None)


def check_new_customer(name: str, email: str, phone: str) -> NewCustomer | CustomerProblem:
    """The new customer, or what is wrong with it (the form shows the message and focuses the field)."""
    name, email, phone = (" ".join(clean_text(value).split()) for value in (name, email, phone))
    if not name:
        return CustomerProblem("name", _(MSG_NAME_MISSING))
    if not email and not phone:
        return CustomerProblem("email", _(MSG_CONTACT_MISSING))
    if email and not EMAIL_PATTERN.match(email):
        return CustomerProblem("email", _(MSG_BAD_EMAIL).format(value=repr(email)))
    if phone and (not looks_like_phone(phone) or "+" in phone[1:] or len(phone_digits(phone)) < MIN_PHONE_DIGITS):
        return CustomerProblem("phone", _(MSG_BAD_PHONE).format(value=repr(phone), digits=MIN_PHONE_DIGITS))
    for field, value, limit in (("email", email, 320), ("name", name, 200)):
        try:
            check_identifier(value, field, limit=limit)
        except UnsafeText as exc:
            return CustomerProblem(field, str(exc))
    return NewCustomer(name=name, email=email or None, phone=phone or None)


def check_subject(subject: str) -> str:
    return one_line(clean_text(subject)).strip()


def create_claimed_case(service: CaseService, request: NewCaseRequest) -> Case:
    """The case, created through the case-creation rule and claimed by the service's agent (ops in the outbox:
    ``case.create`` as from ``agent-console case create``, ``cti.link`` when it is for a call, then ``case.claim``)."""
    if not check_subject(request.subject):
        raise CaseError(_(MSG_SUBJECT_MISSING))
    new = request.new_customer
    if request.customer_id is None and new is None:
        raise CaseError(_(MSG_NO_CUSTOMER))
    if new is not None:
        contact, phone = (new.email, new.phone) if new.email else (new.phone, None)
        fields = dict(customer=contact or "", customer_name=new.name, customer_phone=phone)
    else:
        fields = dict(customer="", customer_id=request.customer_id)
    case = create_case_for_call(service, request.call_id, channel=request.channel, queue=request.queue,
                                priority=request.priority, subject=request.subject, body=request.subject, **fields)
    return service.claim(case.id)


def create_case_for_call(service: CaseService, call_id: str | None, **fields) -> Case:
    """``service.create_case(**fields)``, and the call ``call_id`` (when given) attached to the new case in the same
    transaction: an unknown call refuses the case (:class:`CaseError`) and nothing is written."""
    from agent_console.domain.calls import CallEventError, link_call

    if not call_id:
        return service.create_case(**fields)
    with transaction_of(service.store, service.session) as session:
        bound = CaseService.in_session(session, service.clock, service.actor, mail_from=service.mail_from)
        case = bound.create_case(**fields)
        try:
            link_call(session, service.clock, call_id, case, service.actor)
        except CallEventError as exc:
            raise CaseError(str(exc)) from None
        return case
