"""The OpenAPI document as third-party clients need it (issue 10): FastAPI's generated document,
shaped so that a client generated from it (openapi-python-client, openapi-typescript) works
unmodified. Each step names the generator trouble it prevents."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.auth.dependencies import SCHEME, TOKEN_URL
from app.auth.policies import PERMISSIONS, READ_GRANTS, Permission, Scope
from app.auth.principals import Role
from app.errors import PROBLEM_MEDIA_TYPE, problem_schema_response
from app.openapi_examples import EXAMPLES, Named
from app.schemas import NO_NUL
from app.search.backend import DIMENSIONS
from app.search.router import DIMENSION_SCHEMA

# Form bodies get names that read well in generated code (FastAPI calls them Body_<operation>).
BODY_NAMES = {"Body_upload_document": "DocumentUpload", "Body_issue_token": "TokenRequest", "Body_create_import": "ImportUpload"}

TAGS = [
    {"name": "auth", "description": "Tokens (OAuth 2.0 password and client-credentials grants), and who you are."},
    {
        "name": "reviews",
        "description": "Child Practice Reviews and SUSRs: drafts, submission, publication, withdrawal, revisions.",
    },
    {
        "name": "action plans",
        "description": "A review's action plan, one action per recommendation, and progress on each action.",
    },
    {"name": "documents", "description": "A review's PDFs (its report first), under the review's own rules."},
    {
        "name": "imports",
        "description": "A board's archive of reviews uploaded at once (a zip of the import folder, or NDJSON), each "
        "published as of its real publication date, imported whole or not at all by a job you poll.",
    },
    {"name": "search", "description": "Full-text search, trends and overdue actions across every region you may read."},
    {
        "name": "feeds",
        "description": "Saved searches, each with an Atom feed of its newest matches read as its owner, and the public "
        "Atom feed of published reviews.",
    },
    {
        "name": "recommendations",
        "description": "Recommendations across reviews: the similar ones of other reviews, and a search over them alone.",
    },
    {
        "name": "codings",
        "description": "Researchers' coding of reviews against the learning themes, each from a perspective, and the "
        "agreement between coders.",
    },
    {"name": "vocabularies", "description": "Regions and the coded vocabularies (themes, agencies, ...)."},
    {
        "name": "accounts",
        "description": "Users and API clients, managed by admins: create, read, deactivate and reactivate, change a role "
        "or region, reset a password, rotate a secret. Each change ends the account's tokens at once. And your own "
        "password.",
    },
    {"name": "audit", "description": "Who did what, to which record, and how it ended (the inspectorate and admins)."},
    {"name": "health", "description": "Liveness, readiness and metrics, for operators."},
    {"name": "problems", "description": "What each problem `type` means and what to do about it."},
]

# Who may call each operation (rendered from the policy tables, so it cannot drift from them), and
# the rules it applies that JSON Schema cannot say. Every rule broken answers a 422 problem.
READ = "read"  # whoever may read the review (READ_GRANTS)
ANYONE = "anyone"
SIGNED_IN = "signed-in"
FEED_TOKEN = "feed-token"  # whoever holds the saved search's feed token (a capability, no bearer token)
ACCESS: dict[str, Permission | str] = {
    "issue_token": ANYONE,
    "get_me": SIGNED_IN,
    "list_regions": ANYONE,
    "list_vocabularies": ANYONE,
    "create_region": Permission.vocabularies_manage,
    "add_term": Permission.vocabularies_manage,
    "set_welsh_label": Permission.vocabularies_manage,
    "list_reviews": READ,
    "get_review": READ,
    "get_action_plan": READ,
    "list_documents": READ,
    "download_document": READ,
    "list_corrections": READ,
    "correct_review": Permission.review_correct,
    "create_redaction": Permission.review_redact,
    "download_document_version": Permission.revisions_read,
    "create_review": Permission.review_create,
    "update_review": Permission.review_edit,
    "submit_review": Permission.review_submit,
    "publish_review": Permission.review_publish,
    "withdraw_review": Permission.review_withdraw,
    "reinstate_review": Permission.review_reinstate,
    "list_revisions": Permission.revisions_read,
    "put_action_plan": Permission.action_plan_write,
    "update_action": Permission.action_progress_write,
    "upload_document": Permission.review_edit,
    "search_reviews": Permission.search,
    "get_trends": Permission.trends,
    "get_similar_recommendations": Permission.search,
    "search_recommendations": Permission.search,
    "list_overdue_actions": Permission.overdue_read,
    "list_audit_events": Permission.audit_read,
    "list_saved_searches": Permission.saved_searches,
    "create_saved_search": Permission.saved_searches,
    "delete_saved_search": Permission.saved_searches,
    "rotate_saved_search_token": Permission.saved_searches,
    "revoke_saved_search_token": Permission.saved_searches,
    "get_saved_search_feed": FEED_TOKEN,
    "get_published_feed": ANYONE,
    "create_coding": Permission.codings_write,
    "list_codings": Permission.codings_write,
    "update_coding": Permission.codings_write,
    "delete_coding": Permission.codings_write,
    "get_coding_agreement": Permission.codings_agreement,
    "create_account": Permission.accounts_manage,
    "list_accounts": Permission.accounts_manage,
    "get_account": Permission.accounts_manage,
    "update_account": Permission.accounts_manage,
    "reset_password": Permission.accounts_manage,
    "rotate_client_secret": Permission.accounts_manage,
    "clear_sign_in_throttle": Permission.accounts_manage,
    "change_own_password": SIGNED_IN,
    "create_import": Permission.reviews_import,
    "get_import": Permission.reviews_import,
    "list_imports": Permission.reviews_import,
    "get_liveness": ANYONE,
    "get_readiness": ANYONE,
    "get_metrics": ANYONE,
    "get_problem_type": ANYONE,
}
RULES: dict[str, str] = {
    "create_review": "The region must exist and be the board's own. The reference is unique within its region (409). "
    "Every code (themes, agencies, abuse categories, SUSR criteria) must be in its vocabulary (`unknown-code`).",
    "update_review": "Only a draft is edited. The body is a JSON merge patch (RFC 7396): `null` clears a field. "
    "`If-Match` is required (428 without it, 412 when stale).",
    "submit_review": "Every submission rule is checked at once and every broken one is listed in `errors`: an action plan "
    "(`action-plan-required`) with an action for every recommendation (`recommendation-not-addressed`), at least one "
    "recommendation (`recommendations-required`), a CPR's type from the child's circumstances (`review-type-mismatch`: "
    "extended when on the child protection register or looked after in the 6 months before, else concise), at least "
    "2 reviewers for an extended review and 1 otherwise (`reviewer-count`), and the fields a submission needs "
    "(`missing-field`).",
    "publish_review": "Only a submitted review is published, and only with its report (`report-required`, a "
    "`submission-rejected` problem). Publication opens its public window (84 days), during which anyone may read it.",
    "create_redaction": "Removes the text from the review in any status: it is replaced, in any letter case where it "
    "stands as whole words, by `[redacted]` in the review's fields, its actions and progress notes, its codings, every "
    "revision of them and both search indexes (ADR 0038). `text` (3 to 1000 characters) is never stored, logged or "
    "audited; `reason` is kept in the audit and in the redaction's own revision, which says where the text was. The "
    "answer lists the documents whose files still hold it (`documents_to_replace`): replace each with a redacted "
    "upload, with a reason. A text found nowhere is refused (`text-not-found`, nothing changed). `If-Match` is "
    "required (428 without it, 412 when stale).",
    "correct_review": "Only a submitted or published review is corrected (a draft is edited with PATCH). `reason` is "
    "required and every reader of the review sees it. `changes` is a JSON merge patch (RFC 7396; the body may be sent "
    "as `application/merge-patch+json` or `application/json`) of the review's content but its `kind` and `status`; "
    "`region` moves the review to another board, for admins only (403 otherwise). The corrected review must still "
    "keep every submission rule (`submission-rejected`, nothing changed) and every recommendation an action "
    "answers (`unknown-recommendation`), its codes must be in their vocabularies "
    "(`unknown-code`), and its reference unique in its region, a withdrawn review's included (409). A correction that "
    "changes nothing is refused (`correction-changes-nothing`). `If-Match` is required (428 without it, 412 when "
    "stale). It is recorded as a revision with its reason and author.",
    "list_corrections": "Every correction after submission (of the review's fields, a replaced document, a revised "
    "action): when, why and what. `corrected_by` is given only to those who may read the review's revisions.",
    "download_document_version": "`version` is one that the document's revisions name (GET /reviews/{id}/revisions, "
    "entity `document`), or its current one. A superseded file is never deleted.",
    "withdraw_review": "A reason is required. The review is kept whole and hidden from all but the inspectorate and admins.",
    "reinstate_review": "A withdrawn review returns to the status it had.",
    "put_action_plan": "While the review is a draft. Each action's `recommendation_ref` must be one of the review's "
    "recommendations, and `lead_agency` an agency code. Replacing a plan needs its `If-Match`.",
    "update_action": "Send the action's `etag` as `If-Match`. An action keeps at most 200 progress entries. A revised "
    "`target_date` or `description` needs a `reason` (`reason-required`), a `reason` a revision (`nothing-revised`); "
    "its entry keeps the values it had, and it is listed with the review's corrections.",
    "upload_document": "A PDF, checked by its content (not its name), at most 25 MB, without active content (JavaScript, "
    "launch actions, embedded files). Replacing a document needs its `If-Match`. A report's text is read after the "
    "answer and becomes searchable. A submitted or published review may gain a kind it lacks; replacing one of its "
    "documents is a correction and needs `reason` (`reason-required`). A withdrawn review's documents are not "
    "changed (409). The superseded file stays downloadable at /documents/{kind}/versions/{version}.",
    "get_trends": "Below the inspectorate, counts of 1 to 4 are hidden, with enough others to stop subtraction; "
    "a share or a median (`measure`) is hidden likewise when its `denominator` is 1 to 4. A `coded_theme` filter "
    "or bucket takes in every theme under the theme: by `coded_theme`, a review counts once under each theme it "
    "was coded with and once under each theme above them, so buckets of one family overlap.",
    "list_overdue_actions": "A board sees its own region's; naming another `region` is a 403. `min_days` may not be "
    "greater than `max_days` (`invalid-days`).",
    "get_similar_recommendations": "Only recommendations of other reviews you may read, sharing at least one term "
    "with this one. The score is the Dice coefficient of the two term sets (lower-cased words without stopwords): it "
    "depends on the pair alone, on every search backend. Ties come newest first, then by review id and position. "
    "An anonymous caller gets 401; a review you may not read, or a ref it does not have, 404.",
    "search_recommendations": "Only recommendations of reviews you may read, and `total` counts only those. Newest "
    "review first (completed_on), then by review id and position. Answered from the database on every search backend. "
    "`q` matches whole words of the recommendation, not stems.",
    "create_coding": "On a review you may read that is submitted or published (409 otherwise). `theme` is a "
    "`learning_theme` code and `perspective` a `perspective` code (`unknown-code`). The quote must be exactly the "
    "text at `start:end` (Unicode code points, end exclusive) of the location as it is now (`quote-mismatch`, "
    "`offsets-out-of-range`, `no-text`, `unknown-recommendation`). `document_kind` is `report` only: its extracted "
    "text is the review's `full_text`.",
    "list_codings": "Your own codings only, so that coders code independently. `coder=all` shows every coder's, "
    "to the inspectorate and admins (403 for others).",
    "update_coding": "Your own codings only (403 for another's). A JSON merge patch; a new quote or location is "
    "checked against the text as it is now, as when coding. `If-Match` is required (428 without it, 412 when stale).",
    "delete_coding": "Your own codings only (403 for another's). `If-Match` is required (428 without it, 412 when "
    "stale). The history keeps what it was.",
    "get_coding_agreement": "Over the reviews you may read that two or more coders coded (any theme). A coder "
    "carries a theme on a review if they coded it, or any theme under it, there at least once; one who coded the "
    "review but not the theme "
    "says absent. `cohen_kappa` for two coders; for more, `fleiss_kappa` when every coder coded every review "
    "counted, else `krippendorff_alpha` (nominal). `value` is null, with a `reason`, when it is undefined.",
    "search_reviews": "Relevance depends on the review alone: 10 for a word in the title, 4 in the summary or "
    "recommendations, 1 in the report's text.",
    "create_saved_search": "The filters are those of GET /search; a region, theme, age band or coded theme must exist "
    "(`unknown-code`). An account keeps at most 100 saved searches. The feed's token is in this answer only: the "
    "registry keeps its hash.",
    "delete_saved_search": "Only your own; anyone else's answers 404.",
    "rotate_saved_search_token": "Only your own. The new token is in this answer only; the old one answers 404 from now on.",
    "revoke_saved_search_token": "Only your own. The feed answers 404 until the token is rotated.",
    "get_saved_search_feed": "At most the 50 newest matches, by when each became readable as it is now (published on "
    "its publication date, submitted when submitted). What the owner may read today, with the role and region the "
    "owner saved it with, exactly as GET /search would find it. A wrong, rotated or revoked token answers 404.",
    "create_account": "A body with `username` and `password` makes a user; one with `client_id` (and no password) "
    "an API client, whose secret is in this answer only: the registry keeps its hash. `role` is an account role; a "
    "board has its `region` (`region-required`) and no other role has one (`region-not-allowed`); the region must "
    "exist (`unknown-code`). A password has at least 12 characters (`too-short`). Usernames and client ids are "
    "unique across both kinds (409).",
    "list_accounts": "Users by username, then API clients by client id. Never a password, a hash or a secret.",
    "update_account": "A JSON merge patch of `active`, `role` and `region`: `active: false` deactivates, `true` "
    "reactivates. The role and region follow create_account's rules. Every change ends every token the account holds: "
    "each is refused (401) on its next use, on every replica. The last active admin cannot be deactivated or given "
    "another role (409). `If-Match` is required (428 without it, 412 when stale).",
    "reset_password": "Users only (409 for a client). At least 12 characters (`too-short`). Ends the user's tokens.",
    "rotate_client_secret": "API clients only (409 for a user). The new secret is in this answer only; the old one and "
    "every token issued with it stop working at once.",
    "clear_sign_in_throttle": "Sign-ins are counted per account name and address, and per address (ADR 0036). "
    "This forgets the counts of the account's name from every address, so it may try again at once from anywhere; "
    "with `address`, also that address's own count (every name tried from it). Audited. 204 even when nothing was "
    "counted.",
    "change_own_password": "Users only (409 for an API client). `current_password` must be the one you sign in with "
    "(`wrong-password`), checked under the sign-in throttle (429 with `Retry-After`, counted with sign-ins). The new one "
    "has at least 12 characters (`too-short`). Every token of the account ends, this one too: sign in again.",
    "create_import": "The archive is a .zip of the folder `registry import` reads (review files and their PDFs, at the "
    "top of the zip or in one folder), or NDJSON with one review file's JSON a line. A zip is refused at once (422) if it "
    "is unreadable or empty, or has a path with `..` or a root, a link, an encrypted entry, a file that is neither .json "
    "nor .pdf, or more files or more bytes unpacked than the registry takes (by default 2000 files and 1 GB); the upload "
    "itself may be at most 200 MB by default (413). A board "
    "imports its own region's reviews only. The job then checks every file as the CLI does (`problems`, each with its "
    "file in `location`), and imports nothing if any is wrong; otherwise it imports the whole archive in one "
    "transaction. A review whose region and reference are already in the registry is left as it is and counted in "
    "`already_present`, so uploading the same archive again imports nothing. A published review keeps its "
    "`published_on`, and its public window runs from that date.",
    "get_import": "A board reads its own region's jobs; an admin every job. Others' jobs answer 404.",
    "list_imports": "A board lists its own region's jobs; an admin every job.",
    "get_published_feed": "At most the 50 most recently published reviews inside their public window: what anyone may read.",
}

# What JSON Schema cannot say about an operation's input (a code must be in a vocabulary an admin
# extends at run time, a cursor must be one the API gave out, two fields must agree): a request the
# document admits may still be refused 422 for these, and only these, `errors[].code`s. Each is in
# the operation's description and its `x-beyond-schema`; tests/test_fuzz.py holds every other
# schema-valid request to being accepted. An operation with a `cursor` also has `invalid-cursor`.
SUBMISSION_CODES = (
    "action-plan-required",
    "recommendations-required",
    "recommendation-not-addressed",
    "review-type-mismatch",
    "reviewer-count",
    "missing-field",
)
PDF_CODES = ("pdf-damaged", "pdf-encrypted", "pdf-too-slow", "pdf-too-costly", "pdf-active-content")
ARCHIVE_CODES = (
    "not-an-archive",
    "not-a-zip",
    "empty-archive",
    "unsafe-path",
    "unsafe-entry",
    "unexpected-file",
    "nested-folders",
    "duplicate-file",
    "too-many-files",
    "too-large-uncompressed",
)
# A review's content: codes in their vocabularies, fields that fit its kind, a recommendation's ref
# once, a Welsh title for a review written in Welsh, and a completion date that is not in the future.
REVIEW_CONTENT_CODES = ("unknown-code", "kind-mismatch", "duplicate", "welsh-title-required", "date_in_future")
# A coding: its theme and perspective in their vocabularies, and a quote that is the text at its place.
CODING_CODES = (
    "unknown-code",
    "one-place-required",
    "offsets-reversed",
    "quote-mismatch",
    "offsets-out-of-range",
    "no-text",
    "unknown-recommendation",
)
BEYOND_SCHEMA: dict[str, tuple[str, ...]] = {
    "create_review": REVIEW_CONTENT_CODES,
    "update_review": REVIEW_CONTENT_CODES,
    "correct_review": (
        *REVIEW_CONTENT_CODES,
        "unknown-recommendation",
        "correction-changes-nothing",
        *SUBMISSION_CODES,
    ),
    "submit_review": SUBMISSION_CODES,
    "publish_review": ("report-required",),
    "put_action_plan": ("unknown-code", "unknown-recommendation"),
    "update_action": ("empty-patch", "reason-required", "nothing-revised", "too-many-progress-notes"),
    "create_coding": CODING_CODES,
    "update_coding": ("required", *CODING_CODES),
    "list_codings": ("invalid-coder",),
    "get_coding_agreement": ("unknown-code",),
    "create_redaction": ("text-not-found",),
    "upload_document": ("reason-required", *PDF_CODES),
    "add_term": ("unknown-code",),
    "list_reviews": ("unknown-code",),
    "search_reviews": ("unknown-code",),
    "search_recommendations": ("unknown-code",),
    "get_trends": ("unknown-code", "invalid-group-by"),
    "list_overdue_actions": ("unknown-code", "invalid-days"),
    "create_saved_search": ("unknown-code", "too-many-saved-searches"),
    "create_account": ("unknown-code", "region-required", "region-not-allowed"),
    "update_account": ("unknown-code", "region-required", "region-not-allowed"),
    "change_own_password": ("wrong-password",),
    "create_import": ARCHIVE_CODES,
}

_HEADERS = {
    "401": {"WWW-Authenticate": "Says the token is missing or why it was refused (`Bearer error=...`)."},
    "429": {"Retry-After": "Seconds to wait before trying again."},
    "503": {"Retry-After": "Seconds to wait before trying again."},
}


def build(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=TAGS,
        servers=[{"url": "/", "description": "This registry (paths start /api/v1)"}],
        contact={"name": "Safeguarding Reviews Registry"},
        license_info={
            "name": "Open Government Licence v3.0",
            "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        },
    )
    components = schema["components"]
    for name in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(name, None)
    _declare_both_grants(components)
    components["schemas"][DIMENSION_SCHEMA] = {
        "type": "string",
        "enum": list(DIMENSIONS),
        "title": DIMENSION_SCHEMA,
        "description": "What GET /trends groups reviews by.",
    }
    for path in schema["paths"].values():
        for method, operation in path.items():
            _declare_security(operation)
            _describe_access(operation)
            _declare_beyond_schema(operation)
            _no_nul_in_parameters(operation)
            _require_if_match_on_patch(method, operation)
            _describe_problems(operation)
            _describe_binary_bodies(operation)
            _add_examples(operation)
    _binary_file_fields(components)
    return _renamed(schema, BODY_NAMES)


def _declare_both_grants(components: dict[str, Any]) -> None:
    """Board systems use the client-credentials grant, people the password grant: both are real."""
    components["securitySchemes"][SCHEME]["flows"] = {
        "password": {"tokenUrl": TOKEN_URL, "scopes": {}},
        "clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": {}},
    }
    components["securitySchemes"][SCHEME]["description"] = "A bearer token from `POST /api/v1/auth/token`."


def _declare_security(operation: dict[str, Any]) -> None:
    """An operation with no token dependency is public: `security: []` says so (an absent one means
    'undeclared' to linters). Optional-token operations declare themselves in their router."""
    operation.setdefault("security", [])


def _describe_access(operation: dict[str, Any]) -> None:
    operation_id = operation["operationId"]
    parts = [operation.get("description", "").strip(), f"**Who may call it:** {_who(ACCESS[operation_id])}."]
    if operation_id in RULES:
        parts.append(f"**Rules:** {RULES[operation_id]}")
    operation["description"] = "\n\n".join(part for part in parts if part)


def _declare_beyond_schema(operation: dict[str, Any]) -> None:
    codes = list(BEYOND_SCHEMA.get(operation["operationId"], ()))
    if any(parameter["name"] == "cursor" for parameter in operation.get("parameters", [])):
        codes.append("invalid-cursor")
    if codes:
        operation["x-beyond-schema"] = codes
        listed = ", ".join(f"`{code}`" for code in codes)
        operation["description"] += (
            f"\n\n**Checked beyond this schema:** a request it admits is still refused 422 `validation-error` "
            f"with one of these `errors[].code`s: {listed} (each explained at `/problems/validation-error`)."
        )


def _no_nul_in_parameters(operation: dict[str, Any]) -> None:
    """A NUL in the path or query is refused (`nul-character`) before any route runs: every free-text
    parameter says so with a pattern."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] not in ("path", "query"):
            continue
        schema = parameter["schema"]
        for branch in schema.get("anyOf", [schema]):
            if branch.get("type") == "string" and not {"pattern", "enum", "format", "const"} & branch.keys():
                branch["pattern"] = NO_NUL


