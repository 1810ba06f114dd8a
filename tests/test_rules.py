"""The pure rules, tested directly, with no database and no HTTP: the policy table, small-number
suppression, the query parser and the submission rules. The API tests prove they are wired in;
these prove what each rule decides, case by case, in milliseconds."""

from __future__ import annotations

import sys
import unicodedata
from datetime import date, timedelta

import jsonschema_rs
import pytest

from app.auth.policies import Permission, allows, can_read, require
from app.auth.principals import ANONYMOUS, Principal, Role
from app.errors import AuthenticationRequired, Forbidden
from app.reviews.models import Review, ReviewTag
from app.reviews.rules import SUMMARY_MIN_WORDS, context_warnings, expected_review_type, submission_problems
from app.search.query import parse, to_fts5, to_websearch
from app.search.suppression import suppress
from app.text import (
    LINE_BREAK_CATEGORIES,
    LINE_BREAKS,
    REFUSED_CATEGORIES,
    first_refused,
    refused_characters,
    schema_of_text,
)

pytestmark = pytest.mark.database_independent

TODAY = date(2026, 6, 1)
GWENT_BOARD = Principal(subject="gwent", role=Role.board, region="gwent")


# --- The policy table ----------------------------------------------------------------------------

READERS = {
    "anonymous": ANONYMOUS,
    "own_board": GWENT_BOARD,
    "other_board": Principal(subject="nw", role=Role.board, region="north-wales"),
    "inspectorate": Principal(subject="i", role=Role.inspectorate),
    "practitioner": Principal(subject="p", role=Role.practitioner),
    "researcher": Principal(subject="r", role=Role.researcher),
    "admin": Principal(subject="a", role=Role.admin),
}

# A gwent review, by status and by whether today is inside its public window.
#              anonymous  own_board  other_board  inspectorate  practitioner  researcher  admin
CAN_READ = {
    ("draft", True): (0, 1, 0, 0, 0, 0, 1),
    ("submitted", True): (0, 1, 0, 1, 0, 0, 1),
    ("published", True): (1, 1, 1, 1, 1, 1, 1),
    ("published", False): (0, 1, 1, 1, 1, 1, 1),
    ("withdrawn", True): (0, 0, 0, 1, 0, 0, 1),
}


@pytest.mark.parametrize(("status", "in_window"), list(CAN_READ))
def test_who_may_read_a_review_by_its_status_and_public_window(status, in_window):
    public_until = TODAY + timedelta(days=1) if in_window else TODAY - timedelta(days=1)
    found = tuple(
        int(can_read(p, region="gwent", status=status, public_until=public_until, today=TODAY)) for p in READERS.values()
    )
    assert found == CAN_READ[(status, in_window)]


def test_the_public_window_includes_its_last_day_and_a_review_without_one_is_not_public():
    assert can_read(ANONYMOUS, region="gwent", status="published", public_until=TODAY, today=TODAY)
    assert not can_read(ANONYMOUS, region="gwent", status="published", public_until=None, today=TODAY)


def test_a_board_works_in_its_own_region_only_and_is_told_apart_from_an_anonymous_caller():
    assert allows(GWENT_BOARD, Permission.review_edit, region="gwent")
    assert not allows(GWENT_BOARD, Permission.review_edit, region="north-wales")
    assert allows(GWENT_BOARD, Permission.search, region="north-wales")  # reading is national
    with pytest.raises(Forbidden):
        require(GWENT_BOARD, Permission.review_edit, region="north-wales")
    with pytest.raises(AuthenticationRequired):
        require(ANONYMOUS, Permission.review_edit, region="gwent")
    with pytest.raises(Forbidden):
        require(READERS["practitioner"], Permission.review_create)


def test_only_the_inspectorate_and_admins_see_trends_unsuppressed_and_the_audit():
    for permission in (Permission.trends_unsuppressed, Permission.audit_read):
        assert {name for name, p in READERS.items() if allows(p, permission)} == {"inspectorate", "admin"}


# --- Small-number suppression --------------------------------------------------------------------


