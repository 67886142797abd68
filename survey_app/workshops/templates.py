"""Workshop template files: polls and organisation types ready to start a workshop from
(YAML, see docs/workshops.md; checked with the definitions toolkit, definitions/loader.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from survey_app.definitions.loader import QUESTIONNAIRE_ID, Problem, StrictLoader, named, parse_languages, unique, \
    yaml_problem
from survey_app.definitions.model import Text
from survey_app.workshops.definitions import parse_organisation_types, parse_poll
from survey_app.workshops.model import Choice, Poll
from survey_app.workshops.polls import checks
from survey_app.workshops.polls.checks import PollCollector

TEMPLATE_REQUIRED = ("id", "languages", "title", "polls")
TEMPLATE_OPTIONAL = ("description", "organisation_types")


@dataclass(frozen=True)
class Template:
    id: str
    source: str
    languages: tuple[str, ...]
    title: Text
    description: Text | None
    organisation_types: tuple[Choice, ...]
    polls: tuple[Poll, ...]


@dataclass
class TemplateCatalogue:
    templates: dict[str, Template] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def parse_template(data: object, source: str) -> tuple[Template | None, list[Problem]]:
    c = PollCollector(source)
    if data is None:
        c.add("file", "the file is empty")
        return None, c.problems
    if not c.mapping("top level", data):
        return None, c.problems
    loc = "top level"
    c.check_keys(data, loc, TEMPLATE_REQUIRED, TEMPLATE_OPTIONAL)
    template_id = c.slug(loc, "id", data.get("id"), QUESTIONNAIRE_ID)
    languages = parse_languages(c, data.get("languages"))
    title = checks.text(c, loc, "title", data.get("title"), languages)
    description = checks.text(c, loc, "description", data.get("description"), languages)
    organisation_types = parse_organisation_types(c, data.get("organisation_types"), loc, languages)
    polls, seen = [], set()
    for i, poll_data in enumerate(c.sequence(loc, "polls", data.get("polls"))):
        poll_loc = named(poll_data, "id", "poll", f"polls[{i}]")
        if isinstance(poll_data, dict) and isinstance(poll_data.get("id"), str):
            unique(c, poll_loc, seen, poll_data["id"], "poll id")
        poll = parse_poll(c, poll_data, poll_loc, languages)
        if poll is not None:
            polls.append(poll)
    if c.problems:
        return None, c.problems
    return Template(template_id, source, languages, title, description, organisation_types, tuple(polls)), []


def load_template_file(path: str | Path) -> tuple[Template | None, list[Problem]]:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(path.name, "file", f"cannot read the file: {exc.strerror}")]
    try:
        data = yaml.load(raw, Loader=StrictLoader)
    except yaml.YAMLError as exc:
        return None, [yaml_problem(path.name, raw, exc)]
    return parse_template(data, path.name)


def load_templates(folder: str | Path) -> TemplateCatalogue:
    """Every *.yaml / *.yml workshop template in `folder`; a broken file never hides the others."""
    folder = Path(folder)
    catalogue = TemplateCatalogue()
    if not folder.is_dir():
        return catalogue
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()):
        template, problems = load_template_file(path)
        catalogue.problems.extend(problems)
        if template is None:
            continue
        if template.id in catalogue.templates:
            catalogue.problems.append(Problem(path.name, "id", f'template id "{template.id}" is already used by '
                                                              f"{catalogue.templates[template.id].source}"))
            continue
        catalogue.templates[template.id] = template
    return catalogue
