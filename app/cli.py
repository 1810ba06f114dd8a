"""The `registry` command."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.config import Settings

if TYPE_CHECKING:
    from rich.progress import Progress
    from sqlmodel import Session

    from app.registry import Registry


cli = typer.Typer(help="The national registry of child safeguarding reviews.", no_args_is_help=True)


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        raise typer.Exit(2) from None


@contextmanager
def _registry() -> Iterator[Registry]:
    """The registry the environment configures, as the server builds it; closed afterwards."""
    from app.registry import Registry

    registry = Registry.from_settings(_settings())
    try:
        yield registry
    finally:
        registry.close()


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    settings = _settings()
    _refuse_a_schema_behind(settings)
    if not os.environ.get("REGISTRY_JWT_SECRET") and settings.jwt_algorithm == "HS256":
        # Development: one secret shared by every worker of this run (each would otherwise make its own).
        os.environ["REGISTRY_JWT_SECRET"] = settings.jwt_secret or secrets.token_urlsafe(48)
    with _metrics_summed_over(workers):
        uvicorn.run("app.main:create_app", factory=True, host=host, port=port, workers=workers, **uvicorn_options(settings))


@contextmanager
def _metrics_summed_over(workers: int) -> Iterator[None]:
    """Several workers write their metrics into one fresh folder, for each scrape to sum (an
    operator's own PROMETHEUS_MULTIPROC_DIR, emptied before each start, is used as it is)."""
    import tempfile

    from app.metrics import MULTIPROCESS_DIR

    if workers == 1 or os.environ.get(MULTIPROCESS_DIR):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="registry-metrics-") as folder:
        os.environ[MULTIPROCESS_DIR] = folder
        try:
            yield
        finally:
            del os.environ[MULTIPROCESS_DIR]


