"""Demo and test data never mixed into real results: the storage operations under it delete
only what they are asked to and mark an exclusion only on its response."""
from __future__ import annotations

from survey_app import workshop as ws
from survey_app.store import Store


# -- the store methods under them ----------------------------------------------------------

def test_store_removes_only_what_it_is_asked_to_across_shards(tmp_path):
    store = Store(tmp_path, shard_size=3)
    one = store.add_survey("q", "one")
    two = store.add_survey("q", "two")
    kept = [store.add_response(one["id"], {"answers": {"n": i}}) for i in range(4)]
    demo = [store.add_response(one["id"], {"answers": {"n": i}, "demo": True}) for i in range(4)]
    store.add_response(one["id"], {"answers": {}})
    theirs = [store.add_response(two["id"], {"answers": {"n": i}, "demo": True}) for i in range(2)]
    draft = store.create_draft(one["id"], "de")
    assert store.remove_responses(one["id"], lambda r: r.get("demo") is True) == (4, 0)
    assert [r["id"] for r in store.responses(one["id"])][:4] == kept and store.count_responses(one["id"]) == 5
    assert [r["id"] for r in store.responses(two["id"])] == theirs          # the other survey is untouched
    assert store.get_draft(one["id"], draft["id"]) is not None
    assert store.remove_responses(one["id"], lambda r: True, drafts=True) == (5, 1)
    assert store.responses(one["id"]) == [] and store.list_drafts(one["id"]) == []
    new = store.add_response(one["id"], {"answers": {}})                     # the survey takes answers again
    assert [r["id"] for r in store.responses(one["id"])] == [new]
    assert store.remove_responses("nope", lambda r: True) == (0, 0)
    assert demo[0] not in {r["id"] for r in store.responses(one["id"])}


def test_store_marks_an_exclusion_only_on_its_response(tmp_path):
    store = Store(tmp_path, shard_size=2)
    survey = store.add_survey("q", "one")
    ids = [store.add_response(survey["id"], {"answers": {"n": i}}) for i in range(5)]
    marked = store.set_response_excluded(survey["id"], ids[3], True, "anna")
    assert (marked["excluded_by"], marked["answers"]) == ("anna", {"n": 3})
    assert store.set_response_excluded(survey["id"], ids[3], True, "bert")["excluded_by"] == "anna"
    assert [bool(r.get("excluded_at")) for r in store.responses(survey["id"])] == [False, False, False, True, False]
    back = store.set_response_excluded(survey["id"], ids[3], False, "bert")
    assert "excluded_by" not in back and back["included_by"] == "bert" and back["answers"] == {"n": 3}
    assert store.set_response_excluded(survey["id"], "nope", True, "anna") is None
    assert store.set_response_excluded("nope", ids[0], True, "anna") is None
    other = store.add_survey("q", "two")
    assert store.set_response_excluded(other["id"], ids[0], True, "anna") is None


def test_store_removes_one_workshop_with_its_votes(tmp_path):
    store = Store(tmp_path)
    keep = store.add_workshop(ws.workshop_record(ws.new_workshop("Bleibt", "2026-01-01", "KEEPAA", ("de",))))
    gone = store.add_workshop(ws.workshop_record(ws.new_workshop("Geht", "2026-01-01", "GONEAA", ("de",))))
    person = store.add_participant(gone["id"], None)
    run = "0b6d7a47-2a8c-4b53-9a5c-3f2c4f3f9d11"
    store.put_vote(gone["id"], run, person["id"], {"value": "a"})
    store.put_vote(keep["id"], run, store.add_participant(keep["id"], None)["id"], {"value": "b"})
    assert store.remove_workshop(gone["id"]) is True
    assert [w["id"] for w in store.list_workshops()] == [keep["id"]]
    assert store.get_workshop(gone["id"]) is None and not (tmp_path / "workshops" / gone["id"]).exists()
    assert store.find_workshop_by_code("GONEAA") is None
    assert [v["value"] for v in store.votes(keep["id"], run)] == ["b"] and store.count_participants(keep["id"]) == 1
    assert store.remove_workshop(gone["id"]) is False and store.remove_workshop("nope") is False
