"""The survey rules that need no server: answer validation, the placeholder in the template sandbox, the setting."""

from __future__ import annotations

import pytest

from agent_console.config import Settings, SettingsError
from agent_console.domain import surveys
from agent_console.domain.templates import render, template_problems


@pytest.mark.parametrize("form, answers", [
    ({"csat": "5", "nps": "0", "ces": "7"}, {"csat": 5, "nps": 0, "ces": 7}),
    ({"csat": "1", "nps": "", "ces": " "}, {"csat": 1, "nps": None, "ces": None}),
    ({"nps": "10"}, {"csat": None, "nps": 10, "ces": None}),
])
def test_answers_in_range_are_taken_and_skipped_ones_are_none(form, answers):
    assert surveys.parse_answers(form) == (answers, [])


@pytest.mark.parametrize("form", [{"csat": "0"}, {"csat": "6"}, {"nps": "11"}, {"ces": "8"}, {"ces": "0"},
                                  {"nps": "-1"}, {"csat": "4.5"}, {"csat": "vier"}, {"nps": "١"}])
def test_answers_out_of_range_are_refused_not_clamped(form):
    answers, problems = surveys.parse_answers(form)
    assert problems and all(value is None for value in answers.values())


def test_no_answer_at_all_is_refused():
    assert surveys.parse_answers({})[1] == [surveys.ANSWER_AT_LEAST_ONE]


def test_the_placeholder_passes_the_template_sandbox_untouched():
    body = "Danke! Ihre Meinung: {survey_link}"
    assert template_problems(body) == []
    assert render(body, {}).text == body


def test_tokens_are_long_and_random():
    import secrets

    token = secrets.token_urlsafe(surveys.TOKEN_BYTES)
    assert surveys.TOKEN_SHAPE.match(token) and len(token) * 6 >= 128
    assert surveys.token_hash(token) != token and len(surveys.token_hash(token)) == 64


@pytest.mark.parametrize("value", ["ftp://x.example", "support.example.com", "https://x.example/?a=1", "https://"])
def test_a_bad_survey_base_url_is_refused_naming_the_source(value):
    with pytest.raises(SettingsError, match="settings.toml: survey_base_url"):
        Settings.from_mapping({"survey_base_url": value}, "settings.toml")


def test_the_survey_base_url_loses_its_trailing_slash():
    settings = Settings.from_mapping({"survey_base_url": "https://support.example.com/"}, "settings.toml")
    assert surveys.survey_url(settings.survey_base_url, "T") == "https://support.example.com/survey/T"