def test_a_count_of_one_to_four_is_hidden_and_zero_or_five_is_shown():
    assert suppress([(("a",), 0), (("b",), 1), (("c",), 4), (("d",), 5), (("e",), 9)]) >= {("b",), ("c",)}
    assert ("a",) not in suppress([(("a",), 0), (("d",), 5)])
    assert suppress([(("a",), 5), (("b",), 6)]) == set()


def test_a_lone_hidden_cell_takes_the_smallest_shown_cell_of_its_line_with_it():
    # Shown 7 and 30 with a total of 40 would give the hidden 3 away by subtraction.
    assert suppress([(("a",), 3), (("b",), 7), (("c",), 30)]) == {("a",), ("b",)}
    # Two hidden cells already protect each other.
    assert suppress([(("a",), 3), (("b",), 2), (("c",), 30)]) == {("a",), ("b",)}


def test_in_two_dimensions_every_row_and_column_is_protected():
    cells = [
        (("2019", "gwent"), 2),
        (("2019", "powys"), 10),
        (("2020", "gwent"), 8),
        (("2020", "powys"), 12),
    ]
    hidden = suppress(cells)
    # 2 is hidden; its row and its column each need a second hidden cell, and then so does the
    # other row and column: every line has two hidden cells or none.
    assert ("2019", "gwent") in hidden
    for axis in (0, 1):
        for value in {key[axis] for key, _ in cells}:
            assert len([k for k in hidden if k[axis] == value]) != 1
    assert hidden == {("2019", "gwent"), ("2019", "powys"), ("2020", "gwent"), ("2020", "powys")}


# --- The query parser ----------------------------------------------------------------------------


def test_words_are_required_phrases_kept_or_alternatives_and_minus_excludes():
    query = parse('neglect "information sharing" -drowning health OR education')
    assert query.required == [[("neglect",)], [("information", "sharing")], [("health",), ("education",)]]
    assert query.excluded == [("drowning",)]


def test_stopwords_and_punctuation_alone_make_an_empty_query():
    assert parse("the of and").is_empty
    assert parse("*** ::: ---").is_empty
    assert parse("").is_empty


def test_no_input_becomes_fts5_or_tsquery_syntax():
    query = parse('NEAR(a b) "x" OR col:y ^z')
    fts5 = to_fts5(query)
    # Every word is a double-quoted string, so FTS5 sees no operator, column filter or prefix.
    assert "NEAR(" not in fts5 and "col:" not in fts5 and "^" not in fts5
    assert '"near"' in fts5 and '"col"' in fts5
    assert to_websearch(parse("x -y")) == '"x" -"y"'


def test_a_hyphenated_word_is_each_of_its_parts():
    assert parse("child-protection").required == [[("child",)], [("protection",)]]


# --- The submission rules ------------------------------------------------------------------------


def _review(**fields) -> Review:
    values = {
        "region": "gwent",
        "reference": "GW-1",
        "kind": "cpr",
        "review_type": "concise",
        "trigger_outcome": "serious-harm",
        "title": "A review",
        "summary": "What happened.",
        "age_band": "1-4",
        "completed_on": date(2026, 1, 1),
        "reviewers": [{"name": "A Reviewer"}],
        "recommendations": [{"ref": "R1", "text": "Share information.", "level": "regional"}],
        "created_by": "gwent",
        "updated_by": "gwent",
    }
    return Review(**(values | fields))


def _codes(review: Review, addressed: set[str] | None) -> list[str]:
    return [p.code for p in submission_problems(review, addressed)]


def test_a_complete_review_with_every_recommendation_answered_breaks_no_rule():
    assert _codes(_review(), {"R1"}) == []


def test_every_broken_rule_is_listed_at_once():
    review = _review(summary=None, reviewers=[], recommendations=[], on_cp_register_6m=True)
    assert _codes(review, None) == [
        "action-plan-required",
        "recommendations-required",
        "review-type-mismatch",  # on the CP register: it must be extended
        "reviewer-count",
        "missing-field",
    ]


def test_each_recommendation_needs_an_action_and_the_problem_points_at_it():
    review = _review(recommendations=[{"ref": "R1", "text": "a"}, {"ref": "R2", "text": "b"}])
    [problem] = submission_problems(review, {"R1"})
    assert (problem.code, problem.pointer) == ("recommendation-not-addressed", "#/recommendations/1")


