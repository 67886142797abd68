"""Worker processes for tests/test_store.py: python tests/store_workers.py MODE DATA_DIR [ARGS].

Modes that race with other workers print "ready" and wait for a line on stdin, so that the
test can start them all at the same moment.

  add DATA_DIR SURVEY_ID N             add N responses, print each id
  submit DATA_DIR SURVEY_ID SEED ID..  submit_draft every draft id (shuffled), print "id created"
  crash DATA_DIR SURVEY_ID SHARD_SIZE  add responses forever, print each id once it is stored
  secret DATA_DIR                      print secret_key()
  pause DATA_DIR SURVEY_ID DRAFT_ID    submit_draft, but print "paused" and wait for a line on stdin
                                       after the response is stored and before the draft is marked
                                       (the survey's lock held), then print the response id
"""

import random
import sys

from survey_app.fieldings.drafts import closed
from survey_app.storage.tinydb.store import Store


def wait_for_go() -> None:
    print("ready", flush=True)
    sys.stdin.readline()


def main(mode: str, data_dir: str, *args: str) -> None:
    if mode == "add":
        survey_id, n = args
        store = Store(data_dir)
        wait_for_go()
        for i in range(int(n)):
            print(store.add_response(survey_id, {"i": i}), flush=True)
    elif mode == "submit":
        survey_id, seed, *draft_ids = args
        random.Random(seed).shuffle(draft_ids)
        store = Store(data_dir)
        wait_for_go()
        for draft_id in draft_ids:
            response_id, created = store.submit_draft(survey_id, draft_id, {"draft": draft_id}, closed)
            print(response_id, created, flush=True)
    elif mode == "crash":
        survey_id, shard_size = args
        store = Store(data_dir, shard_size=int(shard_size))
        i = 0
        while True:
            print(store.add_response(survey_id, {"i": i, "padding": "x" * 500}), flush=True)
            i += 1
    elif mode == "pause":
        survey_id, draft_id = args
        store = Store(data_dir)

        def paused(draft):
            print("paused", flush=True)
            sys.stdin.readline()
            return closed(draft)

        print(store.submit_draft(survey_id, draft_id, {"draft": draft_id}, paused)[0], flush=True)
    elif mode == "secret":
        store = Store(data_dir)
        wait_for_go()
        print(store.secret_key(), flush=True)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(*sys.argv[1:])
