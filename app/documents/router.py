"""/reviews/{id}/documents: PDF uploads and downloads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Path, Response, UploadFile, status
from fastapi.responses import FileResponse

from app.auth.dependencies import TOKEN_OPTIONAL, PrincipalDep
from app.documents import service
from app.documents.enums import DocumentKind
from app.documents.schemas import DocumentOut, Reason
from app.errors import problem_responses
from app.etags import etag, with_etag
from app.parameters import IfMatch, ReviewId
from app.registry import ClockDep, RegistryDep
from app.sessions import SessionDep

router = APIRouter(prefix="/reviews/{review_id}/documents", tags=["documents"])


@router.get(
    "",
    operation_id="list_documents",
    summary="The documents of a review",
    openapi_extra=TOKEN_OPTIONAL,
    responses=problem_responses(404),
)
def list_documents(review_id: ReviewId, session: SessionDep, principal: PrincipalDep, clock: ClockDep) -> list[DocumentOut]:
    return [
        DocumentOut.from_model(d) for d in service.list_documents(session, principal=principal, review_id=review_id, clock=clock)
    ]


@router.put(
    "/{kind}",
    operation_id="upload_document",
    summary="Upload a review's document of this kind (a PDF, multipart field `file`)",
    responses={
        **with_etag(200, "The document was replaced"),
        status.HTTP_201_CREATED: {"model": DocumentOut, **with_etag(201, "The document was stored")[201]},
        **problem_responses(403, 404, 409, 412, 413, 415, 428),
    },
)
def upload_document(
    review_id: ReviewId,
    kind: DocumentKind,
    file: Annotated[UploadFile, File(description="The PDF")],
    registry: RegistryDep,
    response: Response,
    background: BackgroundTasks,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    reason: Annotated[
        Reason | None,
        Form(description="Why the document is replaced: required to replace one of a submitted or published review."),
    ] = None,
    if_match: IfMatch = None,
) -> DocumentOut:
    document, created = service.upload(
        session,
        principal=principal,
        review_id=review_id,
        kind=kind,
        filename=file.filename or f"{kind.value}.pdf",
        content=file.file,
        if_match=if_match,
        reason=reason,
        store=registry.documents,
        limits=registry.pdf_limits,
        clock=clock,
    )
    if kind is DocumentKind.report:
        background.add_task(registry.extract_then_index, review_id=review_id, sha256=document.sha256)
    if created:
        response.status_code = status.HTTP_201_CREATED
    response.headers["ETag"] = etag(document.version)
    return DocumentOut.from_model(document)


@router.get(
    "/{kind}",
    operation_id="download_document",
    summary="Download a review's document, under the review's own rules",
    response_class=FileResponse,
    openapi_extra=TOKEN_OPTIONAL,
    responses={
        200: {
            "content": {"application/pdf": {}},
            "description": "The PDF, as an attachment",
            "headers": {
                "ETag": {"description": "The document's version", "schema": {"type": "string"}},
                "X-Content-SHA256": {"description": "The SHA-256 of the bytes, in hex", "schema": {"type": "string"}},
            },
        },
        **problem_responses(404, 410),
    },
)
def download_document(
    review_id: ReviewId, kind: DocumentKind, registry: RegistryDep, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> FileResponse:
    document, path, filename = service.download(
        session, principal=principal, review_id=review_id, kind=kind, store=registry.documents, clock=clock
    )
    return FileResponse(
        path,
        media_type="application/pdf",
        filename=filename,
        headers={"ETag": etag(document.version), "X-Content-SHA256": document.sha256},
    )


@router.get(
    "/{kind}/versions/{version}",
    operation_id="download_document_version",
    summary="Download a document as it was at one of its versions (a superseded file too), for those who may read revisions",
    response_class=FileResponse,
    responses={
        200: {
            "content": {"application/pdf": {}},
            "description": "The PDF of that version, as an attachment",
            "headers": {
                "X-Content-SHA256": {"description": "The SHA-256 of the bytes, in hex", "schema": {"type": "string"}},
            },
        },
        **problem_responses(403, 404, 410),
    },
)
def download_document_version(
    review_id: ReviewId,
    kind: DocumentKind,
    version: Annotated[int, Path(ge=1, le=1_000_000, description="A version the document's revisions name")],
    registry: RegistryDep,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> FileResponse:
    found = service.download_version(
        session, principal=principal, review_id=review_id, kind=kind, version=version, store=registry.documents, clock=clock
    )
    return FileResponse(
        found.path, media_type="application/pdf", filename=found.filename, headers={"X-Content-SHA256": found.sha256}
    )
