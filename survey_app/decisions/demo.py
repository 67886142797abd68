"""The demo's classified task profiles: the shipped task catalogue (DOMAIN.md) classified and
described as the draft task description has it, so that the profiles, the flags and the draft
can be seen right after `flask demo` (pure, on storage.interface.DecisionRecords).

Each record is marked "demo": true. Making them again adds nothing twice and never replaces a
classification an evaluator saved; removing them takes only records still marked (an evaluator
who saved a demo task over made it theirs)."""
from __future__ import annotations

from survey_app.decisions.profiles import CORE, NOT_OURS, RECORD_KIND, SHARED
from survey_app.storage.interface import DecisionRecords, RecordConflict

DEMO = "demo"

# construct: (classification, actors, description); administration and "other" stay open.
DEMO_CLASSIFICATIONS = {
    "task.support_initiatives": (CORE, "", "Unterstützt bestehende bürgerschaftliche Initiativen dort, wo "
                                           "Engagement stark ist, und stärkt ihre Projekte."),
    "task.events_projects": (SHARED, "Ehrenamt und bürgerschaftliche Initiativen, Begegnungszentren",
                             "Hilft bei Veranstaltungen und im Projektmanagement; die Projekte bleiben in der Hand "
                             "der Initiativen."),
    "task.new_projects": (CORE, "", "Entwickelt dort, wo wenig Engagement vorhanden ist, mit Partnern vor Ort neue "
                                    "Projekte, zum Beispiel Filmabende oder Fahrradwerkstätten."),
    "task.everyday_solutions": (SHARED, "Verbände der freien Wohlfahrtspflege, Begegnungszentren",
                                "Organisiert mit den Trägern der Angebote Lösungen für Alltagsprobleme, etwa eine "
                                "Kinderbetreuung parallel zu Sprachkursen."),
    "task.contact_person": (CORE, "", "Ist Ansprechperson für Geflüchtete und für alle, die sich im Quartier für "
                                      "Integration einsetzen."),
    "task.networking": (CORE, "", "Bringt die Akteure im Quartier zusammen, bündelt Ressourcen und Wissen, richtet "
                                  "Arbeitskreise und runde Tische ein und verknüpft die Stadtteilkonferenzen."),
    "task.navigator": (CORE, "", "Lotst Menschen zum passenden Angebot und vermittelt an die zuständigen Stellen."),
    "task.case_work": (NOT_OURS, "Städtischer Sozialdienst (z. B. in den Übergangswohnheimen)",
                       "Die Beratung und Begleitung einzelner Personen und Familien übernehmen der Sozialdienst "
                       "und die Beratungsdienste der Verbände; das Quartiersmanagement verweist an sie."),
}


def classify_demo_tasks(records: DecisionRecords) -> int:
    """Store the demo classifications that are missing; returns how many were added."""
    added = 0
    for construct, (kind, actors, description) in DEMO_CLASSIFICATIONS.items():
        if records.get_record(RECORD_KIND, construct) is not None:
            continue
        value = {"classification": kind, "actors": actors, "description": description, DEMO: True}
        try:
            records.put_record(RECORD_KIND, construct, value, expected_version=0, updated_by="demo")
        except RecordConflict:    # saved by someone at the same moment: theirs stays
            continue
        added += 1
    return added


def remove_demo_classifications(records: DecisionRecords) -> int:
    """Delete the classifications still marked as demo; returns how many."""
    removed = 0
    for key, record in records.list_records(RECORD_KIND):
        if record.get(DEMO) is True and records.delete_record(RECORD_KIND, key):
            removed += 1
    return removed
