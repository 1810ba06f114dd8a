"""/saved-searches (an account's own), their Atom feeds, and /feeds/published."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status

from app.auth.dependencies import PrincipalDep
from app.errors import problem_responses
from app.feeds import atom, service
from app.feeds.models import SavedSearch
from app.feeds.schemas import SavedSearchCreate, SavedSearchList, SavedSearchOut, SavedSearchWithToken
from app.registry import ClockDep, RegistryDep
from app.sessions import SessionDep

router = APIRouter(tags=["feeds"])

SavedSearchId = Annotated[str, Path(min_length=1, max_length=64, description="The saved search's id")]
FeedToken = Annotated[
    str, Query(min_length=1, max_length=128, description="The feed's secret token, from its creation or last rotation")
]


class AtomResponse(Response):
    media_type = atom.MEDIA_TYPE


ATOM_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An Atom 1.0 feed (RFC 4287)",
        "content": {atom.MEDIA_TYPE: {"schema": {"type": "string"}}},
    }
}


def _with_token(request: Request, saved: SavedSearch, token: str) -> SavedSearchWithToken:
    url = request.url_for("get_saved_search_feed", saved_search_id=saved.id).include_query_params(token=token)
    return SavedSearchWithToken(**SavedSearchOut.from_model(saved).model_dump(), feed_token=token, feed_url=str(url))


def _atom(request: Request, content: service.FeedContent, self_link: str) -> AtomResponse:
    base = str(request.base_url).rstrip("/")
    feed = atom.Feed(
        id=atom.urn_of("feed", content.key),
        title=content.title,
        updated=content.updated,
        self_link=self_link,
        entries=[
            atom.Entry(
                id=atom.urn_of("review", item.review.id),
                title=f"{item.review.reference}: {item.review.title}",
                updated=item.since,
                link=f"{base}{request.url_for('get_review', review_id=item.review.id).path}",
                summary=item.review.summary,
                author=f"{item.review.region} safeguarding board",
                categories=(
                    (f"{base}/api/v1/vocabularies#status", item.review.status),
                    (f"{base}/api/v1/regions", item.review.region),
                ),
            )
            for item in content.items
        ],
    )
    return AtomResponse(atom.render(feed))


@router.get(
    "/saved-searches",
    operation_id="list_saved_searches",
    summary="Your saved searches, newest first (never their tokens)",
    responses=problem_responses(403),
)
def list_saved_searches(session: SessionDep, principal: PrincipalDep) -> SavedSearchList:
    return SavedSearchList(items=[SavedSearchOut.from_model(s) for s in service.list_saved(session, principal=principal)])


@router.post(
    "/saved-searches",
    operation_id="create_saved_search",
    summary="Save a search; the answer shows its feed's address and token, this once",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403),
)
def create_saved_search(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, clock: ClockDep, body: SavedSearchCreate
) -> SavedSearchWithToken:
    saved, token = service.create(session, principal=principal, data=body, clock=clock)
    response.headers["Location"] = f"{request.url.path}/{saved.id}"
    response.headers["Cache-Control"] = "no-store"
    return _with_token(request, saved, token)


@router.delete(
    "/saved-searches/{saved_search_id}",
    operation_id="delete_saved_search",
    summary="Delete one of your saved searches (its feed goes with it)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403, 404),
)
def delete_saved_search(saved_search_id: SavedSearchId, session: SessionDep, principal: PrincipalDep) -> Response:
    service.delete(session, principal=principal, saved_search_id=saved_search_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/saved-searches/{saved_search_id}/token",
    operation_id="rotate_saved_search_token",
    summary="Give your saved search's feed a new token (shown this once); the old one stops working",
    responses=problem_responses(403, 404),
)
def rotate_saved_search_token(
    saved_search_id: SavedSearchId, request: Request, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> SavedSearchWithToken:
    saved, token = service.rotate_token(session, principal=principal, saved_search_id=saved_search_id, clock=clock)
    return _with_token(request, saved, token)


@router.delete(
    "/saved-searches/{saved_search_id}/token",
    operation_id="revoke_saved_search_token",
    summary="Revoke your saved search's feed token: its feed answers 404 until a new token is issued",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403, 404),
)
def revoke_saved_search_token(saved_search_id: SavedSearchId, session: SessionDep, principal: PrincipalDep) -> Response:
    service.revoke_token(session, principal=principal, saved_search_id=saved_search_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/saved-searches/{saved_search_id}/feed",
    name="get_saved_search_feed",
    operation_id="get_saved_search_feed",
    summary="The Atom feed of a saved search's newest matches its owner may read (the token is the key, no bearer token)",
    response_class=AtomResponse,
    responses={**ATOM_ANSWER, **problem_responses(404)},
)
def get_saved_search_feed(
    saved_search_id: SavedSearchId,
    token: FeedToken,
    request: Request,
    registry: RegistryDep,
    session: SessionDep,
    clock: ClockDep,
) -> AtomResponse:
    content = service.saved_search_feed(
        session, saved_search_id=saved_search_id, token=token, backend=registry.search, clock=clock
    )
    # The self link carries no token: the document never repeats the secret (ADR 0029).
    return _atom(request, content, str(request.url.remove_query_params("token")))


@router.get(
    "/feeds/published",
    name="get_published_feed",
    operation_id="get_published_feed",
    summary="The public Atom feed of published reviews inside their public window, newest first",
    response_class=AtomResponse,
    responses=ATOM_ANSWER,
)
def get_published_feed(request: Request, session: SessionDep, clock: ClockDep) -> AtomResponse:
    return _atom(request, service.published_feed(session, clock=clock), str(request.url.replace(query="")))