def _who(access: Permission | str) -> str:
    if access == ANYONE:
        return "anyone, without a token"
    if access == SIGNED_IN:
        return "any signed-in caller"
    if access == FEED_TOKEN:
        return "whoever holds the feed's token (in `token`; no bearer token)"
    if access == READ:
        readers = []
        for role, grants in READ_GRANTS.items():
            for grant in grants:
                statuses = " or ".join(sorted(grant.statuses))
                where = " of its own region" if grant.own_region_only else ""
                when = " inside its public window" if grant.within_public_window else ""
                readers.append(f"{role} ({statuses}{where}{when})")
        return "whoever may read the review: " + "; ".join(readers) + ". Others get 404, as if it did not exist"
    roles = [
        f"{role.value}" + (" (its own region)" if scope is Scope.own_region else "")
        for role, permissions in PERMISSIONS.items()
        if isinstance(access, Permission) and (scope := permissions.get(access)) is not None and role is not Role.anonymous
    ]
    return ", ".join(roles)


# Operations other than PATCH that answer 428 to every request without If-Match.
IF_MATCH_ALWAYS = {"correct_review", "create_redaction"}


def _require_if_match_on_patch(method: str, operation: dict[str, Any]) -> None:
    """A header is a string, never null. Every PATCH (and a correction) answers 428 without If-Match,
    so a generated client must ask for it; a PUT or lifecycle step needs it only when replacing (its
    description says)."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "header" and parameter["name"] == "If-Match":
            parameter["schema"] = {"type": "string", "maxLength": 200, "title": "If-Match"}
            parameter["required"] = method == "patch" or operation.get("operationId") in IF_MATCH_ALWAYS


def _describe_problems(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    for status, response in list(responses.items()):
        content = response.get("content", {})
        if content.get(PROBLEM_MEDIA_TYPE, {}).get("schema"):  # a problem schema of its own (TokenError)
            response["content"] = {PROBLEM_MEDIA_TYPE: content[PROBLEM_MEDIA_TYPE]}
        elif PROBLEM_MEDIA_TYPE in content or "HTTPValidationError" in json.dumps(content):
            responses[status] = problem_schema_response(status)
    implied = ["500"]
    if operation.get("operationId") != "get_liveness":
        implied.append("503")
    if operation.get("security"):
        implied.append("401")  # any caller may send a bad or expired token
    if (operation.get("parameters") or operation.get("requestBody")) and "400" not in responses:
        implied.append("422")  # the token endpoint answers bad input with OAuth's 400 instead
    body = operation.get("requestBody", {}).get("content", {})
    if "application/json" in body:
        implied += ["413", "415"]
    elif body:
        implied.append("413")
    for status in implied:
        responses.setdefault(status, problem_schema_response(status))
    for status, headers in _HEADERS.items():
        if status in responses:
            responses[status]["headers"] = {
                name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()
            }
    operation["responses"] = dict(sorted(responses.items()))


def _describe_binary_bodies(operation: dict[str, Any]) -> None:
    """A download's bytes as binary: without a schema, generators drop the response entirely."""
    for response in operation.get("responses", {}).values():
        for media_type, content in response.get("content", {}).items():
            if media_type == "application/pdf":
                content["schema"] = {"type": "string", "format": "binary"}


