"""GET /regions and GET /vocabularies (open to anyone), and their extension by admins."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.auth.dependencies import PrincipalDep
from app.errors import problem_responses
from app.sessions import SessionDep
from app.vocab import service
from app.vocab.enums import Vocabulary
from app.vocab.schemas import RegionCreate, RegionOut, Term, TermCreate, Vocabularies

router = APIRouter(tags=["vocabularies"])


@router.get("/regions", operation_id="list_regions", summary="The regional safeguarding boards")
def list_regions(session: SessionDep) -> list[RegionOut]:
    return service.list_regions(session)


@router.post(
    "/regions",
    operation_id="create_region",
    summary="Add a region (admin)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 409),
)
def create_region(session: SessionDep, principal: PrincipalDep, body: RegionCreate) -> RegionOut:
    return service.create_region(session, principal=principal, data=body)


@router.get("/vocabularies", operation_id="list_vocabularies", summary="Every controlled vocabulary and its codes")
def list_vocabularies(session: SessionDep) -> Vocabularies:
    return service.vocabularies(session)


@router.post(
    "/vocabularies/{vocabulary}/terms",
    operation_id="add_term",
    summary="Add a code to an extensible vocabulary (admin)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 409),
)
def add_term(session: SessionDep, principal: PrincipalDep, vocabulary: Vocabulary, body: TermCreate) -> Term:
    return service.add_term(session, principal=principal, vocabulary=vocabulary, data=body)
