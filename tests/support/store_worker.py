"""Worker processes for the storage tests: python store_worker.py MODE ADAPTER WHERE [ARGS].

ADAPTER names an entry of support.storage.ADAPTERS, WHERE the test's folder it opens. Modes that
race with other workers print "ready" and wait for a line on stdin, so that the test can start
them all at the same moment.

  add SURVEY_ID N             add N responses, print each id
  submit SURVEY_ID SEED ID..  submit_draft every draft id (shuffled), print "id created"
  crash SURVEY_ID             add responses forever (small units), print each id once it is stored
  secret                      print secret_key()
  pause SURVEY_ID DRAFT_ID    submit_draft, but print "paused" and wait for a line on stdin after
                              the response is stored and before the draft is closed (inside the
                              submission's one step), then print the response id
"""

import random
import sys

from survey_app.fieldings.drafts import closed
from support.storage import adapter_named


def wait_for_go() -> None:
    print("ready", flush=True)
    sys.stdin.readline()


def main(mode: str, adapter: str, where: str, *args: str) -> None:
    store = adapter_named(adapter).open(where, mode == "crash")
    if mode == "add":
        survey_id, n = args
        wait_for_go()
        for i in range(int(n)):
            print(store.add_response(survey_id, {"i": i}), flush=True)
    elif mode == "submit":
        survey_id, seed, *draft_ids = args
        random.Random(seed).shuffle(draft_ids)
        wait_for_go()
        for draft_id in draft_ids:
            response_id, created = store.submit_draft(survey_id, draft_id, {"draft": draft_id}, closed)
            print(response_id, created, flush=True)
    elif mode == "crash":
        (survey_id,) = args
        i = 0
        while True:
            print(store.add_response(survey_id, {"i": i, "padding": "x" * 500}), flush=True)
            i += 1
    elif mode == "pause":
        survey_id, draft_id = args

        def paused(draft):
            print("paused", flush=True)
            sys.stdin.readline()
            return closed(draft)

        print(store.submit_draft(survey_id, draft_id, {"draft": draft_id}, paused)[0], flush=True)
    elif mode == "secret":
        wait_for_go()
        print(store.secret_key(), flush=True)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(*sys.argv[1:])
