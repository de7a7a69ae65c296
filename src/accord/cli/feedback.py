"""``accord feedback``: train, evaluate and query text classifiers of customer feedback.

Commands::

    accord feedback train --data CSV --text COLUMN --label COLUMN --out DIR
                          [--model NAME] [--validation FRACTION] [--threshold P] [--seed S]
                          [--validation-out CSV]
    accord feedback evaluate --model DIR --data CSV --text COLUMN --label COLUMN
                             [--format json|table]
    accord feedback queue --model DIR --data CSV --text COLUMN [--size N]
    accord feedback taxonomy --data CSV --text COLUMN --label COLUMN --out YAML
                             [--separator S] [--examples N]
    accord feedback discover --model DIR --data CSV --text COLUMN [--threshold P] [--clusters K]
    accord feedback classify [--project DIR] [--model DIR] [--sentiment-model DIR]
                             [--taxonomy YAML] [--as-of TIME] [--value-field NAME]
"""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.common import fail, guard

app = typer.Typer(help="Customer feedback: classify texts into a taxonomy.",
                  no_args_is_help=True)

DataOption = Annotated[Path, typer.Option("--data", help="CSV file with a header row.")]
TextOption = Annotated[str, typer.Option("--text", help="Column holding the texts.")]
LabelOption = Annotated[str, typer.Option("--label", help="Column holding the labels.")]
ModelDirOption = Annotated[Path, typer.Option("--model", help="Model directory (from train).")]


class Format(StrEnum):
    """Output formats of ``evaluate``."""

    json = "json"
    table = "table"


@app.command()
def train(
    data: DataOption, text: TextOption, label: LabelOption,
    out: Annotated[Path, typer.Option("--out", help="Model directory to write.")],
    model: Annotated[str, typer.Option("--model", help="Classifier name.")] = "ensemble",
    validation: Annotated[float, typer.Option(
        help="Share of each label held out to report validation figures (0: none).")] = 0.0,
    threshold: Annotated[float, typer.Option(
        help="Answer 'unknown' when the best label's probability is below this.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the validation split.")] = 0,
    validation_out: Annotated[Path | None, typer.Option(
        help="Also write the held-out rows to this CSV (for evaluate).")] = None,
) -> None:
    """Train a classifier on a labelled CSV and save it as a model directory.

    With ``--validation``, the held-out rows give the validation figures and fit the
    temperature that calibrates the model's confidence.
    """
    from accord.feedback.calibration import TemperatureScaled, fit_temperature
    from accord.feedback.dataset import read_csv, stratified_split, write_csv
    from accord.feedback.evaluation import evaluate
    from accord.feedback.persistence import save
    from accord.feedback.registry import create

    if not 0.0 <= validation < 1.0:
        fail(f"--validation must be at least 0 and below 1, not {validation}")
    with guard():
        classifier = create(model)
        rows = read_csv(data, text, label)
        train_rows, held = stratified_split(rows, validation, seed) if validation else (rows, None)
        classifier.fit(train_rows)
        metadata: dict[str, object] = {"data": str(data), "text": text, "label": label,
                                       "train_rows": len(train_rows)}
        if held is not None and len(held):
            if validation_out is not None:
                write_csv(validation_out, held, text, label)
            # The held-out rows also fit the temperature that calibrates the confidence.
            temperature = fit_temperature(classifier.predict_proba(held.texts),
                                          classifier.classes, held.labels)
            classifier = TemperatureScaled(classifier, temperature)
            report = evaluate(classifier, held, threshold)
            metadata["validation"] = {"rows": len(held), "accuracy": report.accuracy,
                                      "macro_f1": report.macro_f1, "seed": seed,
                                      "temperature": temperature}
        save(classifier, out, threshold=threshold, metadata=metadata)
    typer.echo(json.dumps({"model": model, "out": str(out), **metadata}))


@app.command("evaluate")
def evaluate_command(
    model: ModelDirOption, data: DataOption, text: TextOption, label: LabelOption,
    format: Annotated[Format, typer.Option("--format", help="json or table.")] = Format.table,
) -> None:
    """Classify a labelled CSV with a saved model and print how well it did."""
    from accord.feedback.dataset import read_csv
    from accord.feedback.evaluation import evaluate, format_table
    from accord.feedback.persistence import load

    with guard():
        saved = load(model)
        rows = read_csv(data, text, label)
        report = evaluate(saved.classifier, rows, saved.threshold)
    if format is Format.json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(format_table(report))


