"""The building blocks of the API's bodies: checked field types, time bounds, and the strict/open base models."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import (AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator,
                      model_validator)

from agent_console.domain import limits
from agent_console.domain import text as text_rules
from agent_console.store.models import AgentState, CaseStatus, Channel, Priority, Role

MAX_BATCH = 500


# Identifiers and enumerations are refused (422 naming the field) when they hold control characters, by the same
# rules as every other way in (agent_console/domain/text.py); free text (subjects, bodies, names, reasons) is
# cleaned by the domain services instead.
def _text_rule(check) -> AfterValidator:
    def validate(value: str) -> str:
        try:
            return check(value)
        except text_rules.UnsafeText as exc:
            raise ValueError(exc.reason) from None

    return AfterValidator(validate)


Identifier = _text_rule(lambda value: text_rules.check_identifier(value, "value"))
Str200 = Annotated[str, StringConstraints(max_length=limits.NAME_MAX)]
Text = Annotated[str, StringConstraints(max_length=limits.TEXT_MAX)]
Login = Annotated[str, StringConstraints(min_length=1, max_length=limits.LOGIN_MAX), Identifier]
NewLogin = Annotated[str, StringConstraints(min_length=1, max_length=limits.LOGIN_MAX), _text_rule(text_rules.check_login)]
QueueName = Annotated[str, StringConstraints(min_length=1, max_length=limits.QUEUE_MAX), Identifier]
Uid = Annotated[str, StringConstraints(min_length=1, max_length=64), Identifier]
Language = Annotated[str, StringConstraints(max_length=8),
                     _text_rule(lambda value: value and text_rules.check_language(value))]  # "" = not given
ChannelName = Literal[tuple(c.value for c in Channel)]  # type: ignore[valid-type]
PriorityName = Literal[tuple(p.value for p in Priority)]  # type: ignore[valid-type]
StatusName = Literal[tuple(s.value for s in CaseStatus)]  # type: ignore[valid-type]
RoleName = Literal[tuple(r.value for r in Role)]  # type: ignore[valid-type]
StateName = Literal[tuple(s.value for s in AgentState)]  # type: ignore[valid-type]


EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)


def _check_value(value):
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    if isinstance(value, datetime):
        try:
            value = value.astimezone(timezone.utc)
        except OverflowError:
            raise ValueError("the time is out of range") from None
        if not EARLIEST <= value < LATEST:
            raise ValueError("the time must be between the years 2000 and 2200")
    if isinstance(value, list):
        for item in value:
            _check_value(item)
    return value


def _json_kind(annotation) -> str | None:
    """"number", "boolean" or "time" for fields of those types (also optional or constrained ones), else None."""
    from typing import get_args, get_origin

    if annotation is bool:
        return "boolean"
    if annotation in (int, float):
        return "number"
    if annotation is AwareDatetime or (isinstance(annotation, type) and issubclass(annotation, datetime)):
        return "time"
    if get_origin(annotation) is Annotated:
        return _json_kind(get_args(annotation)[0])
    kinds = {_json_kind(a) for a in get_args(annotation) if a is not type(None)}
    return kinds.pop() if len(kinds) == 1 else None


#: What each kind of field takes from JSON: pydantic would also convert ``true`` or ``"5"`` to a number, ``1`` to a
#: boolean and a number to a time; the API takes each as its own JSON type only, as the schema says.
_JSON_TYPES = {"number": (int, float), "boolean": (bool,), "time": (str, datetime)}


class Checked(BaseModel):
    """Refuses what the databases cannot store: NUL characters, times outside 2000–2200 (always kept in UTC); and
    numbers, booleans and times only as the JSON types the schema gives them (see ``_JSON_TYPES``)."""

    @model_validator(mode="before")
    @classmethod
    def _json_types(cls, data):
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                value = data.get(name)
                kind = _json_kind(field.annotation) if value is not None else None
                if kind is not None and (not isinstance(value, _JSON_TYPES[kind])
                                         or (kind == "number" and isinstance(value, bool))):
                    raise ValueError(f"{name} must be a {kind}")
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value):
        value = _check_value(value)
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc)
        return value


class Strict(Checked):
    model_config = ConfigDict(extra="forbid")


class Open(Checked):
    """Payload parts a console sends for information: extra fields are ignored, not an error."""

    model_config = ConfigDict(extra="ignore")


class Error(BaseModel):
    detail: Any = Field(description="What was wrong: a message, or for validation errors a list of problems")
