"""GET /regions and GET /vocabularies (open to anyone), and their extension by admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from app.auth.dependencies import PrincipalDep
from app.errors import problem_responses
from app.etags import with_etag
from app.language import spoken_in
from app.parameters import IfMatch, LanguageDep
from app.registry import ClockDep
from app.sessions import SessionDep
from app.vocab import service
from app.vocab.enums import AnyVocabulary, Vocabulary
from app.vocab.schemas import RegionCreate, RegionOut, Term, TermCreate, Vocabularies, WelshLabelIn

router = APIRouter(tags=["vocabularies"])


# The answer's words follow Accept-Language.
_SPOKEN: dict[int | str, dict[str, Any]] = {
    200: {"headers": {"Content-Language": {"description": "`en` or `cy`", "schema": {"type": "string"}}}}
}


@router.get(
    "/regions",
    operation_id="list_regions",
    summary="The regional safeguarding boards, named in English and Welsh",
    responses=_SPOKEN,
)
def list_regions(session: SessionDep, language: LanguageDep, response: Response) -> list[RegionOut]:
    response.headers.update(spoken_in(language))
    return service.list_regions(session, language)


@router.post(
    "/regions",
    operation_id="create_region",
    summary="Add a region (admin)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 409),
)
def create_region(session: SessionDep, principal: PrincipalDep, body: RegionCreate) -> RegionOut:
    return service.create_region(session, principal=principal, data=body)


@router.get(
    "/vocabularies",
    operation_id="list_vocabularies",
    summary="Every controlled vocabulary and its codes, labelled in English and Welsh",
    responses=_SPOKEN,
)
def list_vocabularies(session: SessionDep, language: LanguageDep, response: Response) -> Vocabularies:
    response.headers.update(spoken_in(language))
    return service.vocabularies(session, language)


@router.post(
    "/vocabularies/{vocabulary}/terms",
    operation_id="add_term",
    summary="Add a code to an extensible vocabulary (admin)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 409),
)
def add_term(session: SessionDep, principal: PrincipalDep, vocabulary: Vocabulary, body: TermCreate, clock: ClockDep) -> Term:
    return service.add_term(session, principal=principal, vocabulary=vocabulary, data=body, clock=clock)


@router.put(
    "/vocabularies/{vocabulary}/terms/{code}/labels/cy",
    operation_id="set_welsh_label",
    summary="Correct or confirm a term's Welsh label (admin, for the translator; If-Match required): it is then reviewed",
    responses={**with_etag(200, "The term, its Welsh label reviewed"), **problem_responses(403, 404, 412, 428)},
)
def set_welsh_label(
    session: SessionDep,
    principal: PrincipalDep,
    vocabulary: AnyVocabulary,
    code: Annotated[str, Path(min_length=1, max_length=64)],
    body: WelshLabelIn,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> Term:
    term = service.set_welsh_label(
        session, principal=principal, vocabulary=vocabulary, code=code, label=body.label, if_match=if_match, clock=clock
    )
    response.headers["ETag"] = term.welsh_label_etag
    return term
