"""`ctforms schema`: the JSON Schema of each model, for whoever reads ctforms' files."""

from __future__ import annotations

import json

import click
from pydantic import TypeAdapter

from ctforms.cli.app import cli
from ctforms.errors import InputError
from ctforms.models import MODELS


@cli.command()
@click.argument("model", required=False)
def schema(model: str | None) -> None:
    """Print the JSON Schema of a model; with no MODEL, list the models.

    \b
    Example:
        ctforms schema register > register.schema.json
    """
    if model is None:
        for name, cls in MODELS.items():
            doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
            click.echo(f"{name:<22}{doc}")
        return
    if model not in MODELS:
        raise InputError(f"no model {model!r}; one of: {', '.join(MODELS)}")
    schema = TypeAdapter(MODELS[model]).json_schema()
    click.echo(json.dumps(schema, indent=2, sort_keys=True))
