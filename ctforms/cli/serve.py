"""`ctforms serve`: the page, served from this computer only."""

from __future__ import annotations

from pathlib import Path

import click

from ctforms.cli.app import cli


@cli.command()
@click.argument(
    "workspace",
    default="ctforms-workspace",
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="The port to listen on (on 127.0.0.1 only). Default: a free one.",
)
@click.option("--no-browser", is_flag=True, help="Print the address without opening a browser.")
def serve(workspace: Path, port: int, no_browser: bool) -> None:
    """Open ctforms as a page in your browser, served from this computer only.

    WORKSPACE (default: ctforms-workspace in the current folder) keeps the centre profile,
    the records and rules workbooks and one folder per check, readable only by you. The
    printed address carries a key made at each start: without it the page is refused.

    \b
    Example:
        ctforms serve
        ctforms serve my-centre --port 8765 --no-browser
    """
    from ctforms.web.server import serve as run_server

    run_server(workspace, port, not no_browser, lambda line: click.echo(line))
