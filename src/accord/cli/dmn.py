"""``accord dmn …``: evaluate DMN models, check them, run the DMN TCK."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from accord.cli import jsonout
from accord.cli.common import (
    err_console,
    fail,
    guard,
    out_console,
    parse_json_object,
    read_json_file,
)
from accord.feel.values import from_python

app = typer.Typer(help="DMN models: evaluate, check, run the DMN TCK.", no_args_is_help=True)


# --------------------------------------------------------------------------- tck


def _level(value: str) -> str:
    from accord.dmn.tck import LEVELS

    name = f"compliance-level-{value}" if value in ("2", "3") else value
    if name not in LEVELS:
        fail(f"unknown level {value!r} (choose from {', '.join(LEVELS)}, or 2, 3)")
    return name


@app.command()
def tck(
    directory: Annotated[Path, typer.Argument(
        help="The dmn-tck folder (or its TestCases folder).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Write tck_results.csv here.")],
    level: Annotated[list[str] | None, typer.Option(
        "--level", help="Level to run: compliance-level-2|3 (or 2|3); repeatable.")] = None,
    only: Annotated[str | None, typer.Option(
        "--only", help="Run only test folders with this name, prefix or glob.")] = None,
    known: Annotated[Path | None, typer.Option(
        "--known", help="Known-failures file: exit 1 on failures not listed in it.")] = None,
    update_known: Annotated[Path | None, typer.Option(
        "--update-known", help="Rewrite this known-failures file from the run.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds allowed per test case.")] = 60.0,
) -> None:
    """Run the DMN TCK, write tck_results.csv and print the counts per level."""
    from accord.dmn import tck as runner

    with guard():
        if not runner.resolve_root(directory).is_dir():
            fail(f"no TCK test cases at {directory}")
        levels = tuple(_level(v) for v in level) if level else runner.LEVELS
        with Progress(TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err_console, transient=True) as bar:
            task = bar.add_task("DMN TCK", total=None)

            def advance(done: int, total: int, result: runner.CaseResult) -> None:
                bar.update(task, completed=done, total=total, description=result.folder)

            results = runner.run_tck(directory, levels=levels, only=only, progress=advance,
                                     timeout=timeout)
        runner.write_results_csv(results, out)
        table = Table(title=f"DMN TCK ({len(results)} test cases) → {out}")
        for column in ("level", "total", "success", "error", "ignored"):
            table.add_column(column, justify="left" if column == "level" else "right")
        for name, counts in runner.summarise(results).items():
            table.add_row(name, str(counts["total"]), str(counts[runner.SUCCESS]),
                          str(counts[runner.ERROR]), str(counts[runner.IGNORED]),
                          style="bold" if name == "total" else None)
        out_console.print(table)
        if update_known is not None:
            keys = runner.write_known_failures(results, update_known)
            out_console.print(f"wrote {len(keys)} known failures to {update_known}")
        if known is not None:
            known_keys = runner.read_known_failures(known)
            for key in runner.fixed(results, known_keys):
                out_console.print(Text(f"fixed: {key}", style="green"))
            newly = runner.new_failures(results, known_keys)
            comments = {r.key: r.comment for r in results}
            for key in newly:
                out_console.print(Text(f"new failure: {key}: {comments[key]}", style="red"),
                                  soft_wrap=True)
            if newly:
                raise typer.Exit(1)


# --------------------------------------------------------------------------- eval


@app.command("eval")
def eval_command(
    file: Annotated[Path, typer.Argument(help="The DMN file.")],
    decision: Annotated[str | None, typer.Option(
        "--decision", "-d", help="Name of the decision to evaluate.")] = None,
    service: Annotated[str | None, typer.Option(
        "--service", "-s", help="Name of the decision service to invoke.")] = None,
    input_json: Annotated[str | None, typer.Option(
        "--input", "-i", help="Inputs as a JSON object.")] = None,
    input_file: Annotated[Path | None, typer.Option(
        "--input-file", help="Inputs from a JSON file (--input overrides its keys).")] = None,
    trace: Annotated[bool, typer.Option(
        "--trace", help="Also print every evaluated decision and the matched rules.")] = False,
) -> None:
    """Evaluate a decision (or a decision service) and print the result as JSON.

    Prints {"decision" | "service": name, "value": …, "messages": […]}; with --trace also
    "outputs" (every evaluated decision) and "trace" (matched rules per table).
    """
    with guard():
        if (decision is None) == (service is None):
            fail("give exactly one of --decision or --service")
        inputs: dict[str, Any] = {}
        if input_file is not None:
            inputs.update(read_json_file(input_file))
        if input_json is not None:
            inputs.update(parse_json_object(input_json, "--input"))
        if not file.is_file():
            fail(f"no such file: {file}")
        from accord.dmn import load

        model = load(file)
        values = from_python(inputs)
        if decision is not None:
            result = model.evaluate(decision, values, trace=trace)
            output: dict[str, Any] = {"decision": decision}
        else:
            assert service is not None
            result = model.evaluate_service(service, values, trace=trace)
            output = {"service": service}
        output["value"] = result.value
        output["messages"] = list(getattr(result, "messages", None) or [])
        if trace:
            output["outputs"] = getattr(result, "outputs", None)
            output["trace"] = getattr(result, "trace", None)
        typer.echo(jsonout.dumps(output))


# --------------------------------------------------------------------------- check


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="The DMN file.")],
) -> None:
    """Load a model and report every problem with its location; exit 1 if any is an error."""
    with guard():
        if not file.is_file():
            fail(f"no such file: {file}")
        from accord.dmn import check as check_model

        problems = check_model(file)
        errors = 0
        for problem in problems:
            is_error = problem.severity == "error"
            errors += is_error
            where = " ".join(p for p in (problem.element, problem.element_id) if p)
            line = Text.assemble(
                (problem.severity, "bold red" if is_error else "yellow"),
                f" {file}" + (f" [{where}]" if where else "") + ": ",
                problem.message,
            )
            out_console.print(line, soft_wrap=True)
        summary = f"{file}: {errors} error(s), {len(problems) - errors} other problem(s)"
        out_console.print(Text(summary, style="red" if errors else "green"), soft_wrap=True)
        if errors:
            raise typer.Exit(1)


# --------------------------------------------------------------------------- serve


def serve_app(paths: list[Path], api_key: str | None) -> Any:
    """The stand-alone DMN app over ``paths`` (files or folders of ``.dmn`` files).

    Without ``api_key`` every request is admitted (a developer's machine); with it, requests
    must send that key (``Authorization: Bearer`` or ``X-API-Key``).
    """
    import hmac

    from accord.dmn.serving import FolderModels
    from accord.operational.api_keys import ApiKey
    from accord.server.dmn import dmn_app

    verify = None
    if api_key is not None:
        local = ApiKey("local", "local", frozenset({"dmn"}))

        def verify(secret: str) -> ApiKey | None:
            return local if hmac.compare_digest(secret.encode(), api_key.encode()) else None

    return dmn_app(FolderModels(paths), verify)


@app.command()
def serve(
    paths: Annotated[list[Path], typer.Argument(help="DMN files or folders of .dmn files.")],
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8080,
    api_key: Annotated[str | None, typer.Option(
        "--api-key", envvar="ACCORD_DMN_API_KEY",
        help="Require this key on every request (default: no key, for local use).")] = None,
) -> None:
    """Serve DMN models over HTTP without a hub: POST /v1/dmn/{model}/{decision}.

    Each file is a model named by its definitions name; imports are resolved among the
    files of its folder. The models are read-only (edit the files and restart).
    """
    import uvicorn

    with guard():
        application = serve_app(paths, api_key)
        out_console.print(f"Serving {', '.join(str(p) for p in paths)} on http://{host}:{port}"
                          f"/v1/dmn (API docs: http://{host}:{port}/docs); Ctrl-C stops.")
    uvicorn.run(application, host=host, port=port, log_level="warning")
