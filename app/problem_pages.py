"""GET /problems/{name}: every problem `type` the registry sends resolves to a page that says
what it means and what to do. JSON by default; HTML for clients that prefer it (browsers)."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from app.errors import PROBLEM_BASE, NotFound, problem_responses
from app.problem_types import PROBLEM_TYPES, ProblemType

router = APIRouter(prefix=PROBLEM_BASE.rstrip("/"), tags=["problems"])

# The pages change only with the code: cacheable, and (like every answer) never framed or scripted.
_PAGE_HEADERS = {
    "Cache-Control": "public, max-age=3600",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Vary": "Accept",
}


class ProblemTypeOut(BaseModel):
    """What one problem type means, and what to do about it."""

    type: str = Field(examples=["/problems/precondition-failed"])
    title: str
    status: int = Field(description="The HTTP status this problem is usually sent with.")
    meaning: str
    what_to_do: str


@router.get(
    "/{name}",
    operation_id="get_problem_type",
    summary="What a problem type means and what to do about it",
    description="Every problem's `type` (`/problems/<name>`) resolves here. Anyone may call it. "
    "Answers JSON, or an HTML page when the `Accept` header prefers text/html.",
    response_model=ProblemTypeOut,
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}, **problem_responses(404)},
)
async def get_problem_type(name: str, request: Request) -> Response:
    problem = PROBLEM_TYPES.get(name)
    if problem is None:
        raise NotFound("There is no problem type of that name; docs/integrating.md lists them all.")
    if _prefers_html(request.headers.get("accept", "")):
        return HTMLResponse(_page(problem), headers=_PAGE_HEADERS)
    return JSONResponse(_described(problem).model_dump(), headers=_PAGE_HEADERS)


def _described(problem: ProblemType) -> ProblemTypeOut:
    return ProblemTypeOut(
        type=PROBLEM_BASE + problem.slug,
        title=problem.title,
        status=problem.status,
        meaning=problem.meaning,
        what_to_do=problem.what_to_do,
    )


def _prefers_html(accept: str) -> bool:
    """True when the Accept header gives text/html a higher quality than application/json."""
    return _quality(accept, "text/html") > _quality(accept, "application/json")


def _quality(accept: str, media_type: str) -> float:
    """The q of the most specific range in `accept` that matches `media_type` (RFC 9110 12.5.1)."""
    kind = media_type.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for entry in accept.split(","):
        media_range, *parameters = (part.strip().lower() for part in entry.split(";"))
        specificity = {media_type: 2, f"{kind}/*": 1, "*/*": 0}.get(media_range)
        if specificity is None or specificity < best[0]:
            continue
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        best = (specificity, quality)
    return best[1]


def _page(problem: ProblemType) -> str:
    """A small page with no external assets: every value escaped."""
    title, slug = escape(problem.title), escape(problem.slug)
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title} - Safeguarding Reviews Registry</title></head>
<body>
<main>
<h1>{title}</h1>
<p>Problem type <code>{escape(PROBLEM_BASE)}{slug}</code>, usually sent with HTTP status {problem.status}.</p>
<h2>What it means</h2>
<p>{escape(problem.meaning)}</p>
<h2>What to do</h2>
<p>{escape(problem.what_to_do)}</p>
</main>
</body>
</html>
"""