def test_an_extended_review_needs_two_reviewers_and_a_concise_one_one():
    assert expected_review_type(_review(looked_after_6m=True)) == "extended"
    extended = _review(review_type="extended", looked_after_6m=True)
    assert _codes(extended, {"R1"}) == ["reviewer-count"]
    assert _codes(_review(review_type="extended", looked_after_6m=True, reviewers=[{"name": "a"}, {"name": "b"}]), {"R1"}) == []


def test_a_susr_has_no_cpr_review_type_rule():
    assert "review-type-mismatch" not in _codes(_review(kind="susr", review_type=None, on_cp_register_6m=True), {"R1"})


def test_learning_context_warnings_name_what_a_reader_would_miss():
    bare = [w.code for w in context_warnings(_review(), has_timeline=False)]
    assert bare == ["no-themes", "no-context-factors", "no-agencies", "no-timeline", "short-summary"]
    full = _review(summary="word " * SUMMARY_MIN_WORDS)
    full.tags = [ReviewTag(vocabulary=v, code="x") for v in ("theme", "context_factor", "agency")]
    assert context_warnings(full, has_timeline=True) == []


# --- The text rule in the document ---------------------------------------------------------------


@pytest.mark.parametrize("multiline", [False, True])
def test_the_text_check_refuses_exactly_the_characters_of_the_refused_categories(multiline):
    """The check finds refused characters with one regex (for speed); ADR 0019 defines them by
    Unicode category. Every code point, as the definition says and as the check finds it."""
    every = "".join(chr(code) for code in range(sys.maxunicode + 1))
    allowed = LINE_BREAKS if multiline else frozenset()
    defined = [
        (code, character)
        for code, character in enumerate(every)
        if character not in allowed and unicodedata.category(character) in REFUSED_CATEGORIES | LINE_BREAK_CATEGORIES
    ]
    assert list(refused_characters(every, multiline=multiline)) == defined
    # ASCII-only text is scanned by a class of its own: the same characters, found alike.
    ascii_text = every[:128]
    assert ascii_text.isascii() and list(refused_characters(ascii_text, multiline=multiline)) == [
        (code, character) for code, character in defined if code < 128
    ]
    # A zero width joiner inside an emoji sequence is the one exception, in multi-line text only.
    family = "\U0001f469\u200d\U0001f467"
    assert [c for _, c in refused_characters(family, multiline=multiline)] == ([] if multiline else ["\u200d"])


@pytest.mark.parametrize("multiline", [False, True])
def test_the_documented_text_schema_admits_exactly_the_characters_the_check_takes(multiline):
    """Every code point, inside a text, as a JSON Schema validator reads the document's keywords and
    as the registry's check decides. A zero width joiner is refused by the schema even where the
    check takes it (inside an emoji), and lone surrogates are not JSON Schema text at all."""
    validator = jsonschema_rs.validator_for({"type": "string", **schema_of_text(multiline=multiline)})
    disagree = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF
        and code != 0x200D
        and validator.is_valid(f"a{chr(code)}b") != (first_refused(f"a{chr(code)}b", multiline=multiline) is None)
    ]
    assert disagree == []


@pytest.mark.parametrize(
    ("text", "min_length", "admitted"),
    [
        ("abc", 3, True),
        ("  abc  ", 3, True),
        ("a b", 3, True),
        ("ab ", 3, False),
        ("   ", 1, False),
        ("", 0, True),
        ("a", 1, True),
        ("\u3000a\u3000", 1, True),
        ("\u3000\u3000", 1, False),
    ],
)
def test_the_documented_minimum_counts_what_is_left_once_the_ends_are_stripped(text, min_length, admitted):
    schema = {"type": "string", "minLength": min_length, **schema_of_text(multiline=True, min_length=min_length)}
    assert jsonschema_rs.validator_for(schema).is_valid(text) is admitted
    assert (len(text.strip()) >= min_length) is admitted


def test_a_form_field_has_one_pattern_that_refuses_the_private_use_planes_too():
    schema = schema_of_text(multiline=True, min_length=3, in_form=True)
    assert set(schema) == {"pattern"}
    validator = jsonschema_rs.validator_for({"type": "string", **schema})
    assert validator.is_valid("a reason") and not validator.is_valid("a \U000f0001 reason")
