"""Command-line tasks: `flask --app survey_app <command>`."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext

from .auth import ROLES, AccountError, create_user
from .db import get_store
from .definitions import get_catalogue
from .fielding import ensure_default_surveys, fielding_state
from .demo import fill_demo_surveys, run_demo_workshop
from .questionnaire import load_folder, parse_definition
from .workshop import load_templates
from . import limesurvey
from .xlsform import XLSFormError, convert_workbook, to_yaml


@click.command("validate")
@with_appcontext
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False))
def validate_command(folder: str | None) -> None:
    """Check every questionnaire definition; exit code 1 when any has errors.

    Warnings (such as a text shown in the default language because its translation is
    missing) are printed too, but do not stop a file from loading or change the exit code.
    """
    catalogue = load_folder(folder or current_app.config["QUESTIONNAIRE_DIR"])
    for questionnaire in catalogue.questionnaires.values():
        click.echo(f"ok      {questionnaire.source} ({questionnaire.id})")
    for warning in catalogue.warnings:
        click.echo(f"warning {warning}", err=True)
    for problem in catalogue.problems:
        click.echo(f"problem {problem}", err=True)
    if catalogue.problems:
        raise SystemExit(1)
    count = len(catalogue.warnings)
    warnings = f" ({count} warning{'' if count == 1 else 's'})" if count else ""
    click.echo(f"{len(catalogue.questionnaires)} definitions, no problems{warnings}")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="admin", show_default=True)
@click.password_option(help="Asked for when not given (typed twice, not shown).")
def create_user_command(username: str, role: str, password: str) -> None:
    """Create a staff account (admin, evaluator or facilitator)."""
    try:
        user = create_user(username, password, role)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} account {user.username!r}.")


@click.command("surveys")
@with_appcontext
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
def surveys_command(base_url: str) -> None:
    """Prepare a survey for each shipped questionnaire and print their public links."""
    catalogue = get_catalogue()
    ensure_default_surveys(get_store(), catalogue)
    for survey in get_store().list_surveys():
        state = fielding_state(survey, dt.date.today())
        click.echo(f"{state:<9} {base_url.rstrip('/')}/s/{survey['slug']}")
    for problem in catalogue.problems:
        click.echo(f"problem {problem}", err=True)


@click.command("import-xlsform")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the definition here instead of to standard output.")
def import_xlsform_command(path: str, output: str | None) -> None:
    """Turn an XLSForm (.xlsx) into a questionnaire definition (YAML).

    What could not be carried over is listed row by row on standard error; the exit code
    is 1 when no question could be made at all.
    """
    _import(path, output, convert_workbook, XLSFormError, "an XLSForm")


@click.command("import-limesurvey")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the definition here instead of to standard output.")
def import_limesurvey_command(path: str, output: str | None) -> None:
    """Turn a LimeSurvey survey structure file (.lss) into a questionnaire definition (YAML).

    What was changed or could not be carried over is listed question by question on standard
    error, in the app's default language; the exit code is 1 when no question could be made.
    """
    if os.path.getsize(path) > limesurvey.MAX_BYTES:
        raise click.ClickException(limesurvey.LimeSurveyError(
            limesurvey.N_("the file is larger than %(limit)d MB; a survey structure export is far smaller"),
            limit=limesurvey.MAX_BYTES // (1024 * 1024)).render(gettext))
    _import(path, output, limesurvey.convert_lss, limesurvey.LimeSurveyError, limesurvey.ORIGIN)


def _import(path: str, output: str | None, convert, error_class, origin: str) -> None:
    """Convert a file with an importer, print its report and the check, write the YAML."""
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        conversion = convert(data, os.path.basename(path))
    except error_class as error:
        raise click.ClickException(_localized(error)) from None
    for note in conversion.notes:
        click.echo(f"{note.kind:<8}{_localized(note)}", err=True)
    if not conversion.usable:
        raise click.ClickException(gettext("No question could be made from this form."))
    _, problems = parse_definition(conversion.definition, os.path.basename(path))
    for problem in problems:
        click.echo(f"check   {problem}", err=True)
    text = to_yaml(conversion.definition, origin)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
        click.echo(f"wrote {output}: {conversion.question_count} questions", err=True)
    else:
        click.echo(text, nl=False)


def _localized(item) -> str:
    """A report line or error in the app's language where the importer provides msgids."""
    render = getattr(item, "render", None)
    return render(gettext) if render else str(item)


@click.command("demo")
@with_appcontext
@click.option("--seed", default=2017, show_default=True, help="Same seed, same answers.")
def demo_command(seed: int) -> None:
    """Fill the data folder with synthetic responses to the shipped questionnaires and a
    workshop with votes from the shipped template."""
    catalogue = get_catalogue()
    ensure_default_surveys(get_store(), catalogue)
    for slug, count in fill_demo_surveys(get_store(), catalogue, seed).items():
        click.echo(f"added {count} synthetic responses to /s/{slug}")
    templates = load_templates(Path(current_app.config["QUESTIONNAIRE_DIR"]) / "workshops")
    workshop = run_demo_workshop(get_store(), templates, seed)
    if workshop:
        click.echo(f"added the workshop {workshop['title']!r} (code {workshop['join_code']}) with votes on every poll")


def init_app(app: Flask) -> None:
    for command in (validate_command, create_user_command, surveys_command, import_xlsform_command,
                    import_limesurvey_command, demo_command):
        app.cli.add_command(command)
