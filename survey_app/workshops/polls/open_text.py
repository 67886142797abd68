"""Open text: each participant writes up to max_items short ideas; the facilitator may hide
single ideas (they stay stored, but are not shown or counted in the word list)."""
from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from survey_app.workshops.messages import Errors, _, add_error
from survey_app.workshops.model import CastVote, Poll
from survey_app.workshops.polls import checks
from survey_app.workshops.polls.base import Number, PollType, Tally, Wording

MAX_IDEAS = 10
MAX_IDEA_LENGTH = 500
DEFAULT_IDEAS = 3
DEFAULT_IDEA_LENGTH = 200
SAMPLE_IDEAS = ("Sprechstunden im Quartier", "Runder Tisch Integration", "Doppelte Einzelfallberatung",
                "Mehr Räume für Initiativen", "Newsletter für Partner")

STOP_WORDS = frozenset("""
aber alle allem allen aller alles als also am an ander andere anderen anderer anderes auch auf aus
bei beim bin bis bist da damit dann das dass dein deine dem den denn der des dessen dich die dies
diese diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines einige
einmal er es etwas euch euer eure für gegen gibt hab habe haben hat hatte hier hin hinter ich ihm
ihn ihnen ihr ihre ihrem ihren ihrer ist ja jede jedem jeden jeder jedes jetzt kann kein keine
keinem keinen keiner können könnte man manche mehr mein meine mit muss müssen nach nicht nichts
noch nun nur ob oder ohne schon sehr sein seine sich sie sind so soll sollen sollte sondern sonst
über um und uns unser unsere unter viel vom von vor war waren was weil welche welchem welchen
welcher welches wenn wer werden wie wieder will wir wird wo zu zum zur zwischen
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers him his how i if in into is it its itself just me more most my
no nor not now of off on once only or other our ours out over own same she should so some such
than that the their theirs them then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your yours
""".split())
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


def word_frequencies(texts: Iterable[str], limit: int = 25) -> tuple[tuple[str, int], ...]:
    """The most frequent words (lower case, without German and English stop words), most frequent first."""
    counts = Counter(word for text in texts for word in (w.lower() for w in _WORD.findall(text))
                     if len(word) > 2 and word not in STOP_WORDS)
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit])


def idea_cards(texts: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """The ideas as the room sees them: the same idea written by several people (ignoring case,
    spaces and a final full stop) once, with how many wrote it; most often written first, else
    in the order they came. Each keeps the words of its first writer."""
    first: dict[str, str] = {}
    counts: Counter = Counter()
    for text in texts:
        key = " ".join(text.casefold().split()).rstrip(".!")
        first.setdefault(key, text)
        counts[key] += 1
    order = {key: i for i, key in enumerate(first)}
    return tuple((first[key], counts[key]) for key in sorted(first, key=lambda k: (-counts[k], order[k])))


@dataclass(frozen=True)
class TextItem:
    key: str                  # vote id and position: lets the facilitator hide one idea
    text: str
    hidden: bool


@dataclass(frozen=True)
class OpenTextTally(Tally):
    items: tuple[TextItem, ...]
    words: tuple[tuple[str, int], ...]  # most frequent first, from the items not hidden


def item_key(vote: CastVote, position: int) -> str:
    return f"{vote.id}:{position}"


class OpenText(PollType):
    name = "open_text"
    label = _("Open text (ideas)")
    partial = "open_text"
    optional = ("max_items", "max_length")
    editor = (Number("max_items", _("Ideas per participant"), default=DEFAULT_IDEAS),
              Number("max_length", _("Characters per idea"), default=DEFAULT_IDEA_LENGTH))

    def parse(self, c, data, loc, languages) -> dict:
        return {"max_items": checks.whole_number(c, loc, "max_items", data.get("max_items"), 1, MAX_IDEAS,
                                                 DEFAULT_IDEAS),
                "max_length": checks.whole_number(c, loc, "max_length", data.get("max_length"), 1, MAX_IDEA_LENGTH,
                                                  DEFAULT_IDEA_LENGTH)}

    def check(self, poll: Poll, value: Any) -> Errors:
        errors: Errors = {}
        if not isinstance(value, list) or not value or any(not isinstance(v, str) or not v.strip() for v in value):
            add_error(errors, "idea-1", _("Please write at least one idea."))
        elif len(value) > poll.max_items:
            add_error(errors, "", _("At most %(k)d ideas."), k=poll.max_items)
        else:
            for number, idea in enumerate(value, start=1):
                if len(idea) > poll.max_length:
                    add_error(errors, f"idea-{number}", _("At most %(n)d characters per idea."), n=poll.max_length)
        return errors

    def read(self, poll, form):
        return [form[key][0].strip() for key in (f"idea-{i}" for i in range(1, poll.max_items + 1))
                if form.get(key) and form[key][0].strip()], {}

    def form_values(self, poll, value):
        return {f"idea-{number}": idea for number, idea in enumerate(value, start=1)}

    def tally(self, poll: Poll, votes: Sequence[CastVote], invalid: int, hidden: frozenset[str]) -> OpenTextTally:
        items = tuple(TextItem(item_key(vote, i), idea.strip(), item_key(vote, i) in hidden)
                      for vote in votes for i, idea in enumerate(vote.value))
        return OpenTextTally(poll, len(votes), invalid, items,
                             word_frequencies(item.text for item in items if not item.hidden))

    def chart(self, result: OpenTextTally, wording: Wording) -> dict:
        visible = [item.text for item in result.items if not item.hidden]
        return {"kind": "words", "unit": "words", "n": result.n, "labels": [w for w, _c in result.words],
                "values": [c for _w, c in result.words], "items": visible,
                "cards": [{"text": text, "count": count} for text, count in idea_cards(visible)]}

    def summary(self, result: OpenTextTally, wording: Wording):
        visible = [item for item in result.items if not item.hidden]
        return f"{len(visible)} ideas", "", ""

    def rows(self, result: OpenTextTally):
        for word, count in result.words:
            yield "", word, "word_count", count

    def synthetic(self, poll: Poll, rng: random.Random):
        ideas = rng.sample(SAMPLE_IDEAS, rng.randint(1, min(poll.max_items or 1, len(SAMPLE_IDEAS))))
        return [idea[:poll.max_length] for idea in ideas]

    def hidden_ideas(self, vote: CastVote, hidden: frozenset[str]) -> list[str]:
        count = len(vote.value) if isinstance(vote.value, list) else 0
        return [str(i + 1) for i in range(count) if item_key(vote, i) in hidden]
