"""Command-line tasks: `flask --app survey_app <command>`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .auth import ROLES, AccountError, create_user
from .db import get_store
from .definitions import get_catalogue
from .fielding import ensure_default_surveys
from .questionnaire import load_folder


@click.command("validate")
@with_appcontext
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False))
def validate_command(folder: str | None) -> None:
    """Check every questionnaire definition; exit code 1 when any has problems."""
    catalogue = load_folder(folder or current_app.config["QUESTIONNAIRE_DIR"])
    for questionnaire in catalogue.questionnaires.values():
        click.echo(f"ok      {questionnaire.source} ({questionnaire.id})")
    for problem in catalogue.problems:
        click.echo(f"problem {problem}", err=True)
    if catalogue.problems:
        raise SystemExit(1)
    click.echo(f"{len(catalogue.questionnaires)} definitions, no problems")


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
        click.echo(f"{survey['status']:<7} {base_url.rstrip('/')}/s/{survey['slug']}")
    for problem in catalogue.problems:
        click.echo(f"problem {problem}", err=True)


def init_app(app: Flask) -> None:
    for command in (validate_command, create_user_command, surveys_command):
        app.cli.add_command(command)
