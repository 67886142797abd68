"""Command-line tasks: `flask --app survey_app <command>`."""
from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext

from survey_app.web.auth import ROLES, AccountError, create_user
from survey_app.storage.tinydb.backup import BackupError, restore_backup, write_backup
from survey_app.web.db import get_store
from survey_app.storage.tinydb.questionnaires import UPLOADS, QuestionnaireFolder
from survey_app.web.catalogue import DefinitionFolder, get_catalogue
from survey_app.fieldings.fielding import ensure_default_surveys
from survey_app.consultations.demo import demo_consultation, make_demo_consultation, remove_demo_consultation
from survey_app.consultations.shipped import shipped_drafts
from survey_app.decisions.staffing_demo import make_demo_staffing, remove_demo_staffing
from survey_app.decisions.demo import classify_demo_tasks, remove_demo_classifications
from survey_app.demo import demo_workshop, fill_demo_surveys, remove_demo, run_demo_workshop
from survey_app.definitions.questionnaire import load_folder, parse_definition
from survey_app.storage.tinydb.maintenance import check_data_folder
from survey_app.storage.interface import DamagedDataError
from survey_app.workshops.templates import load_templates
from survey_app.definitions import limesurvey
from survey_app.definitions.imports import to_yaml
from survey_app.definitions.xlsform import ORIGIN as XLSFORM, XLSFormError, companion_files, convert_workbook
from survey_app.definitions.xlsform.export import xlsform


@click.command("validate")
@with_appcontext
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False))
def validate_command(folder: str | None) -> None:
    """Check every questionnaire definition (shipped and uploaded, or those in FOLDER);
    exit code 1 when any has errors.

    Warnings (such as a text shown in the default language because its translation is
    missing) are printed too, but do not stop a file from loading or change the exit code.
    """
    catalogue = load_folder(folder) if folder else get_catalogue()
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
@click.option("--password", help="Asked for when not given (typed twice, not shown).")
def create_user_command(username: str, role: str, password: str | None) -> None:
    """Create a staff account (admin, evaluator or facilitator)."""
    if password is None:  # asked in the interface language, as its errors are written
        password = click.prompt(gettext("Password"), hide_input=True)
        if click.prompt(gettext("Repeat the password"), hide_input=True) != password:
            raise click.ClickException(gettext("The two passwords differ. No account was created."))
    try:
        user = create_user(username, password, role)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(gettext("Created the %(role)s account “%(name)s”.", role=user.role, name=user.username))


@click.command("surveys")
@with_appcontext
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
def surveys_command(base_url: str) -> None:
    """Prepare a survey for each shipped questionnaire and print their public links."""
    from survey_app.web.views.workshops.addresses import reachable_base

    reachable = reachable_base(base_url)
    if reachable != base_url:   # HOST=0.0.0.0: the links others in the network open
        click.echo(gettext("The app answers on every address of this computer; in the local network: %(url)s",
                     url=reachable.rstrip("/")))
        base_url = reachable
    catalogue = get_catalogue()
    ensure_default_surveys(get_store(), catalogue)
    for survey in get_store().list_surveys():
        state = survey.state(dt.date.today())
        click.echo(f"{state:<9} {base_url.rstrip('/')}/s/{survey.slug}")
    for problem in catalogue.problems:
        click.echo(f"problem {problem}", err=True)


def _import_command(name: str):
    """An import command: the file to read, and -o for where the definition goes."""
    def command(function):
        function = click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
                                help="Write the definition here instead of to standard output.")(function)
        function = click.argument("path", type=click.Path(exists=True, dir_okay=False))(function)
        return click.command(name)(with_appcontext(function))
    return command


@_import_command("import-xlsform")
def import_xlsform_command(path: str, output: str | None) -> None:
    """Turn an XLSForm (.xlsx, .xls, a .zip of CSV files, or survey.csv with choices.csv and
    settings.csv beside it) into a questionnaire definition (YAML).

    What was changed or could not be carried over is listed row by row on standard error, in
    the app's default language; the exit code is 1 when no question could be made at all.
    """
    companions = companion_files(path)
    _import(path, output, lambda data, name: convert_workbook(data, name, companions), XLSFormError, XLSFORM)


@_import_command("import-limesurvey")
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