@app.command()
def queue(
    model: ModelDirOption, data: DataOption, text: TextOption,
    size: Annotated[int, typer.Option(help="How many texts to list.")] = 20,
) -> None:
    """List the texts the model is least sure about: the next ones to label (JSON lines)."""
    from accord.feedback.confidence import decide, labelling_queue
    from accord.feedback.dataset import read_csv
    from accord.feedback.persistence import load

    with guard():
        saved = load(model)
        rows = read_csv(data, text)
        proba = saved.classifier.predict_proba(rows.texts)
        predictions = decide(proba, saved.classifier.classes, saved.threshold)
    for item in labelling_queue(rows.texts, predictions, size):
        typer.echo(json.dumps({"row": item.index + 1, "text": item.text, "guess": item.guess,
                               "confidence": round(item.confidence, 4)}))


@app.command()
def taxonomy(
    data: DataOption, text: TextOption, label: LabelOption,
    out: Annotated[Path, typer.Option("--out", help="Taxonomy YAML file to write.")],
    separator: Annotated[str | None, typer.Option(
        help="Split labels into parent and child topics at this string.")] = None,
    examples: Annotated[int, typer.Option(help="Example texts kept per topic.")] = 5,
) -> None:
    """Learn a taxonomy (one topic per label, with examples) from a labelled CSV."""
    from accord.feedback.dataset import read_csv
    from accord.feedback.taxonomy import learn_taxonomy, save_taxonomy

    with guard():
        learnt = learn_taxonomy(read_csv(data, text, label), separator, examples)
        save_taxonomy(learnt, out)
    typer.echo(json.dumps({"out": str(out), "topics": len(learnt.topics),
                           "leaves": len(learnt.leaves())}))


@app.command()
def discover(
    model: ModelDirOption, data: DataOption, text: TextOption,
    threshold: Annotated[float, typer.Option(
        help="Texts whose best probability is below this are clustered.")] = 0.5,
    clusters: Annotated[int, typer.Option(help="Clusters to form.")] = 5,
) -> None:
    """Propose new topics from the texts the model is unsure about (taxonomy YAML)."""
    import yaml

    from accord.feedback.confidence import decide
    from accord.feedback.dataset import read_csv
    from accord.feedback.discovery import propose_topics
    from accord.feedback.persistence import load
    from accord.feedback.taxonomy import taxonomy as checked

    with guard():
        saved = load(model)
        rows = read_csv(data, text)
        predictions = decide(saved.classifier.predict_proba(rows.texts),
                             saved.classifier.classes)
        proposed = checked(propose_topics(rows.texts, predictions, threshold, clusters))
    typer.echo(yaml.safe_dump(proposed.to_dict(), sort_keys=False, allow_unicode=True), nl=False)


@app.command()
def classify(
    project: Annotated[Path, typer.Option("--project", help="Project folder.")] = Path("."),
    model: Annotated[Path | None, typer.Option(
        "--model", help="Topic model directory (default: .accord/feedback-model).")] = None,
    sentiment_model: Annotated[Path | None, typer.Option(
        help="Sentiment model directory (default: .accord/feedback-sentiment if there; "
             "without one, sentiment is 'unknown').")] = None,
    taxonomy_file: Annotated[Path | None, typer.Option(
        "--taxonomy", help="Taxonomy YAML with topic urgencies "
                           "(default: .accord/feedback-taxonomy.yaml if there).")] = None,
    as_of: Annotated[dt.datetime | None, typer.Option(
        help="Moment of the per-customer dimensions (default: now).")] = None,
    value_field: Annotated[str, typer.Option(
        help="Profile field weighed as the customer's value.")] = "monetary",
) -> None:
    """Classify the project's ticket and review texts into the 'feedback' table and sum them
    up per customer in 'feedback_dimensions' (run after 'accord build')."""
    from dataclasses import asdict, replace

    from accord.clock import SystemClock
    from accord.feedback.ingest import classify_store
    from accord.feedback.project import FeedbackPaths, load_triage
    from accord.project.template import store_path
    from accord.store import open_store

    database = store_path(project)
    if not database.is_file():
        fail(f"{database} does not exist; run 'accord build --project {project}' first")
    paths = FeedbackPaths.of_project(project)
    paths = replace(paths, topics=model or paths.topics,
                    sentiment=sentiment_model or paths.sentiment,
                    taxonomy=taxonomy_file or paths.taxonomy)
    moment = as_of.replace(tzinfo=as_of.tzinfo or dt.UTC) if as_of is not None else None
    with guard():
        triage = load_triage(paths)
        store = open_store("duckdb", database)
        try:
            report = classify_store(store, triage, SystemClock(), as_of=moment,
                                    value_field=value_field)
        finally:
            store.close()
    typer.echo(json.dumps(asdict(report)))