def _refuse_a_schema_behind(settings: Settings) -> None:
    """Serving a schema that is not at head would answer every request with an error: say so at once."""
    from sqlalchemy.exc import SQLAlchemyError

    from app.db import build_engine
    from app.migrations import schema_behind

    engine = build_engine(settings)
    try:
        with engine.connect() as connection:
            behind = schema_behind(connection)
    except SQLAlchemyError as exc:
        typer.echo(f"the database is not answering: {type(exc).__name__}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    if behind:
        typer.echo(behind, err=True)
        raise typer.Exit(1)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How the registry is served (shared with bench/, whose baseline must be served the same way).
    X-Forwarded-For is believed only from the proxies REGISTRY_TRUSTED_PROXIES names: from anyone
    else it would let a caller choose the address the sign-in throttle counts."""
    from app.logging_config import log_config

    proxies = settings.trusted_proxy_list
    return {
        "access_log": False,
        "log_config": log_config(),
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None,
    }


@cli.command()
def migrate(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Bring the database schema up to date (alembic upgrade)."""
    from app.migrations import upgrade

    settings = _settings()
    upgrade(settings.database_url, revision)
    typer.echo(f"database at {revision}")


def _in_session[T](work: Callable[[Session], T]) -> T:
    """Run work(session) in one committed transaction; report a problem as a clean error."""
    from app.db import write_transaction
    from app.errors import DomainError

    try:
        with _registry() as registry, write_transaction(registry.sessions) as session:
            return work(session)
    except DomainError as exc:
        details = "; ".join(f"{e.field}: {e.detail}" for e in exc.errors or [])
        typer.echo(f"error: {exc.detail}{' (' + details + ')' if details else ''}", err=True)
        raise typer.Exit(1) from None


def _audit_from_the_shell(session: Session, action: str, account_id: str) -> None:
    """An account made from a shell is in the audit trail as the API's are, its actor the operating
    system user who ran the command (`cli:NAME`)."""
    import getpass

    from app.audit.service import AuditNote, write
    from app.auth.principals import Principal, Role
    from app.columns import utcnow

    operator = Principal(subject=f"cli:{getpass.getuser()}", role=Role.admin, region=None)
    note = AuditNote(principal=operator, action=action, target_type="account", target_id=account_id)
    write(session, note, status=201, at=utcnow(), request_id=None, client_address=None)


@cli.command("create-user")
def create_user(
    username: Annotated[str, typer.Option(help="Login name")],
    password: Annotated[str, typer.Option(help="At least 12 characters", prompt=True, hide_input=True)],
    role: Annotated[str, typer.Option(help="board, inspectorate, practitioner, researcher or admin")],
    region: Annotated[str | None, typer.Option(help="The board's region code")] = None,
) -> None:
    """Create a person's account (to bootstrap: then admins manage accounts through /api/v1/accounts)."""
    from app.accounts import service

    def make(session: Session) -> Any:
        user = service.create_user(session, username=username, password=password, role=role, region=region)
        _audit_from_the_shell(session, "account:create", user.id)
        return user

    user = _in_session(make)
    typer.echo(f"created user {user.username} ({user.role}{', ' + user.region if user.region else ''})")


@cli.command("create-client")
def create_client(
    client_id: Annotated[str, typer.Option(help="The client's id")],
    role: Annotated[str, typer.Option(help="board, inspectorate, practitioner, researcher or admin")],
    region: Annotated[str | None, typer.Option(help="The board's region code")] = None,
) -> None:
    """Create an API client for a system; prints its secret once."""
    from app.accounts import service

    def make(session: Session) -> Any:
        made = service.create_client(session, client_id=client_id, role=role, region=region)
        _audit_from_the_shell(session, "account:create", made[0].client_id)
        return made

    client, secret = _in_session(make)
    typer.echo(f"client_id={client.client_id}")
    typer.echo(f"client_secret={secret}")
    typer.echo("Keep the secret now: the registry stores only its hash.", err=True)


search_cli = typer.Typer(help="The search index: drain the outbox, rebuild the index.", no_args_is_help=True)
cli.add_typer(search_cli, name="search")


@search_cli.command("drain")
def search_drain(
    follow: Annotated[bool, typer.Option(help="Keep draining (a sidecar); safe to run several")] = False,
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between passes with --follow")] = 2.0,
) -> None:
    """Index what the search outbox holds."""
    with _registry() as registry, contextlib.suppress(KeyboardInterrupt):
        _drain(registry, follow=follow, interval=interval)


def _drain(registry: Registry, *, follow: bool, interval: float) -> None:
    import time

    from app.search.outbox import drain

    while True:
        # One pass on request retries everything now; a --follow sidecar respects the backoff.
        result = drain(registry.sessions, registry.search, now=registry.clock.now, include_postponed=not follow)
        if result.indexed or result.waiting or not follow:
            typer.echo(f"indexed {result.indexed}, waiting {result.waiting}", err=follow)
        if not follow:
            raise typer.Exit(1 if result.waiting else 0)
        time.sleep(interval)


@search_cli.command("reindex")
def search_reindex() -> None:
    """Rebuild the search index from the database into a new index, then swap to it."""
    from app.search.outbox import reindex

    with _registry() as registry:
        typer.echo(f"rebuilt: {reindex(registry.sessions, registry.search)}")


documents_cli = typer.Typer(help="Review documents: recover report text extractions.", no_args_is_help=True)
cli.add_typer(documents_cli, name="documents")


@documents_cli.command("recover")
def documents_recover() -> None:
    """Extract the text of every report left pending (a restart cut its extraction off); safe while the server runs."""
    from sqlalchemy.exc import SQLAlchemyError

    from app.documents import repository

    try:
        with _registry() as registry:
            tried = registry.recover_extractions()
            with registry.sessions() as session:
                left = repository.count_pending_reports(session)
    except SQLAlchemyError as exc:
        typer.echo(f"error: the database failed: {type(exc).__name__}; is it up and migrated (`registry migrate`)?", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"read {tried} pending report(s); {left} still pending")
    raise typer.Exit(1 if left else 0)


@cli.command("import")
def import_archive(
    folder: Annotated[
        Path,
        typer.Argument(
            exists=True, file_okay=False, dir_okay=True, readable=True, help="One JSON file per review, its PDFs beside it"
        ),
    ],
    as_name: Annotated[
        str, typer.Option("--as", help="Who the audit trail and history say imported it (import:NAME)")
    ] = "import",
    region: Annotated[str | None, typer.Option(help="Refuse the folder unless every review is this region's")] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="Reviews per committed batch")] = 100,
    check: Annotated[bool, typer.Option("--check", help="Only check the folder; import nothing")] = False,
) -> None:
    """Import a board's archive: check every file first, then load it in batches (run it again to resume)."""
    import re
    import time

    from sqlalchemy.exc import SQLAlchemyError

    from app.imports.reader import check_folder, scan
    from app.imports.service import Importer, ImportStopped, import_principal
    from app.migrations import schema_behind
    from app.registry import Registry
    from app.search.outbox import drain

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}", as_name):
        typer.echo("error: --as takes a name of letters, digits and . _ @ - (at most 100)", err=True)
        raise typer.Exit(2)
    registry = Registry.from_settings(_settings())
    settings = registry.settings
    progress = _Progress(enabled=sys.stdout.isatty())
    started = time.monotonic()
    try:
        with registry.engine.connect() as connection:
            if behind := schema_behind(connection):
                typer.echo(f"error: {behind}", err=True)
                raise typer.Exit(1)
        found = scan(folder)
        with progress, registry.sessions() as session:
            checking = progress.task("checking", len(found.files) + sum(len(f.documents) for f in found.files))
            checked = check_folder(
                session,
                found,
                region=region,
                limits=registry.pdf_limits,
                max_upload_bytes=settings.max_upload_mb << 20,
                workers=min(8, os.cpu_count() or 2),
                on_checked=checking,
            )
        for name in found.ignored:
            typer.echo(f"{name}: ignored (neither a review file nor a PDF)", err=True)
        if checked.problems:
            for problem in checked.problems:
                typer.echo(str(problem), err=True)
            files = len({p.file for p in checked.problems})
            typer.echo(f"{len(checked.problems)} problem(s) in {files} file(s); nothing was imported.", err=True)
            raise typer.Exit(1)
        typer.echo(f"checked {checked.total} review(s): {len(checked.to_import)} to import, {checked.present} already present")
        if unreported := checked.without_report:
            # Allowed for an archive (ADR 0035), never for a review published now: say which to complete.
            typer.echo(
                f"{len(unreported)} published review(s) come without their report ({unreported[0]}"
                f"{', ...' if len(unreported) > 1 else ''}): add each with PUT /api/v1/reviews/{{id}}/documents/report",
                err=True,
            )
        if check:
            return

        importer = Importer(registry, import_principal(as_name), batch_size=batch_size)
        total = len(checked.to_import)
        with progress:
            importing = progress.task("importing", total)
            try:
                loaded = importer.load(
                    checked.to_import,
                    on_review=lambda: importing(1),
                    on_batch=lambda done, of: None if progress.enabled else typer.echo(f"imported {done}/{of}"),
                )
            except ImportStopped as stopped:
                typer.echo(str(stopped.problem), err=True)
                typer.echo(
                    f"stopped: {stopped.imported} review(s) were imported before this one; its batch was rolled back. "
                    "Fix the problem and run the import again: it carries on where it stopped.",
                    err=True,
                )
                raise typer.Exit(1) from None
            except KeyboardInterrupt:
                typer.echo("interrupted: the batch in hand was rolled back; run the import again to carry on.", err=True)
                raise typer.Exit(130) from None

        # Everything waiting for search, this run's and any earlier interrupted run's.
        indexed = drain(registry.sessions, registry.search, now=registry.clock.now, include_postponed=True)
        if indexed.waiting:
            typer.echo(f"search: {indexed.waiting} change(s) wait for the index; run `registry search drain` later", err=True)
        seconds = time.monotonic() - started
        typer.echo(f"imported {loaded.imported}, {checked.present + loaded.present} already present ({seconds:.1f} s)")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()[0]
        typer.echo(f"error: the database failed: {reason}", err=True)
        raise typer.Exit(1) from None
    finally:
        registry.close()


