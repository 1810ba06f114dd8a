"""Every /api/v1 router. Each operation reads the caller through PrincipalDep; what an anonymous
caller may do is decided by the policy table, which grants anonymous almost nothing."""

from fastapi import APIRouter, Depends

from app.accounts.router import own_router as own_account_router
from app.accounts.router import router as accounts_router
from app.action_plans.router import overdue_router
from app.action_plans.router import router as action_plans_router
from app.audit.router import router as audit_router
from app.auth.router import router as auth_router
from app.codings.router import router as codings_router
from app.documents.router import router as documents_router
from app.feeds.router import router as feeds_router
from app.guards import reject_nul_in_url, reject_unknown_query_parameters, require_json_body
from app.imports.router import router as imports_router
from app.recommendations.router import router as recommendations_router
from app.redactions.router import router as redactions_router
from app.reviews.router import router as reviews_router
from app.search.router import router as search_router
from app.vocab.router import router as vocab_router

API_PREFIX = "/api/v1"

# Every operation refuses a query parameter it does not declare (422 `unknown-parameter`).
api_router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(reject_nul_in_url), Depends(reject_unknown_query_parameters)])
api_router.include_router(auth_router)  # takes an OAuth2 form, not JSON
api_router.include_router(documents_router)  # takes multipart uploads
api_router.include_router(imports_router)  # takes a multipart archive
for router in (
    vocab_router,
    reviews_router,
    action_plans_router,
    overdue_router,
    search_router,
    recommendations_router,
    feeds_router,
    codings_router,
    redactions_router,
    audit_router,
    accounts_router,
    own_account_router,
):
    api_router.include_router(router, dependencies=[Depends(require_json_body)])