@click.command("export-xlsform")
@with_appcontext
@click.argument("questionnaire_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="The .xlsx file to write.")
def export_xlsform_command(questionnaire_id: str, output: str) -> None:
    """Write a questionnaire as an XLSForm (.xlsx) for ODK Collect or KoboCollect.

    What XLSForm cannot carry is listed on standard error, in the app's default language.
    """
    questionnaire = get_catalogue().questionnaires.get(questionnaire_id)
    if questionnaire is None:
        raise click.ClickException(gettext("There is no questionnaire “%(id)s”.", id=questionnaire_id))
    data, notes = xlsform(questionnaire)
    for note in notes:
        click.echo(f"dropped {_localized(note)}", err=True)
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_bytes(data)
    click.echo(f"wrote {output}", err=True)


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
        Path(output).parent.mkdir(parents=True, exist_ok=True)  # e.g. the data folder's questionnaires/
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
@click.option("--remove", is_flag=True, help="Delete the demo responses, workshop, consultation and task "
                                            "classifications again, nothing else.")
def demo_command(seed: int, remove: bool) -> None:
    """Fill the data folder with synthetic responses to the shipped questionnaires and a
    workshop with votes from the shipped template, a consultation on the shipped draft with
    statements of five organisations and classified task profiles, each marked as demo data.

    Running it again adds nothing twice. With --remove, exactly the demo responses, the demo
    workshop, the demo consultation and the demo classifications are deleted; real responses,
    other workshops, other consultations and classifications saved by evaluators stay as they are.
    """
    store = get_store()
    if remove:
        removed, workshop = remove_demo(store)
        for slug, count in removed.items():
            click.echo(f"removed {count} demo responses from /s/{slug}")
        if workshop:
            click.echo(f"removed the workshop {workshop['title']!r}")
        consultation = remove_demo_consultation(store)
        if consultation:
            click.echo(f"removed the consultation {consultation['title']!r}")
        staffing_records = remove_demo_staffing(store)
        if staffing_records:
            click.echo(f"removed {staffing_records} demo staffing records (posts, scenario)")
        classified = remove_demo_classifications(store)
        if classified:
            click.echo(f"removed {classified} demo classifications of task profiles")
        from survey_app.web.views.decisions.pack import remove_demo_pack
        committee_pack = remove_demo_pack()
        if committee_pack:
            click.echo("removed the demo committee pack")
        if not removed and not workshop and not consultation and not staffing_records and not classified \
                and not committee_pack:
            click.echo("no demo data found: nothing removed")
        return
    catalogue = get_catalogue()
    ensure_default_surveys(store, catalogue)
    for slug, (added, present) in fill_demo_surveys(store, catalogue, seed).items():
        if added:
            click.echo(f"added {added} synthetic responses to /s/{slug} ({present} demo responses there now)")
        else:
            click.echo(f"/s/{slug} has its {present} demo responses already: nothing added")
    templates = load_templates(Path(current_app.config["QUESTIONNAIRE_DIR"]) / "workshops")
    before = demo_workshop(store)
    workshop = run_demo_workshop(store, templates, seed)
    if workshop and before:
        click.echo(f"the workshop {workshop['title']!r} (code {workshop['join_code']}) is there already")
    elif workshop:
        click.echo(f"added the workshop {workshop['title']!r} (code {workshop['join_code']}) with votes on every poll")
    before = demo_consultation(store)
    consultation = make_demo_consultation(
        store, shipped_drafts(Path(current_app.config["QUESTIONNAIRE_DIR"]) / "consultations"))
    if consultation and before:
        click.echo(f"the consultation {consultation['title']!r} is there already")
    elif consultation:
        click.echo(f"added the consultation {consultation['title']!r} with statements of "
                   f"{len(consultation['organisations'])} organisations")
    classified = classify_demo_tasks(store)
    if classified:
        click.echo(f"classified {classified} task profiles (/decisions/profiles/)")
    else:
        click.echo("the demo task profiles are classified already")
    scenario = make_demo_staffing(store, catalogue)
    if scenario:
        click.echo(f"the staffing scenario {scenario!r} is saved (Personalbedarf)")
    from survey_app.web.views.decisions.pack import save_demo_pack
    if save_demo_pack():
        click.echo("saved a committee pack for the social committee: /decisions/pack/social_committee")
    else:
        click.echo("the committee pack for the social committee is there already")
    click.echo("remove all of it again with: flask --app survey_app demo --remove")


@click.command("check-data")
@with_appcontext
@click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False),
              help="Check this data folder instead of the app's (e.g. a restored one).")