def _add_examples(operation: dict[str, Any]) -> None:
    for (operation_id, where), example in EXAMPLES.items():
        if operation_id != operation["operationId"]:
            continue
        part = operation["requestBody"] if where == "request" else operation["responses"][where]
        for content in part["content"].values():
            if isinstance(example, Named):
                content["examples"] = {
                    name: {"summary": summary, "value": value} for name, (summary, value) in example.examples.items()
                }
            else:
                content["example"] = example


def _binary_file_fields(components: dict[str, Any]) -> None:
    """Uploaded files as `format: binary` (OpenAPI 3.0 style, which generators read) besides 3.1's
    `contentMediaType`: without it openapi-python-client sends the file as a text field."""
    for name in BODY_NAMES:
        for field in components["schemas"].get(name, {}).get("properties", {}).values():
            if "contentMediaType" in field:
                field["format"] = "binary"


def _renamed(schema: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    text = json.dumps(schema)
    for old, new in names.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    renamed: dict[str, Any] = json.loads(text)
    component_schemas = renamed["components"]["schemas"]
    for old, new in names.items():
        if old in component_schemas:
            component_schemas[new] = component_schemas.pop(old) | {"title": new}
    renamed["components"]["schemas"] = dict(sorted(component_schemas.items()))
    return renamed
