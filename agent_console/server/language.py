"""Each request answered in its user's language: the server serves many users at once, so it never sets a language
for the process. ``RequestLanguage`` reads ``Accept-Language`` (the sync client sends the console's language) and
words everything of that request — its ``detail`` messages and the domain refusals it passes on — through
``i18n.language_scope``; ``validation_problems`` words FastAPI's validation errors, naming the field as before
(``loc``), the kind of problem unchanged (``type``) for programs; in English Pydantic's own words stay."""

from __future__ import annotations

from agent_console.i18n import SOURCE_LANGUAGE, _, current_language, language_from_accept, language_scope


class RequestLanguage:
    """ASGI middleware: the request's language for everything the app does while answering it."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        header = next((value.decode("latin-1") for name, value in scope.get("headers", ())
                       if name == b"accept-language"), None)
        with language_scope(language_from_accept(header)):
            await self.app(scope, receive, send)


def _problem(error: dict) -> str:
    if current_language() == SOURCE_LANGUAGE:
        return error.get("msg", "invalid")
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "missing":
        return _("this field is required")
    if kind == "extra_forbidden":
        return _("this field is not known")
    if kind in ("string_too_long", "too_long") and "max_length" in context:
        return _("at most {limit} characters").format(limit=context["max_length"])
    if kind in ("string_too_short", "too_short") and "min_length" in context:
        return _("at least {limit} characters").format(limit=context["min_length"])
    if kind in ("greater_than_equal", "greater_than") and context:
        return _("must be at least {limit}").format(limit=next(iter(context.values())))
    if kind in ("less_than_equal", "less_than") and context:
        return _("must be at most {limit}").format(limit=next(iter(context.values())))
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("must be a whole number")
    if kind in ("string_type", "string_unicode"):
        return _("must be text")
    if kind in ("literal_error", "enum") and "expected" in context:
        return _("must be one of: {expected}").format(expected=context["expected"])
    if kind == "json_invalid":
        return _("the request body is not valid JSON")
    return error.get("msg", _("invalid"))


def validation_problems(errors) -> list[dict]:
    """FastAPI's validation errors as the API answers them: ``loc`` (the field), ``msg`` in the request's language,
    ``type``."""
    return [{"loc": list(error.get("loc", ())), "msg": _problem(error), "type": error.get("type", "value_error")}
            for error in errors]
