"""What each problem `type` the registry sends means, and what the caller should do about it.

`/problems/{name}` (app/problem_pages.py) serves these; tests/test_problem_pages.py checks that
every type the code can send is here, and that docs/integrating.md lists them all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: str
    status: int
    meaning: str
    what_to_do: str


_TYPES = (
    ProblemType(
        "bad-request",
        "Bad request",
        400,
        "The request could not be understood as sent.",
        "Check the request against the OpenAPI document (/api/v1/openapi.json) and send it again corrected.",
    ),
    ProblemType(
        "validation-error",
        "Invalid request",
        422,
        "One or more fields, query parameters or headers are invalid: the wrong type, too long, missing, "
        "an unknown vocabulary code, a bad cursor. Each is an item of `errors`, with its `code`, `location` "
        "and `field` (and a JSON `pointer` for the body). Nothing was changed.",
        "Correct every field named in `errors` and send the request again. Match on `errors[].code`, "
        "not on the wording of `detail`.",
    ),
    ProblemType(
        "submission-rejected",
        "The review cannot be submitted yet",
        422,
        "The review breaks one or more submission rules: no action plan, no recommendations, a "
        "recommendation no action answers, the wrong review type for the child's circumstances, too few "
        "reviewers, or a field a submitted review must have; or a correction would leave it breaking one; or it "
        "is to be published without its report (`report-required`). Every broken rule is an item of `errors`. "
        "Nothing was changed: a draft stays a draft, a submitted review stays submitted.",
        "Fix each rule named in `errors` (edit the draft, PUT its action plan, correct the correction, or upload "
        "the report), then send the request again.",
    ),
    ProblemType(
        "authentication-required",
        "Authentication required",
        401,
        "The operation needs a bearer token and the request has none.",
        "Get a token from POST /api/v1/auth/token and send it as `Authorization: Bearer <token>`.",
    ),
    ProblemType(
        "invalid-token",
        "Invalid token",
        401,
        "The `Authorization` header cannot be used: the token has expired, is not one the registry signed, "
        "was ended by a change to its account (deactivated, a new role, region, password or secret), "
        "or the header is not `Bearer <token>`. An unusable header is never read as anonymous.",
        "Get a new token from POST /api/v1/auth/token (tokens last 15 minutes by default) and repeat the request.",
    ),
    ProblemType(
        "forbidden",
        "Forbidden",
        403,
        "You may read this resource, but your role or region does not allow this change.",
        "Ask someone whose role allows it (for a board's review: that board, or an administrator). "
        "Repeating the request will not help.",
    ),
    ProblemType(
        "not-found",
        "Not found",
        404,
        "There is nothing at this address that you may see. A record you may not read answers exactly "
        "like one that does not exist.",
        "Check the id and the address. If you expected to see it, sign in with an account entitled to it.",
    ),
    ProblemType(
        "method-not-allowed",
        "Method not allowed",
        405,
        "The address exists but does not take this HTTP method.",
        "Use one of the methods the `Allow` header lists.",
    ),
    ProblemType(
        "not-acceptable",
        "Not acceptable",
        406,
        "The registry cannot answer in any media type the `Accept` header allows.",
        "Accept application/json (and application/problem+json for errors).",
    ),
    ProblemType(
        "conflict",
        "Conflict",
        409,
        "The change conflicts with a record that already exists, such as a duplicate reference or id.",
        "Read the existing record; use another reference, or change the existing record instead.",
    ),
    ProblemType(
        "invalid-transition",
        "Not allowed in the current status",
        409,
        "The review's current status does not allow this operation (for example, editing a published "
        "review, or submitting one twice).",
        "Read the review to see its status; docs/domain.md (the life of a review) says which operations each status allows.",
    ),
    ProblemType(
        "gone",
        "Gone",
        410,
        "The document's file held text an administrator redacted from the review, so it is no longer kept "
        "(ADR 0038). Its version and its place in the history stay; its bytes do not.",
        "Download the document's current version: a redacted upload replaces such a file.",
    ),
    ProblemType(
        "precondition-failed",
        "Precondition failed",
        412,
        "The `If-Match` ETag is no longer the current version: someone changed the resource after you "
        "read it. Nothing was changed.",
        "Read the resource again, reapply your change to what you read, and send it with the new ETag.",
    ),
    ProblemType(
        "precondition-required",
        "Precondition required",
        428,
        "Writes to an existing resource need `If-Match` with the ETag you read, so nobody's change is "
        "overwritten. The request had none, or its `If-Match` was not an ETag: ETags are quoted "
        '(`If-Match: "3"`, not `If-Match: 3`).',
        "Send `If-Match` with the ETag header of your last read, quotes included.",
    ),
    ProblemType(
        "payload-too-large",
        "Payload too large",
        413,
        "The body is over the limit: 8 MB for JSON and forms, 25 MB for a PDF upload (both configurable).",
        "Send a smaller body; split a bulk change into several requests.",
    ),
    ProblemType(
        "unsupported-media-type",
        "Unsupported media type",
        415,
        "The body is not of a type the operation takes: JSON operations take application/json, and "
        "document uploads take only PDF files.",
        "Send the body with the right `Content-Type` (application/json), or upload a PDF.",
    ),
    ProblemType(
        "too-many-attempts",
        "Too many attempts",
        429,
        "Too many sign-in attempts for this account or from this address in the current window. The attempt was not checked.",
        "Wait the number of seconds in `Retry-After`, then try again with the right credentials. Do not retry in a loop.",
    ),
    ProblemType(
        "invalid-token-request",
        "Invalid token request",
        400,
        "OAuth 2.0 `invalid_request`: the token request is missing a field its grant needs, has an invalid "
        "field, sends client credentials in two places (the Basic header and the form), or is not "
        "form-encoded (application/x-www-form-urlencoded).",
        "Send a form with grant_type and the grant's fields; a client authenticates with HTTP Basic or "
        "with client_id and client_secret in the form, not both.",
    ),
    ProblemType(
        "unsupported-grant-type",
        "Unsupported grant type",
        400,
        "OAuth 2.0 `unsupported_grant_type`: grant_type is missing or is not one the registry issues.",
        "Use grant_type=client_credentials for systems, or grant_type=password for people.",
    ),
    ProblemType(
        "invalid-grant",
        "Invalid username or password",
        400,
        "OAuth 2.0 `invalid_grant`: the username or password is wrong, or the account is disabled. The "
        "answer does not say which.",
        "Check the credentials. Repeated failures are slowed down (429).",
    ),
    ProblemType(
        "invalid-client",
        "Client authentication failed",
        401,
        "OAuth 2.0 `invalid_client`: the client id or secret is wrong, the client is disabled, or the "
        "`Authorization: Basic` header could not be read (it is base64 of the form-urlencoded "
        "client_id, a colon and the form-urlencoded client_secret).",
        "Check the client id and secret `registry create-client` printed. A lost secret cannot be "
        "recovered: ask an operator for a new client.",
    ),
    ProblemType(
        "service-unavailable",
        "Service unavailable",
        503,
        "The database, or the document store, is not answering. Nothing was changed.",
        "Try again after the number of seconds in `Retry-After`.",
    ),
    ProblemType(
        "document-damaged",
        "The document's file is damaged",
        500,
        "The registry holds the document's record, but the file its checksum names is missing or holds "
        "other bytes, so it is not served as the document. Nothing was changed.",
        "Report it to the registry's operators, quoting the `request_id`: `registry verify` names the "
        "file, and a backup restores it.",
    ),
    ProblemType(
        "internal-error",
        "Internal error",
        500,
        "Something went wrong on the registry's side.",
        "Report it to the registry's operators, quoting the `request_id` (the X-Request-ID header).",
    ),
    ProblemType(
        "http-error",
        "HTTP error",
        400,
        "An HTTP-level refusal the registry has no more specific type for; the status says what it was.",
        "Read the status and `detail`; report it, with the `request_id`, if it is unexpected.",
    ),
)

PROBLEM_TYPES: dict[str, ProblemType] = {problem.slug: problem for problem in _TYPES}


@dataclass(frozen=True)
class WelshProblem:
    title: str
    detail: str


# Each type's title and a detail saying what happened, in Welsh: what a problem document carries
# for `Accept-Language: cy` (its English detail, which names the particulars, goes in `detail_en`).
# Drafted by the registry's developers; awaiting a translator's review, as the seeded labels are.
WELSH: dict[str, WelshProblem] = {
    "bad-request": WelshProblem("Cais gwallus", "Nid oedd modd deall y cais fel y'i anfonwyd."),
    "validation-error": WelshProblem(
        "Cais annilys",
        "Mae un neu ragor o'r meysydd, paramedrau'r ymholiad neu'r penawdau yn annilys: mae `errors` yn enwi "
        "pob un. Ni newidiwyd dim.",
    ),
    "submission-rejected": WelshProblem(
        "Ni ellir cyflwyno'r adolygiad eto",
        "Mae'r adolygiad yn torri un neu ragor o'r rheolau cyflwyno: mae `errors` yn enwi pob un. Ni newidiwyd dim.",
    ),
    "authentication-required": WelshProblem("Mae angen dilysu", "Mae angen tocyn cludwr o POST /api/v1/auth/token ar gyfer hyn."),
    "invalid-token": WelshProblem("Tocyn annilys", "Mae'r tocyn cludwr yn annilys neu wedi dod i ben."),
    "forbidden": WelshProblem("Gwaharddedig", "Nid yw eich rôl na'ch rhanbarth yn caniatáu hyn. Ni newidiwyd dim."),
    "not-found": WelshProblem("Heb ei ganfod", "Nid yw'n bodoli, neu ni chewch ei weld."),
    "method-not-allowed": WelshProblem(
        "Dull heb ei ganiatáu", "Nid yw'r cyfeiriad hwn yn derbyn y dull HTTP hwn: mae `Allow` yn enwi'r rhai y mae'n eu derbyn."
    ),
    "not-acceptable": WelshProblem("Annerbyniol", "Ni all y gofrestrfa ateb yn y math o gyfrwng y gofynnwyd amdano."),
    "conflict": WelshProblem("Gwrthdaro", "Mae'r cais yn gwrthdaro â chyflwr presennol y cofnod. Ni newidiwyd dim."),
    "invalid-transition": WelshProblem(
        "Ni chaniateir hyn yn y statws presennol",
        "Nid yw statws presennol yr adolygiad yn caniatáu'r cam hwn. Ni newidiwyd dim.",
    ),
    "gone": WelshProblem("Wedi mynd", "Nid yw'r ffeil yn cael ei chadw mwyach: roedd yn dal testun a dynnwyd o'r cofnod."),
    "precondition-failed": WelshProblem(
        "Methodd y rhagamod", "Mae `If-Match` yn enwi fersiwn nad yw'n gyfredol mwyach. Ni newidiwyd dim."
    ),
    "precondition-required": WelshProblem(
        "Mae angen rhagamod", "Mae angen pennawd `If-Match` gyda'r ETag o'ch darlleniad diwethaf. Ni newidiwyd dim."
    ),
    "payload-too-large": WelshProblem("Llwyth rhy fawr", "Mae corff y cais yn rhy fawr. Ni newidiwyd dim."),
    "unsupported-media-type": WelshProblem(
        "Math o gyfrwng heb ei gefnogi", "Nid yw'r gofrestrfa'n derbyn y math hwn o gynnwys yma. Ni newidiwyd dim."
    ),
    "too-many-attempts": WelshProblem(
        "Gormod o ymdrechion", "Bu gormod o ymdrechion: rhowch gynnig arall ar ôl yr eiliadau yn `Retry-After`."
    ),
    "invalid-token-request": WelshProblem("Cais tocyn annilys", "Nid yw'r cais am docyn yn gyflawn nac yn ddilys."),
    "unsupported-grant-type": WelshProblem(
        "Math o ganiatâd heb ei gefnogi", "Nid yw'r gofrestrfa'n cefnogi'r math hwn o ganiatâd (`grant_type`)."
    ),
    "invalid-grant": WelshProblem(
        "Enw defnyddiwr neu gyfrinair annilys", "Nid yw'r enw defnyddiwr a'r cyfrinair yn cyfateb i gyfrif gweithredol."
    ),
    "invalid-client": WelshProblem("Methodd dilysu'r cleient", "Nid oedd modd dilysu'r cleient API."),
    "service-unavailable": WelshProblem(
        "Gwasanaeth ddim ar gael",
        "Nid yw'r gronfa ddata, y storfa ddogfennau na'r chwilio yn ateb. Ni newidiwyd dim: rhowch gynnig arall ar ôl "
        "yr eiliadau yn `Retry-After`.",
    ),
    "document-damaged": WelshProblem(
        "Mae ffeil y ddogfen wedi'i difrodi",
        "Mae ffeil y ddogfen ar goll neu'n dal beitiau eraill, felly nid yw'n cael ei gweini. Ni newidiwyd dim.",
    ),
    "internal-error": WelshProblem(
        "Gwall mewnol", "Aeth rhywbeth o'i le ar ochr y gofrestrfa: dyfynnwch `request_id` wrth roi gwybod amdano."
    ),
    "http-error": WelshProblem("Gwall HTTP", "Gwrthodiad ar lefel HTTP: mae'r statws yn dweud beth ydoedd."),
}


# What an item of `errors[]` with this code says in Welsh (its English `detail`, which names the
# particulars, goes in the item's `detail_en`). Codes without one keep their English detail.
# Drafted by the registry's developers; awaiting a translator's review.
WELSH_ERRORS: dict[str, str] = {
    # The framework's checks of a field.
    "missing": "Mae angen y maes hwn.",
    "extra_forbidden": "Nid yw'r maes hwn yn rhan o'r cais: tynnwch ef.",
    "too_short": "Mae'r gwerth yn rhy fyr.",
    "too_long": "Mae'r gwerth yn rhy hir.",
    "string_too_short": "Mae'r testun yn rhy fyr.",
    "string_too_long": "Mae'r testun yn rhy hir.",
    "string_type": "Dylai'r gwerth fod yn destun.",
    "string_pattern_mismatch": "Nid yw'r testun ar y ffurf a ddisgwylir.",
    "enum": "Nid yw'r gwerth yn un o'r rhai a ganiateir.",
    "literal_error": "Nid yw'r gwerth yn un o'r rhai a ganiateir.",
    "int_parsing": "Dylai'r gwerth fod yn rhif cyfan.",
    "int_type": "Dylai'r gwerth fod yn rhif cyfan.",
    "bool_type": "Dylai'r gwerth fod yn wir neu'n gau (true neu false).",
    "bool_parsing": "Dylai'r gwerth fod yn wir neu'n gau (true neu false).",
    "date_parsing": "Dylai'r gwerth fod yn ddyddiad (BBBB-MM-DD).",
    "date_from_datetime_parsing": "Dylai'r gwerth fod yn ddyddiad (BBBB-MM-DD).",
    "greater_than_equal": "Mae'r rhif yn rhy fach.",
    "less_than_equal": "Mae'r rhif yn rhy fawr.",
    "list_type": "Dylai'r gwerth fod yn rhestr.",
    "dict_type": "Dylai'r gwerth fod yn wrthrych JSON.",
    "model_attributes_type": "Dylai'r gwerth fod yn wrthrych JSON.",
    "json_invalid": "Nid yw'r corff yn JSON dilys.",
    "body_unreadable": "Nid oedd modd darllen y corff fel JSON na data ffurflen.",
    "unknown-parameter": "Nid yw'r gweithrediad hwn yn derbyn y paramedr ymholiad hwn.",
    "invalid-cursor": "Nid yw'r cyrchwr yn un a roddodd y gofrestrfa ar gyfer yr ymholiad hwn.",
    # The registry's rules.
    "unknown-code": "Nid yw'r cod yn ei eirfa: mae GET /api/v1/vocabularies yn eu rhestru.",
    "kind-mismatch": "Nid yw meysydd yr adolygiad yn gweddu i'w fath (CPR neu SUSR).",
    "duplicate": "Mae'r rhestr yn enwi'r un eitem ddwywaith.",
    "welsh-title-required": "Mae angen title_cy ar adolygiad a ysgrifennwyd yn Gymraeg (language cy).",
    "date_in_future": "Mae'r dyddiad yn y dyfodol.",
    "action-plan-required": "Mae angen cynllun gweithredu ar yr adolygiad cyn ei gyflwyno.",
    "recommendations-required": "Mae angen o leiaf un argymhelliad ar yr adolygiad.",
    "recommendation-not-addressed": "Nid oes cam gweithredu yn y cynllun yn ateb yr argymhelliad hwn.",
    "review-type-mismatch": "Nid yw math yr adolygiad yn gweddu i amgylchiadau'r plentyn.",
    "reviewer-count": "Nid oes gan yr adolygiad ddigon o adolygwyr.",
    "missing-field": "Mae angen y maes hwn ar adolygiad a gyflwynwyd.",
    "report-required": "Mae angen yr adroddiad ar yr adolygiad cyn ei gyhoeddi.",
    "unknown-recommendation": "Nid yw'r argymhelliad yn un o argymhellion yr adolygiad.",
    "empty-patch": "Nid yw'r newid yn gofyn am ddim.",
    "reason-required": "Mae angen rheswm dros y cywiriad hwn.",
    "correction-changes-nothing": "Nid yw'r cywiriad yn newid dim.",
    "text-not-found": "Nid yw'r testun yn unman yn yr adolygiad na'i hanes; ni newidiwyd dim.",
}