def check_data_command(data_dir: str | None) -> None:
    """Read every file in the data folder (accounts, surveys, responses, drafts, invitations,
    kept definition versions, workshops, votes, uploaded questionnaires) and print one line per
    problem; exit code 1 when there is any. Changes nothing."""
    folder = Path(data_dir or get_store().data_dir)
    checked, problems = check_data_folder(folder)
    uploads = folder / UPLOADS
    definitions = DefinitionFolder(current_app.config["QUESTIONNAIRE_DIR"], lambda: QuestionnaireFolder(uploads))
    upload_problems = [p for p in definitions.catalogue().problems
                       if p.file.startswith(str(uploads))] if uploads.is_dir() else []
    for problem in problems:
        click.echo(str(problem))
    for problem in upload_problems:
        click.echo(f"{problem.file}: {problem.location}: {problem.message}")
    if problems or upload_problems:
        raise SystemExit(1)
    click.echo(f"{checked} files in {folder}, no problems")


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False))
def backup_command(file: str) -> None:
    """Write the whole data folder to FILE (a new .tar.gz, with a manifest of checksums).

    Safe while the app runs: each survey, workshop and table is copied under its lock, so every
    response stored before the backup started is in it."""
    try:
        summary = write_backup(get_store(), file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {file}: {summary.files} files, {summary.bytes} bytes")


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--data", "data_dir", required=True, type=click.Path(file_okay=False),
              help="The new data folder (missing or empty).")
def restore_command(file: str, data_dir: str) -> None:
    """Unpack the backup FILE into the empty folder --data after checking every file against
    the backup's manifest, then check the restored files; exit code 1 on any problem (nothing
    is restored when a checksum differs or the archive holds links or paths outside the folder)."""
    try:
        summary = restore_backup(file, data_dir)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored {summary.files} files into {data_dir}; every checksum matches")
    _checked, problems = check_data_folder(data_dir)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise SystemExit(1)


@click.command("db-upgrade")
@with_appcontext
@click.option("--database-url", help="The database to upgrade (default: SURVEY_APP_DATABASE_URL).")
def db_upgrade_command(database_url: str | None) -> None:
    """Create or migrate the PostgreSQL tables to this release's schema version. Idempotent:
    run it on every deployment (servers that upgrade at the same moment take turns)."""
    url = database_url or current_app.config.get("DATABASE_URL")
    if not url:
        raise click.ClickException("no database: set SURVEY_APP_DATABASE_URL=postgresql://... or pass --database-url")
    from survey_app.storage.postgres.connection import redacted
    from survey_app.storage.postgres.schema import UpgradeError, upgrade_database

    try:
        applied, version = upgrade_database(url)
    except UpgradeError as error:
        raise click.ClickException(str(error)) from None
    for number, description in applied:
        click.echo(f"applied migration {number}: {description}")
    click.echo(f"{redacted(url)}: schema version {version}" + ("" if applied else ", up to date"))


@click.command("copy-storage")
@with_appcontext
@click.option("--to", "target", required=True,
              help="postgresql://... (an upgraded database without data) or a new, empty data folder.")
def copy_storage_command(target: str) -> None:
    """Copy everything the app keeps (accounts, surveys, definition versions, responses, drafts,
    invitations, workshops, participants, votes, audit log, the secret key) to another storage,
    then read both again and compare counts and checksums of every kind; exit code 1 when they
    differ. Stop the app servers first: a source that changes during the copy is refused."""
    from survey_app.storage.copy import CopyError, copy_storage
    from survey_app.web.db import open_store

    source = get_store()
    if target.startswith(("postgresql://", "postgres://")):
        from survey_app.storage.postgres.connection import redacted
        from survey_app.storage.postgres.store import SchemaError

        try:
            destination = open_store(target)
        except SchemaError as error:
            raise click.ClickException(str(error)) from None
        shown = redacted(target)
    else:
        destination = open_store(target)
        shown = target
    try:
        summary = copy_storage(source, destination)
    except CopyError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"copied to {shown}; counts and checksums match:")
    for line in summary.lines():
        click.echo("  " + line)


def _stops_on_damaged_data(command: click.Command) -> click.Command:
    """A damaged data file ends any command with its path and what to do, never a traceback;
    nothing was written over it (storage refuses to)."""
    callback = command.callback

    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except DamagedDataError as error:
            raise click.ClickException(gettext(
                "%(problem)s. Nothing was written over it. Run `flask --app survey_app check-data` "
                "for a list of damaged files and restore them from a backup, then run this again.", problem=str(error))) from None

    command.callback = run
    return command


def init_app(app: Flask) -> None:
    for command in (validate_command, create_user_command, surveys_command, import_xlsform_command,
                    import_limesurvey_command, export_xlsform_command, demo_command, check_data_command,
                    backup_command, restore_command, db_upgrade_command, copy_storage_command):
        app.cli.add_command(_stops_on_damaged_data(command))
