"""The `confledger` command: serve the API, seed the demo conference, manage tokens.

Each command reads its settings from the environment (`CONFLEDGER_*`) and builds the process's
services once. Secrets are printed only where the user asked for them: a token once, when issued.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from api import accesslog
from api import demo as demo_data
from api.app import create_app
from api.auth import Role
from api.projectors import ProjectorService, UnknownReadModel, rebuild_projector
from api.services import Services
from api.settings import Settings
from projections.audit import verify_chain

DEMO_SLUG = "pycon-demo"
DEMO_BATCH_SIZE = 500

app = typer.Typer(help="Confledger: an event-sourced ledger for conference ticketing.",
                  no_args_is_help=True)
token_app = typer.Typer(help="Issue, list and revoke API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")
console = Console()

RoleOption = Annotated[Role, typer.Option(help="the token's role")]
ConferenceOption = Annotated[
    str | None, typer.Option(help="the conference slug it is limited to (default: all)")]


@contextmanager
def opened_services() -> Iterator[Services]:
    """The services of this process, built from the environment's settings, closed at the end."""
    services = Services.build(Settings())
    try:
        yield services
    finally:
        services.close()


@app.command()
def serve(host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
          demo: Annotated[bool, typer.Option(help="seed the demo conference and print a "
                                                  "sign-in token")] = False) -> None:
    """Run the API (and, once attached, every projector) in this process."""
    with opened_services() as services:
        if demo:
            seed_demo(services)
            issued = services.tokens.issue("admin")
            console.print(f"Dashboard: http://{host}:{port}/manage/{DEMO_SLUG}/reports/",
                          soft_wrap=True)
            console.print(f"Sign-in token: {issued.token}", soft_wrap=True)
        accesslog.install()
        uvicorn.run(create_app(services.settings, services=services, projectors=True),
                    host=host, port=port)


@app.command()
def project(names: Annotated[list[str] | None, typer.Argument(
        help="read models to run (default: all)")] = None) -> None:
    """Run projectors alone (no API), following the event log until interrupted."""
    with opened_services() as services:
        runner = ProjectorService(services.ledger, names or (),
                                  poll_interval=services.settings.poll_interval,
                                  page=services.settings.projector_page)
        console.print(f"Projecting {', '.join(runner.projector.names)}; Ctrl-C to stop.")
        runner.start()
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            runner.stop()


@app.command()
def rebuild(name: Annotated[str, typer.Argument(help="the read model to rebuild")]) -> None:
    """Drop one read model and replay the whole event log into it, with progress."""
    with opened_services() as services:
        try:
            projector = rebuild_projector(services.ledger, name)
        except UnknownReadModel as error:
            console.print(str(error))
            raise typer.Exit(2) from None
        head = services.head()
        started = time.perf_counter()
        with Progress(*_progress_columns("Rebuilding"), console=console) as progress:
            task = progress.add_task(name, total=head)
            projector.catch_up(lambda position: progress.update(task, completed=position))
        console.print(f"Rebuilt {name} through position {projector.position} in "
                      f"{time.perf_counter() - started:.1f} s.")


@app.command()
def verify(conference: Annotated[str | None, typer.Option(
        help="the conference to check (default: every conference)")] = None) -> None:
    """Recompute the hash chain over the stored events; name the first position that differs."""
    with opened_services() as services:
        result = verify_chain(services.ledger.recorder, conference)
    console.print_json(data=result)
    if not result["ok"]:
        raise typer.Exit(1)


@app.command()
def demo() -> None:
    """Seed the demo conference (once) and exit."""
    with opened_services() as services:
        seed_demo(services)


def seed_demo(services: Services) -> None:
    """Record the demo conference in batches with a progress bar, unless it is already there."""
    if services.ledger.conference(DEMO_SLUG) is not None:
        console.print(f"The demo conference {DEMO_SLUG!r} is already recorded.")
        return
    now = datetime.now(UTC)
    events = demo_data.generate_conference(slug=DEMO_SLUG, now=now)
    started = time.perf_counter()
    with Progress(*_progress_columns("Recording"), console=console, transient=True) as progress:
        task = progress.add_task(DEMO_SLUG, total=len(events))
        for batch in demo_data.batches(events, DEMO_BATCH_SIZE):
            services.record(DEMO_SLUG, batch, now=now)
            progress.advance(task, len(batch))
    seconds = time.perf_counter() - started
    console.print(f"Recorded {len(events)} demo events in {seconds:.1f} s.")


def _progress_columns(verb: str) -> tuple[ProgressColumn, ...]:
    return (TextColumn(verb + " {task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn())


@token_app.command("create")
def create_token(role: RoleOption, conference: ConferenceOption = None) -> None:
    """Issue a token and print it; it is stored hashed and cannot be shown again."""
    with opened_services() as services:
        issued = services.tokens.issue(role, conference)
    scope = conference or "all conferences"
    console.print(f"Token {issued.record.token_id} ({role}, {scope}); store it now, it is shown "
                  "only once:")
    typer.echo(issued.token)


@token_app.command("list")
def list_tokens() -> None:
    """List tokens, tab-separated (never their secrets); conference * means all."""
    with opened_services() as services:
        records = services.tokens.list()
    typer.echo("token_id\trole\tconference\tcreated_at\trevoked_at")
    for r in records:
        typer.echo("\t".join([r.token_id, r.role, r.conference or "*", r.created_at,
                              r.revoked_at or "-"]))


@token_app.command("revoke")
def revoke_token(token_id: str) -> None:
    """Revoke a token; it stops working at once."""
    with opened_services() as services:
        found = services.tokens.revoke(token_id)
    if not found:
        console.print(f"No token {token_id!r}.")
        raise typer.Exit(1)
    console.print(f"Revoked {token_id}.")
