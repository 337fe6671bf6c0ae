"""The command line: a thin layer over the library. Every command's help has an example.

One module per command group; each adds its commands to the `ctforms` group in app.py:

    check.py        ctforms check, ctforms run
    forms.py        ctforms forms ...
    entries.py      ctforms entries [make], ctforms entries read
    declaration.py  ctforms declaration
    signing.py      ctforms keys new, ctforms archive, ctforms verify
    records.py      ctforms init, ctforms records ...
    catalogue.py    ctforms catalogue ...
    schema.py       ctforms schema
    serve.py        ctforms serve

The producers (and the signing, archive and EDI modules) are imported inside the commands
that use them, so `ctforms check` on a big tracker does not pay for them at start.
"""

from ctforms.cli import (  # noqa: F401  (each module adds its commands to `cli`)
    catalogue,
    check,
    declaration,
    entries,
    forms,
    records,
    schema,
    serve,
    signing,
)
from ctforms.cli.app import cli, main

__all__ = ["cli", "main"]
