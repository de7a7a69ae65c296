"""The ``accord`` command line (entry point ``accord.cli.main:app``).

Commands::

    accord --version
    accord feel EXPR [--context JSON]
    accord dmn eval FILE (--decision NAME | --service NAME) [--input JSON] [--input-file F]
                         [--trace]
    accord dmn check FILE
    accord dmn tck DIR --out FILE.csv [--level L] [--only FOLDER] [--known F]
                       [--update-known F]
    accord init DIR
    accord ingest [--project DIR] [--source NAME]...
    accord build [--project DIR] [--as-of DATE]
    accord serve [--project DIR] [--host 127.0.0.1] [--port 8000]
    accord demo [--dir DIR] [--customers N] [--seed S] [--no-serve] [--port P]
    accord identity [explain ID]
    accord sql QUERY [--format table|csv|json]
    accord profile ID
    accord segments [NAME]
    accord users create NAME --role R... | token create NAME --user U | token list | revoke
    accord rules draft|import FOLDER (--user U | --token T) [--based-on V] | submit
                 | approve [--at T] | reject | activate | rollback VERSION (--user U | --token T)
                 | list | diff A B | scenarios V | simulate A B | audit | export V DIR
                 | import-table FILE --table NAME
    accord audit [--subject V]
    accord keys create APP --scope S... | list | revoke ID
    accord logs load
    accord feedback train|evaluate|queue|taxonomy|discover --data CSV --text COL ...
    accord campaign create F | list | show N | status N S | outcomes N F | report N | funnel
    accord capacity resources|fit|forecast|preflight|override|plan|calendar|remind|dead-letters
    accord slo report [--metrics-url URL | --metrics-file F] [--config F] [--days N]
                    | abandonment

Every :class:`accord.errors.AccordError` ends the command with a one-line red ``error: …``
on stderr and exit code 2, never a traceback. ``dmn check`` exits 1 when the model has
errors; ``dmn tck --known`` exits 1 on failures not in the known-failures file.
"""

from __future__ import annotations

import sys
from importlib import metadata
from typing import Annotated, Any

import typer

from accord.cli import analyst, dmn, feedback, identity, keys, logs, rules
from accord.cli import campaign as campaign_cli
from accord.cli import capacity as capacity_cli
from accord.cli.build import build_command
from accord.cli.common import EXIT_ERROR, print_error
from accord.cli.demo import demo_command
from accord.cli.feel import feel_command
from accord.cli.ingest import ingest_command, init_command
from accord.cli.serve import serve_command
from accord.errors import AccordError


class AccordTyper(typer.Typer):
    """A Typer app that reports :class:`AccordError` outside commands as a one-line error."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except AccordError as exc:
            print_error(str(exc) or type(exc).__name__)
            sys.exit(EXIT_ERROR)


app = AccordTyper(
    name="accord",
    help="Accord: the customer decision hub (data hub, DMN decisions, the decision API).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(dmn.app, name="dmn")
app.add_typer(identity.app, name="identity")
app.add_typer(rules.app, name="rules")
app.add_typer(rules.users_app, name="users")
app.add_typer(keys.app, name="keys")
app.add_typer(logs.app, name="logs")
app.add_typer(feedback.app, name="feedback")
app.add_typer(campaign_cli.app, name="campaign")
app.add_typer(capacity_cli.app, name="capacity")
app.add_typer(capacity_cli.slo_app, name="slo")
app.command("audit")(rules.audit_command)
app.command("feel")(feel_command)
app.command("sql")(analyst.sql_command)
app.command("profile")(analyst.profile_command)
app.command("segments")(analyst.segments_command)
app.command("init")(init_command)
app.command("ingest")(ingest_command)
app.command("build")(build_command)
app.command("serve")(serve_command)
app.command("demo")(demo_command)


def version() -> str:
    """Accord's version (installed metadata, else the package attribute)."""
    try:
        return metadata.version("accord")
    except metadata.PackageNotFoundError:
        import accord

        return str(getattr(accord, "__version__", "unknown"))


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"accord {version()}")
        raise typer.Exit()


@app.callback()
def main(
    show_version: Annotated[bool, typer.Option(
        "--version", help="Show the version and exit.", callback=_show_version,
        is_eager=True)] = False,
) -> None:
    """Accord: DMN decisions and FEEL expressions."""


if __name__ == "__main__":  # pragma: no cover
    app()