class _Progress:
    """A progress bar on a terminal (rich, which typer already brings); nothing otherwise."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Progress | None = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=False
            )
            self._bar.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def task(self, description: str, total: int):  # type: ignore[no-untyped-def]
        if self._bar is None:
            return lambda advance: None
        bar, task_id = self._bar, self._bar.add_task(description, total=total)
        return lambda advance: bar.advance(task_id, advance)


@cli.command()
def backup(folder: Annotated[Path, typer.Argument(file_okay=False, help="A new or empty folder to back up into")]) -> None:
    """Back up the database and the documents, with a manifest to check them by; safe while the server runs."""
    from app.operations.backup import backup as back_up

    manifest = _operation(lambda registry: back_up(registry.engine, registry.documents, folder, now=registry.clock.now()))
    typer.echo(
        f"backed up {manifest.counts.get('review', 0)} review(s), {manifest.counts.get('revision', 0)} revision(s), "
        f"{manifest.counts.get('audit_event', 0)} audit row(s) and {len(manifest.documents)} file(s) into {folder}"
    )


@cli.command()
def restore(
    folder: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A folder `registry backup` wrote")],
) -> None:
    """Restore a backup into an empty database and an empty documents folder, then check it against its manifest."""
    from app.migrations import head_revision
    from app.operations.backup import restore as restore_from

    manifest, indexed_elsewhere = _operation(
        lambda registry: (
            restore_from(registry.engine, registry.documents, folder),
            not registry.search.indexes_in_transaction,
        )
    )
    typer.echo(
        f"restored {manifest.counts.get('review', 0)} review(s) and {len(manifest.documents)} file(s) "
        f"from the backup of {manifest.created_at}; run `registry verify`"
    )
    if manifest.alembic_revision != head_revision():
        typer.echo(f"the backup's schema is at {manifest.alembic_revision}: run `registry migrate`", err=True)
    if indexed_elsewhere:  # OpenSearch is not in the backup: its index is rebuilt from the database
        typer.echo("rebuild the search index: `registry search reindex`", err=True)


@cli.command()
def verify() -> None:
    """Check that nothing was lost: every document's file and checksum, no file without its row, every review's history."""
    from app.operations.verify import verify as check

    def run(registry: Registry) -> Any:
        with registry.sessions() as session:
            return check(session, registry.documents)

    result = _operation(run)
    for problem in result.problems:
        typer.echo(problem)
    typer.echo(
        f"checked {result.documents} document(s), {result.files} file(s) and the history of {result.reviews} review(s): "
        + ("all present" if result.ok else f"{len(result.problems)} problem(s)")
    )
    raise typer.Exit(0 if result.ok else 1)


def _operation[T](work: Callable[[Registry], T]) -> T:
    """An operation on the whole registry (backup, restore, verify): any failure a one-line reason."""
    from sqlalchemy.exc import SQLAlchemyError

    from app.operations.backup import OperationFailed

    try:
        with _registry() as registry:
            return work(registry)
    except OperationFailed as exc:
        typer.echo(f"error: {exc}", err=True)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()[0]
        typer.echo(f"error: the database failed: {reason}", err=True)
    except OSError as exc:
        typer.echo(f"error: {exc.strerror or type(exc).__name__}: {exc.filename or ''}", err=True)
    raise typer.Exit(1)


@cli.command("export-openapi")
def export_openapi(
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout")] = None,
) -> None:
    """Print the OpenAPI document the app serves."""
    text = openapi_text()
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)


def openapi_text() -> str:
    from app.main import create_app

    app = create_app(Settings(database_url="sqlite://", jwt_secret="x" * 48))
    return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
