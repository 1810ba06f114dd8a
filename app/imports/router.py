"""/imports: a board's archive uploaded through the API, and the jobs that import it (ADR 0035)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Path, Request, Response, UploadFile, status

from app.auth.dependencies import PrincipalDep
from app.errors import problem_responses
from app.imports import jobs
from app.imports.schemas import ImportJobOut, ImportJobPage
from app.pagination import DEFAULT_LIMIT
from app.parameters import Cursor, Limit
from app.registry import RegistryDep
from app.sessions import SessionDep

router = APIRouter(prefix="/imports", tags=["imports"])

ImportJobId = Annotated[str, Path(min_length=1, max_length=64, description="The import job's id")]


@router.post(
    "",
    operation_id="create_import",
    summary="Upload an archive of reviews (a zip of the import folder, or NDJSON); answered 202 with its job",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        status.HTTP_202_ACCEPTED: {
            "description": "Accepted: the job checks, then imports, the archive; poll `Location`",
            "headers": {"Location": {"description": "The job, to poll", "schema": {"type": "string"}}},
        },
        **problem_responses(403, 413),
    },
)
def create_import(
    archive: Annotated[
        UploadFile, File(description="A .zip of the import folder (docs/integrating.md), or NDJSON (application/x-ndjson)")
    ],
    request: Request,
    response: Response,
    background: BackgroundTasks,
    registry: RegistryDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> ImportJobOut:
    job, folder = jobs.create(
        session,
        principal=principal,
        upload=archive.file,
        filename=archive.filename,
        content_type=archive.content_type,
        registry=registry,
    )
    background.add_task(jobs.run, registry, job_id=job.id, folder=folder)
    response.headers["Location"] = f"{request.url.path}/{job.id}"
    return ImportJobOut.from_model(job)


@router.get(
    "",
    operation_id="list_imports",
    summary="Your region's import jobs (every job, for admins), newest first",
    responses=problem_responses(403),
)
def list_imports(
    session: SessionDep, principal: PrincipalDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> ImportJobPage:
    rows, next_cursor = jobs.page(session, principal=principal, limit=limit, cursor=cursor)
    return ImportJobPage(items=[ImportJobOut.from_model(j) for j in rows], next_cursor=next_cursor)


@router.get(
    "/{job_id}",
    operation_id="get_import",
    summary="An import job: its status, progress, problems and result",
    responses=problem_responses(403, 404),
)
def get_import(job_id: ImportJobId, session: SessionDep, principal: PrincipalDep) -> ImportJobOut:
    return ImportJobOut.from_model(jobs.read(session, principal=principal, job_id=job_id))
