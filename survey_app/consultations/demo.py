"""The demo consultation: the shipped draft "Aufgabenbeschreibung Quartiersmanagement" with
submitted statements of five organisations and answers to most of their comments, so that the
evaluator's view and the synopsis are filled right after install (pure, on the storage).

It is marked "demo": true; making it again adds nothing twice, and remove_demo_consultation
takes away exactly it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from survey_app.consultations import model
from survey_app.consultations.model import AGREE, DISAGREE, NO_COMMENT, WITH_CHANGES
from survey_app.consultations.review import ACCEPTED, NOT_ACCEPTED, NOTED, PARTLY, answered, decision_key
from survey_app.consultations.statements import saved, submitted
from survey_app.consultations.versions import SHIPPED, add_version, documents

DEMO_DRAFT = "aufgabenbeschreibung-quartiersmanagement"

# (name, kind, person, {section number: (position, comment, proposed wording)}, general statement,
#  {section number or "general": (decision, reason)})
ORGANISATIONS = [
    ("Caritasverband Aachen", "Wohlfahrtsverband", "M. Schröder", {
        3: (AGREE, "", ""),
        10: (WITH_CHANGES, "Die Abgrenzung ist richtig. In der Praxis kommen aber Menschen mit Einzelanliegen ins "
                           "Quartiersbüro; eine kurze Klärung und Weitervermittlung sollte ausdrücklich dazugehören.",
             "Das Quartiersmanagement übernimmt keine Einzelfallbetreuung. Es klärt Anliegen einzelner Personen kurz "
             "und vermittelt sie an die zuständige Stelle, zum Beispiel an den städtischen Sozialdienst in den "
             "Übergangswohnheimen oder an die Beratungsdienste der Wohlfahrtsverbände."),
        13: (WITH_CHANGES, "Eine Abstimmung erst nach der Planung reicht nicht. Wir bitten darum, früh beteiligt "
                           "zu werden.",
             "Verbände der freien Wohlfahrtspflege: Die Verbände tragen Beratungsstellen, Dienste und Einrichtungen "
             "im Quartier. Das Quartiersmanagement bezieht sie früh in die Planung neuer Projekte ein, damit keine "
             "Doppelstrukturen entstehen."),
    }, "Wir begrüßen die Aufgabenbeschreibung. Sie schafft Klarheit für Ratsuchende und für die Träger im Quartier.",
     {10: (ACCEPTED, "Die Weitervermittlung gehört zur Lotsenfunktion; der Satz wird ergänzt."),
      13: (ACCEPTED, "Die frühe Beteiligung wird aufgenommen.")}),
    ("Diakonisches Werk Aachen", "Wohlfahrtsverband", "S. Yilmaz", {
        9: (AGREE, "Die Lotsenfunktion ist für unsere Beratungsstellen die wichtigste Schnittstelle.", ""),
        10: (WITH_CHANGES, "Lotsenfunktion und der Ausschluss der Einzelfallhilfe sollten zusammen gelesen werden, "
                           "sonst entsteht der Eindruck, Einzelne würden abgewiesen.", ""),
        13: (DISAGREE, "Die Verbände sind nicht nur Träger von Diensten, sondern Partner der Quartiersentwicklung. "
                       "Die Beschreibung wird dem nicht gerecht.", ""),
        16: (WITH_CHANGES, "Es fehlt ein Zeitplan, wann die Verbände erneut beteiligt werden.", ""),
    }, "", {10: (PARTLY, "Der Bezug zur Lotsenfunktion wird im Abschnitt hergestellt; ein eigener Abschnitt "
                         "ist nicht nötig."),
            13: (NOT_ACCEPTED, "Die Partnerschaft ist in Abschnitt 8 (Vernetzung) beschrieben; hier geht es um die "
                               "Abgrenzung der Aufgaben."),
            16: (NOTED, "Der Zeitplan folgt mit der Vorlage für den Sozialausschuss.")}),
    ("Begegnungszentrum Aachen-Nord", "Begegnungszentrum", "K. Hoffmann", {
        8: (AGREE, "Die runden Tische haben sich bewährt.", ""),
        12: (DISAGREE, "Begegnungszentren sind mehr als Räume: Sie leisten eigene Gemeinwesenarbeit.",
             "Begegnungszentren: Die Begegnungszentren sind offene Treffpunkte mit eigenen Angeboten und eigener "
             "Gemeinwesenarbeit. Das Quartiersmanagement plant Projekte in ihren Räumen gemeinsam mit ihnen, "
             "übernimmt aber nicht ihren Betrieb."),
    }, "", {12: (PARTLY, "Die eigene Gemeinwesenarbeit der Zentren wird genannt; die gemeinsame Planung jedes "
                         "Projekts wäre zu eng.")}),
    ("Stadtteilkonferenz Aachen-Ost", "Stadtteilkonferenz", "R. Becker", {
        1: (NO_COMMENT, "", ""),
        15: (WITH_CHANGES, "Wer die Konferenzen organisiert, sollte geregelt sein.",
             "Stadtteilkonferenzen: Die Stadtteilkonferenzen sind das gemeinsame Gremium der Akteure eines "
             "Stadtteils. Das Quartiersmanagement wirkt in ihnen mit, unterstützt ihre Geschäftsführung und sorgt "
             "für den Austausch zwischen den Konferenzen."),
    }, "Die Konferenz hat den Entwurf in ihrer Sitzung beraten und trägt ihn mit.",
     {15: (ACCEPTED, "Die Unterstützung der Geschäftsführung wird aufgenommen.")}),
    ("Willkommen in Richterich e. V.", "Ehrenamt und Bürgerinitiativen", "A. Nowak", {
        4: (AGREE, "", ""),
        6: (WITH_CHANGES, "Eine Kinderbetreuung parallel zu Sprachkursen braucht Räume und eine Versicherung; "
                          "dabei brauchen wir Hilfe.", ""),
        14: (AGREE, "Wichtig ist, dass wir unsere Projekte selbst steuern.", ""),
    }, "", {}),
]


def demo_consultation(store) -> dict | None:
    return next((c for c in store.list_consultations() if c.get("demo")), None)


def make_demo_consultation(store, drafts: Mapping[str, Mapping[str, str]], today: dt.date | None = None) -> dict | None:
    """The demo consultation (the one made before, when there is one); None when the shipped
    draft is missing."""
    existing = demo_consultation(store)
    if existing is not None or DEMO_DRAFT not in drafts:
        return existing
    today = today or dt.date.today()
    texts = drafts[DEMO_DRAFT]
    record = store.add_consultation(model.new_consultation(
        "Aufgabenbeschreibung Quartiersmanagement (Demo)", next(iter(texts)),
        (today - dt.timedelta(days=21)).isoformat(), (today + dt.timedelta(days=7)).isoformat(),
        demo=True, source=f"questionnaires/consultations/{DEMO_DRAFT}"))
    add_version(store, record["id"], texts, SHIPPED, "demo", f"questionnaires/consultations/{DEMO_DRAFT}")
    document = documents(store.consultation_versions(record["id"]))[-1]
    sections = document.sections
    for name, kind, person, entries, general, decisions in ORGANISATIONS:
        _tokens, change = model.invite(name, kind, [person])
        record = store.change_consultation(record["id"], change)
        org = next(o for o in record["organisations"] if o["name"] == name)
        answers = {sections[number - 1].id: {"position": position, "comment": comment, "proposal": proposal}
                   for number, (position, comment, proposal) in entries.items()}
        store.change_statement(record["id"], org["id"], saved(answers, general, person, 1, "de", today))
        store.change_statement(record["id"], org["id"], submitted(person, today))
        for number, (decision, reason) in decisions.items():
            section_id = model.GENERAL if number == "general" else sections[number - 1].id
            record = store.change_consultation(record["id"], answered(decision_key(org["id"], section_id), decision,
                                                                      reason, "demo", today))
    return store.get_consultation(record["id"])


def remove_demo_consultation(store) -> dict | None:
    """Delete the demo consultation (never another one); returns it, None when there was none."""
    found = demo_consultation(store)
    if found is not None:
        store.remove_consultation(found["id"])
    return found
