"""Database URLs are shown with the password masked, whatever the password holds."""

from __future__ import annotations

import pytest
from sqlalchemy import make_url

from agent_console.store.urls import display_url, hide_password


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql+psycopg://ac:s3cret@db.example/ac", "postgresql+psycopg://ac:***@db.example/ac"),
    ("postgresql+psycopg://ac:p%40ss%2Fw@db:5432/ac?sslmode=require",
     "postgresql+psycopg://ac:***@db:5432/ac?sslmode=require"),
    ("postgresql+psycopg://ac:p@ss/w@db/ac", "postgresql+psycopg://ac:***@db/ac"),  # unencoded @ and /
    ("postgresql+psycopg://ac@db/ac", "postgresql+psycopg://ac@db/ac"),
    ("postgresql+psycopg://db/ac", "postgresql+psycopg://db/ac"),
    ("sqlite:////srv/team.db", "sqlite:////srv/team.db"),
    ("/srv/team.db", "/srv/team.db"),
])
def test_display_url_masks_the_password(url, shown):
    assert display_url(url) == shown


def test_display_url_takes_a_sqlalchemy_url():
    assert display_url(make_url("postgresql+psycopg://ac:s3cret@db/ac")) == "postgresql+psycopg://ac:***@db/ac"


def test_hide_password_cleans_a_driver_message():
    url = "postgresql+psycopg://ac:p%40ssword@db/ac"
    message = f"could not connect to {url}; password 'p@ssword' rejected (p%40ssword)"
    cleaned = hide_password(message, url)
    assert "p@ssword" not in cleaned and "p%40ssword" not in cleaned
    assert "postgresql+psycopg://ac:***@db/ac" in cleaned
