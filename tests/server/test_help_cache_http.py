"""The help center keeps rendered articles, lists and searches between requests (server/help_cache.py): an edit,
a publication or an article made internal shows on the very next page, against a real server process."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.server.help_site import start_help_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    server = start_help_site(tmp_path_factory.mktemp("help-cache"))
    yield server
    server.stop()


def get(site, path: str, **params) -> httpx.Response:
    return httpx.get(site.base_url + path, params=params, headers={"Accept-Language": "en"}, timeout=30)


def upsert(site, **article) -> None:
    results = site.ops("sue", {"op_id": str(uuid.uuid4()), "kind": "kb.upsert",
                               "payload": {"article": article}}).json()["results"]
    assert results[0]["status"] == "applied", results


def test_an_edit_shows_at_once_in_the_article_the_list_and_the_search(site):
    uid = str(uuid.uuid4())
    article = {"uid": uid, "slug": "voucher", "title": "Vouchers", "body": "Redeem a **voucher** at checkout.",
               "tags": "", "language": "en", "version": 1, "public": True}
    upsert(site, **article)
    # Seen once, so each part is in the cache.
    assert "<strong>voucher</strong>" in get(site, "/help/articles/voucher").text
    assert "Vouchers" in get(site, "/help").text
    assert 'href="/help/articles/voucher"' in get(site, "/help", q="voucher").text

    upsert(site, **dict(article, title="Gift cards", body="Redeem a *gift card* at checkout.", version=1))
    page = get(site, "/help/articles/voucher").text
    assert "<em>gift card</em>" in page and "<strong>voucher</strong>" not in page
    assert "Gift cards" in get(site, "/help").text and "Vouchers" not in get(site, "/help").text
    assert 'href="/help/articles/voucher"' in get(site, "/help", q="gift card").text

    upsert(site, **dict(article, title="Gift cards", body="Redeem a *gift card* at checkout.", version=2,
                        public=False))
    assert get(site, "/help/articles/voucher").status_code == 404
    assert "Gift cards" not in get(site, "/help").text
    assert 'href="/help/articles/voucher"' not in get(site, "/help", q="gift card").text


def test_a_kept_search_page_shows_an_edit_and_an_article_made_internal_at_once(site):
    uid = str(uuid.uuid4())
    article = {"uid": uid, "slug": "parcel-locker", "title": "Parcel lockers", "tags": "", "language": "en",
               "version": 1, "public": True, "body": "Collect your parcel from a locker with the code we send."}
    upsert(site, **article)
    for _ in range(2):  # the second page comes from what the first kept
        assert ">Parcel lockers</a>" in get(site, "/help", q="locker").text

    upsert(site, **dict(article, title="Pick-up stations", version=2))
    page = get(site, "/help", q="locker").text
    assert ">Pick-up stations</a>" in page and "Parcel lockers" not in page

    upsert(site, **dict(article, title="Pick-up stations", version=3, public=False))
    assert 'href="/help/articles/parcel-locker"' not in get(site, "/help", q="locker").text
