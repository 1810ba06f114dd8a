"""A small corpus of anonymised reviews whose words the search tests look for."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests import flows

# (region, reference, status, changes): several regions, years, kinds and statuses.
CORPUS: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "gwent",
        "GW 1/2019",
        "published",
        {
            "completed_on": "2019-03-01",
            "themes": ["information-sharing-and-recording"],
            "summary": "Chronologies were missing and records were not shared between agencies.",
            "full_text": "The health visitor kept notes but no chronology existed. Information sharing failed.",
        },
    ),
    (
        "gwent",
        "GW 2/2021",
        "published",
        {
            "completed_on": "2021-06-01",
            "themes": ["hierarchy-of-knowledge"],
            "summary": "The father was not consulted; professionals relied on the mother's account.",
            "full_text": "Fathers were not consulted at any stage. Tunnel vision shaped the assessment.",
        },
    ),
    (
        "north-wales",
        "NW 3/2021",
        "published",
        {
            "completed_on": "2021-09-01",
            "themes": ["voice-of-the-child"],
            "review_type": "concise",
            "on_cp_register_6m": False,
            "reviewers": [{"name": "Solo Reviewer"}],
            "summary": "The child was spoken to in front of parents; the child's lived experience was missed.",
            "full_text": "Practitioners did not hear the voice of the child. Chronologies were incomplete.",
        },
    ),
    (
        "cardiff-vale",
        "CV 4/2023",
        "published",
        {
            "completed_on": "2023-02-01",
            "themes": ["partial-assessment", "voice-of-the-child"],
            "summary": "A new partner was not followed up; the large family was assessed as one.",
            "full_text": "The mother's new partner was never assessed. Grandparents were expected to cope.",
        },
    ),
    (
        "cardiff-vale",
        "CV 5/2025",
        "published",
        {
            "kind": "susr",
            "review_type": None,
            "susr_criteria": ["cpr", "dhr"],
            "completed_on": "2025-01-15",
            "themes": ["information-sharing-and-recording"],
            "summary": "Domestic abuse was known to police; information was not shared with schools.",
            "full_text": "Fear of complaints and GDPR confusion stopped information sharing. The father's violence was recorded.",
        },
    ),
    (
        "gwent",
        "GW 6/2024",
        "submitted",
        {
            "completed_on": "2024-04-01",
            "themes": ["hierarchy-of-knowledge"],
            "summary": "Medical evidence was prioritised even though it was inconclusive.",
            "full_text": "Chronologies were missing from the police file. The father was consulted late.",
        },
    ),
    (
        "north-wales",
        "NW 7/2024",
        "draft",
        {
            "completed_on": "2024-08-01",
            "themes": ["voice-of-the-child"],
            "summary": "Draft: the voice of the child was not heard by school staff.",
            "full_text": "Chronologies were missing; this draft is not yet submitted.",
        },
    ),
]

# Queries whose answers every backend must agree on.
QUERIES = [
    "chronologies missing",
    '"fathers were not consulted"',
    "father consulted",
    "voice of the child",
    "information sharing -police",
    "partner OR grandparents",
    "tunnel vision",
    "Chronology",
    "gdpr",
    "the of and",
    "-",
    "🙂",
    '"unterminated phrase',
    "AND OR NOT",
]


# Plain recommendations, so that only the texts above decide what matches.
RECOMMENDATIONS = [
    {"ref": "R1", "text": "Agencies review their practice together.", "level": "regional_board"},
    {"ref": "R2", "text": "The board audits progress within a year.", "level": "agency"},
]


def build(client: TestClient, token_for: Any) -> dict[str, dict[str, Any]]:
    """Create the corpus through the API; returns the reviews by reference."""
    reviews = {}
    for region, reference, status, changes in CORPUS:
        board = token_for("board", region)
        reviews[reference] = flows.review_in(
            client, board, status, region=region, reference=reference, recommendations=RECOMMENDATIONS, **changes
        )
    return reviews


# --- reviews a caller may not read ---------------------------------------------------------------
# Each is full of the words of QUERIES (and of words no readable review has), in every field. A
# caller's answers must be the same with or without them (issue 9: relevance must not count them).
_FLOOD = (
    "chronologies missing fathers were not consulted father consulted voice of the child information "
    "sharing police partner grandparents tunnel vision gdpr chronology withdrawn secret "
)
HIDDEN_CHANGES: dict[str, Any] = {
    "title": "Child H chronologies father voice information partner tunnel gdpr",
    "summary": _FLOOD * 3,
    "full_text": _FLOOD * 200,
    "themes": ["voice-of-the-child", "hierarchy-of-knowledge"],
    "completed_on": "2022-05-01",
    "recommendations": [
        {"ref": "R1", "text": _FLOOD, "level": "regional_board"},
        {"ref": "R2", "text": _FLOOD, "level": "agency"},
    ],
}
QUERIES_FOR_HIDDEN = [*QUERIES, "withdrawn", "secret chronologies", "gdpr OR tunnel", "father voice"]

# Who may not read what, from the domain rules (docs/domain.md), not from the code under test:
# (region, status) of reviews hidden from each caller. `published-expired` is published but past
# its public window.
HIDDEN_FROM: dict[str, list[tuple[str, str]]] = {
    "anonymous": [
        ("gwent", "draft"),
        ("gwent", "submitted"),
        ("north-wales", "withdrawn"),
        ("west-glamorgan", "published-expired"),
    ],
    "practitioner": [("gwent", "draft"), ("north-wales", "submitted"), ("cardiff-vale", "withdrawn")],
    "board:gwent": [
        ("north-wales", "draft"),
        ("north-wales", "submitted"),
        ("gwent", "withdrawn"),
        ("west-glamorgan", "withdrawn"),
    ],
    "inspectorate": [("gwent", "draft"), ("north-wales", "draft"), ("west-glamorgan", "draft")],
}


def add_hidden(client: TestClient, token_for: Any, clock: Any, caller: str) -> list[str]:
    """Add the reviews hidden from `caller`; returns their ids. The clock ends where it started."""
    ids = []
    for n, (region, status) in enumerate(HIDDEN_FROM[caller]):
        board = token_for("board", region)
        reference = f"HID {n}/2022"
        if status == "published-expired":
            clock.advance(days=-200)  # published long enough ago to be past its 84-day window now
            review = flows.review_in(client, board, "published", region=region, reference=reference, **HIDDEN_CHANGES)
            clock.advance(days=200)
        elif status == "withdrawn":
            review = flows.review_in(client, board, "published", region=region, reference=reference, **HIDDEN_CHANGES)
            response = client.post(
                f"{flows.API}/reviews/{review['id']}/withdraw", json={"reason": "Identifying detail."}, headers=board
            )
            assert response.status_code == 200, response.text
        else:
            review = flows.review_in(client, board, status, region=region, reference=reference, **HIDDEN_CHANGES)
        ids.append(review["id"])
    return ids


def headers_of(token_for: Any, caller: str) -> dict[str, str]:
    if caller == "anonymous":
        return {}
    role, _, region = caller.partition(":")
    return token_for(role, region or None)


# Welsh words with each of the diacritics Welsh writes (ŵ ŷ â ê î ô û ï ë), and each as it is
# typed on a keyboard without them.
WELSH = {
    "ŵyr": "wyr",
    "tŷ": "ty",
    "tân": "tan",
    "gêm": "gem",
    "mîn": "min",
    "ôl": "ol",
    "sûr": "sur",
    "copïo": "copio",
    "ffoëdig": "ffoedig",
}


# Reviews with Welsh beside English, and one written in Welsh (its report in Welsh): the questions
# the Welsh index answers on its own terms (ADR 0045), with the references each must find. No
# apostrophes ("teulu'n"): the OpenSearch stand-in ignores the char filter that splits them.
BILINGUAL: list[tuple[str, dict[str, Any]]] = [
    (
        "GW CY 1/2025",
        {
            "title_cy": "Plentyn L",
            "summary": "The father was not consulted and chronologies were missing.",
            "summary_cy": "Ni siaradwyd â thad y plentyn. Cân am dŷ y teulu oedd hi.",
            "recommendations": [
                {
                    "ref": "R1",
                    "text": "Agencies keep a shared chronology for every child.",
                    "text_cy": "Dylai asiantaethau gadw cronolegau a rennir ar gyfer pob plentyn.",
                    "level": "agency",
                },
                {"ref": "R2", "text": "Practitioners seek the views of fathers.", "level": "agency"},
            ],
        },
    ),
    ("GW CY 2/2025", {"summary": "Agencies can share chronologies; health visitors did not."}),
    (
        "GW CY 3/2025",
        {
            "language": "cy",
            "title": "Child M",
            "title_cy": "Plentyn M",
            "summary": "Child M's family moved five times.",
            "summary_cy": "Roedd y maes chwarae yn agos at y cartref.",
            "recommendations": [
                {
                    "ref": "R1",
                    "text": "Agencies share records when a family moves.",
                    "text_cy": "Mae asiantaethau yn rhannu cofnodion pan fydd y teulu yn symud.",
                    "level": "agency",
                },
                {"ref": "R2", "text": "Practitioners ask the child what they want.", "level": "agency"},
            ],
            "full_text": "Adroddiad llawn. Symudodd y teulu bum gwaith; ni rannwyd y cronolegau rhwng asiantaethau.",
        },
    ),
]
BILINGUAL_QUESTIONS: dict[str, set[str]] = {
    "cân": {"GW CY 1/2025"},  # "can" once folded: an English stopword, a Welsh word ("song")
    "can": {"GW CY 1/2025"},  # dropped from the English reading ("Agencies can share"); the Welsh finds "cân"
    "cronolegau": {"GW CY 1/2025", "GW CY 3/2025"},  # a recommendation's Welsh; a Welsh report
    "maes": {"GW CY 3/2025"},  # not "mae": the English stemmer would make "maes" "mae"
    "symudodd teulu": {"GW CY 3/2025"},  # a Welsh report is indexed as Welsh
    "siaradwyd a thad": {"GW CY 1/2025"},  # "a" is kept, and "â" folds to it
    "chronologies": {"GW CY 1/2025", "GW CY 2/2025"},  # English as before
    "plentyn -maes": {"GW CY 1/2025"},
}


def build_bilingual(client: TestClient, token_for: Any) -> dict[str, str]:
    """The bilingual reviews, published in Gwent: their ids by reference."""
    board = token_for("board", "gwent")
    return {
        reference: flows.review_in(client, board, "published", reference=reference, **changes)["id"]
        for reference, changes in BILINGUAL
    }


def search(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    """The answer of GET /search, which must be a 200."""
    response = client.get(f"{flows.API}/search", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def refs(answer: dict[str, Any], corpus: dict[str, dict[str, Any]]) -> set[str]:
    """The references of the corpus's reviews among the answer's items."""
    by_id = {review["id"]: ref for ref, review in corpus.items()}
    return {by_id[item["id"]] for item in answer["items"]}
