"""What the room and the evaluation see: the presenter view and its live JSON, the results
page and the downloads."""
from __future__ import annotations

import segno
from flask import Response, abort, render_template
from flask_babel import gettext
from flask_login import current_user

from survey_app.web.db import get_store
from survey_app.web.i18n import select_locale
from survey_app.web.views.workshops.addresses import join_address
from survey_app.web.views.workshops.common import (FACILITATOR_ROLES, chart, conditional_json, embeddable,
                                                   facilitate, load, minimum, reads_results, runs_workshop,
                                                   votes_by_run)
from survey_app.workshops import export
from survey_app.workshops.live import presenter_state
from survey_app.workshops.model import Workshop, cast_votes
from survey_app.workshops.tallies import shown_groups, split_by_group, tally


def live_payload(workshop: Workshop) -> dict:
    """What the presenter view and the facilitator's counts show, as JSON."""
    store = get_store()
    current = workshop.current_round()
    votes = cast_votes(store.votes(workshop.id, current.run)) if current else []
    return presenter_state(workshop, votes, store.count_participants(workshop.id), select_locale(), gettext)


def _qr_svg(url: str) -> str:
    # Inline SVG scales with the page and needs no image route; segno output is trusted markup.
    return segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, dark="#000", light="#fff")


@facilitate.route("/<workshop_id>/present")
@runs_workshop
def present(workshop_id: str):
    workshop = load(workshop_id)
    address = join_address(workshop.join_code)
    return render_template("workshop/present.html", workshop=workshop, state=live_payload(workshop),
                           join_url=address.url, short_join_url=address.site, loopback=address.loopback,
                           qr_svg=_qr_svg(address.url))


@facilitate.route("/<workshop_id>/live.json")
@runs_workshop
def live_state(workshop_id: str):
    return conditional_json(live_payload(load(workshop_id)))


@facilitate.route("/<workshop_id>/results")
@reads_results
def results(workshop_id: str):
    workshop = load(workshop_id)
    votes = votes_by_run(workshop)
    smallest = minimum(workshop)
    shown = shown_groups(votes, workshop.organisation_types, smallest)   # one plan across all polls
    sections = []
    for poll in workshop.polls:
        rounds = []
        for r in workshop.rounds_of(poll.id):
            run_votes = votes.get(r.run, [])
            result = tally(poll, run_votes, workshop.hidden_items)
            groups = split_by_group(poll, run_votes, workshop.organisation_types, smallest, workshop.hidden_items,
                                    shown.get(r.run, frozenset()))
            rounds.append({"round": r, "result": result, "chart": embeddable(chart(result, workshop)),
                           "groups": groups if workshop.organisation_types else ()})
        sections.append({"poll": poll, "rounds": rounds})
    return render_template("workshop/results.html", workshop=workshop, sections=sections, minimum=smallest,
                           joined=get_store().count_participants(workshop.id), lang=select_locale(),
                           can_hide=current_user.has_role(*FACILITATOR_ROLES))


DOWNLOADS = {"votes": export.votes_table, "tallies": export.tallies_table}


@facilitate.route("/<workshop_id>/<kind>.csv")
@reads_results
def download(workshop_id: str, kind: str):
    workshop = load(workshop_id)
    votes = votes_by_run(workshop)
    if kind == "record":
        table = export.record_table(workshop, votes, get_store().count_participants(workshop.id), select_locale())
    elif kind in DOWNLOADS:
        table = DOWNLOADS[kind](workshop, votes, minimum(workshop))
    else:
        abort(404)
    filename = f"workshop-{workshop.date}-{workshop.id[:8]}-{kind}.csv"  # no join code: evaluators never see it
    return Response(export.table_csv(table).encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
