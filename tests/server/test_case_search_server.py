"""GET /api/v1/search: one search over the cases the caller may see (queue restrictions hold)."""

from __future__ import annotations

import uuid

from tests.server.conftest import new_case_op


def test_search_returns_only_the_callers_cases(live):
    word = "zq" + uuid.uuid4().hex[:8]  # a word no other test's case has
    billing, delivery = new_case_op("Billing", subject=f"Rückzahlung {word}"), new_case_op(
        "Delivery", subject=f"Lieferung {word}")
    assert live.ops("sue", billing, delivery).status_code == 200
    with live.client("sue") as sue, live.client("anna") as anna:
        everything = sue.get("/api/v1/search", params={"q": word}).json()
        assert sorted(hit["queue"] for hit in everything["results"]) == ["Billing", "Delivery"]
        own = anna.get("/api/v1/search", params={"q": word}).json()["results"]  # anna works Billing only
        assert [hit["queue"] for hit in own] == ["Billing"]
        hit = own[0]
        assert hit["subject"] == f"Rückzahlung {word}" and hit["sla_state"] in ("ok", "at_risk", "breached")
        assert [hit["subject"][start:end] for start, end in hit["subject_highlights"]] == [word]
        by_customer = sue.get("/api/v1/search", params={"q": f"Carla {word} channel:email"}).json()["results"]
        assert sorted(h["queue"] for h in by_customer) == ["Billing", "Delivery"]
        assert sue.get("/api/v1/search", params={"q": f"customer:nobody {word}"}).json()["results"] == []
        assert anna.get("/api/v1/search", params={"q": f"queue:delivery {word}"}).json()["results"] == []
        folded = sue.get("/api/v1/search", params={"q": f"Rueckzahlung {word}"}).json()["results"]
        assert [h["queue"] for h in folded] == ["Billing"]
        folded = sue.get("/api/v1/search", params={"q": f"RÜCKZAHLUNG {word}"}).json()["results"]
        assert [h["queue"] for h in folded] == ["Billing"]
        bad = sue.get("/api/v1/search", params={"q": f"before:soon {word}"})
        assert bad.status_code == 422 and "before" in bad.json()["detail"]
        hostile = sue.get("/api/v1/search", params={"q": 'NEAR( "x" * col:y'})
        assert hostile.status_code == 200
    with live.client() as nobody:
        assert nobody.get("/api/v1/search", params={"q": word}).status_code == 401
