"""A synthetic, deterministic, realistic archive of safeguarding reviews, in the folder format that
`registry import DIR` reads (one JSON file per review, its report as a PDF beside it).

    python bench/corpus.py --count 10000 --out /tmp/corpus [--seed 2026] [--pdf-every 10]

Six regions, completed 2008-2026, both kinds (a SUSR only from 1 October 2024), review types that
agree with the CP-register and looked-after flags and with the number of reviewers, codes from the
registry's seeded vocabularies, 2-6 recommendations each answered by actions, and 20-60 KB of
anonymised domain prose ("Child A"; no names). Every K-th review carries its report as a real,
multi-page PDF (fpdf2) instead of `full_text`.

Deterministic: the same arguments write byte-identical files (one `random.Random` per review,
seeded from the seed and the review's number; no clock is read). Review i is the same whatever
`--count` is, so a small corpus is the start of a large one.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

# --- The registry's seeded vocabularies (alembic/versions/0001_registry_core.py) ---------------------

REGIONS = {
    "cardiff-vale": ("Cardiff and Vale Regional Safeguarding Board", "CVRSB {n}/{year}"),
    "cwm-taf-morgannwg": ("Cwm Taf Morgannwg Safeguarding Board", "CTMSB {n}/{year}"),
    "gwent": ("Gwent Safeguarding Board", "GWSB {n}/{year}"),
    "mid-west-wales": ("Mid and West Wales Safeguarding Board (CYSUR)", "CYSUR {n} {year}"),
    "north-wales": ("North Wales Safeguarding Board", "NWSB {n}/{year}"),
    "west-glamorgan": ("West Glamorgan Safeguarding Board", "WG S{n} {year}"),
}
THEMES = {
    "hierarchy-of-knowledge": "Hierarchy of knowledge",
    "information-sharing-and-recording": "Information sharing and recording",
    "partial-assessment": "Partial assessment",
    "voice-of-the-child": "The voice of the child",
    "practice-challenges": "Practice challenges",
}
AGE_BANDS = [  # code, weight, how a report says it
    ("unborn", 4, "an unborn baby"),
    ("under-1", 26, "aged under one"),
    ("1-5", 24, "aged between one and five"),
    ("6-10", 14, "aged between six and ten"),
    ("11-15", 18, "aged between eleven and fifteen"),
    ("16-17", 9, "aged sixteen or seventeen"),
    ("18-plus-care-leaver", 5, "a young adult and care leaver"),
]
ABUSE = ["neglect", "physical", "emotional", "sexual"]
AGENCIES = {
    "childrens-social-care": "children's social care",
    "police": "the police",
    "health": "the health board",
    "gp": "the GP practice",
    "midwifery": "the midwifery service",
    "health-visiting": "the health visiting service",
    "emergency-department": "the emergency department",
    "mental-health": "adult mental health services",
    "education": "the school",
    "probation": "the probation service",
    "youth-justice": "the youth justice service",
    "housing": "the housing provider",
    "third-sector": "a third sector family support service",
}
CONTEXT = ["domestic-abuse", "parental-mental-ill-health", "substance-misuse", "not-in-school"]
TRIGGERS = [("died", 45), ("life_threatening_injury", 35), ("serious_permanent_impairment", 20)]
TRIGGER_WORDS = {
    "died": "the death of",
    "life_threatening_injury": "a potentially life-threatening injury to",
    "serious_permanent_impairment": "serious and permanent impairment of the health and development of",
}
SUSR_FROM = date(2024, 10, 1)
FIRST, LAST = date(2008, 1, 1), date(2026, 6, 30)
ACTIONS_AS_OF = date(2026, 6, 1)  # action statuses are as a board would have reported them then
ORGANISATIONS = ["Independent", "Independent", "Health board", "Local authority", "Police", "Independent consultancy"]

# --- Words ---------------------------------------------------------------------------------------

WORDS: dict[str, list[str]] = {
    "role": [
        "the health visitor",
        "the social worker",
        "the GP",
        "the midwife",
        "the school nurse",
        "the police officer",
        "the team manager",
        "the designated safeguarding lead",
        "the family support worker",
        "the paediatrician",
        "the emergency department nurse",
        "the probation officer",
        "the housing officer",
        "the community psychiatric nurse",
        "the independent reviewing officer",
        "the youth justice worker",
    ],
    "adult": [
        "the mother",
        "the father",
        "the mother's new partner",
        "the maternal grandmother",
        "the paternal grandmother",
        "the maternal uncle",
        "a family friend",
        "the father's partner",
    ],
    "meeting": [
        "a strategy discussion",
        "an initial child protection conference",
        "a review child protection conference",
        "a core group meeting",
        "a multi-agency risk assessment conference",
        "a team around the family meeting",
        "a professionals' meeting",
        "a looked after child review",
    ],
    "weeks": [str(n) for n in range(2, 21)],
    "count": ["two", "three", "four", "five", "six", "seven", "eight", "nine", "eleven", "twelve"],
    "period": [
        "the six months before the incident",
        "the period under review",
        "the eighteen months under review",
        "the weeks before the incident",
        "the year before the referral",
    ],
    "record": [
        "case notes",
        "the health visiting record",
        "the GP record",
        "the school's safeguarding file",
        "police incident logs",
        "the social care case file",
        "the midwifery notes",
        "the referral form",
    ],
    "concern": [
        "bruising to the face",
        "missed health appointments",
        "poor school attendance",
        "an untidy and cold home",
        "weight loss",
        "a head injury explained as a fall",
        "reports of shouting from neighbours",
        "the child being left alone",
        "a parent under the influence of alcohol",
        "self-harm",
    ],
}

GENERAL = {
    "intro": [
        "This {kind_name} was commissioned by the {board} following {trigger} {child}.",
        "The review was undertaken in line with the statutory guidance and the Board's own procedures.",
        "Its purpose is to learn lessons for practice, not to apportion blame to individual practitioners.",
        "{child} was {age_words} at the time of the incident that led to the review.",
        "The Board is grateful to the practitioners and managers who contributed openly to the review.",
        "The review considered the involvement of {agency_list} with {child} and the family.",
        "The family were invited to contribute, and their views are reflected where they agreed to this.",
        "This report has been anonymised: the child is referred to as {child} and family members by their relationship to the child.",
    ],
    "method": [
        "A multi-agency chronology was compiled from the records of every agency involved.",
        "Each agency provided a summary of its involvement and an analysis of its practice.",
        "A learning event was held with the practitioners who had worked with the family.",
        "At the learning event practitioners described what it was like to work with the family at the time.",
        "The reviewers met the managers of each agency to test the emerging findings.",
        "The review panel met {count} times to consider the findings and agree the recommendations.",
        "The terms of reference asked how well agencies identified and responded to risk during {period}.",
        "The reviewers read {record} and interviewed {role} and {role}.",
    ],
    "family": [
        "{child} lived with {adult} and, for part of the period, with {adult}.",
        "The family had moved home {count} times in three years, which disrupted contact with services.",
        "{adult} had a history of involvement with services as a child.",
        "There were older siblings in the household, who were known to the school.",
        "{adult} was described by practitioners as warm and engaged with services.",
        "Practitioners knew little about {adult}, who was rarely present when visits took place.",
        "The family were known to {agency} before {child} was born.",
    ],
    "timeline": [
        "In {month} {year} {role} visited the home and recorded {concern}.",
        "In {month} {year} {agency} received a referral about {concern}.",
        "In {month} {year} {meeting} was held; {agency} was not invited.",
        "In {month} {year} {child} was taken to the emergency department with {concern}.",
        "In {month} {year} {role} made a referral to children's social care, which was closed after {weeks} days.",
        "In {month} {year} {adult} told {role} that things at home were difficult.",
        "In {month} {year} {child} was not brought to {count} consecutive health appointments.",
        "In {month} {year} the police attended the home after a report of a domestic incident.",
        "In {month} {year} {meeting} decided that no further action was needed.",
        "In {month} {year} {role} left the team and the case was not reallocated for {weeks} weeks.",
        "In {month} {year} the school raised concerns about {concern} with the designated safeguarding lead.",
        "Over the following {weeks} weeks there were {count} contacts between the family and {agency}.",
    ],
    "good": [
        "There was evidence of good practice: {role} persisted in trying to see {child} and escalated concerns.",
        "{agency} responded quickly once the concern was shared, and the response was well coordinated.",
        "Practitioners showed real commitment to the family and worked beyond what was required of them.",
        "The school knew {child} well and its records were clear and timely.",
    ],
    "conclusion": [
        "The review found that the incident could not have been predicted, but that opportunities to understand the risk to {child} were missed.",
        "Agencies held pieces of information which, taken together, would have given a clearer picture of {child}'s lived experience.",
        "The learning from this review echoes the findings of earlier reviews in Wales.",
        "The Board will monitor the action plan and report on progress in its annual report.",
        "The recommendations below address the learning identified and are answered by the Board's action plan.",
    ],
}

THEME_SENTENCES = {
    "information-sharing-and-recording": [
        "Chronologies were not kept, so no single agency could see the pattern of {concern} over time.",
        "No agency held a chronology that brought together the concerns about {child}.",
        "Information sharing between {agency} and {agency} was limited to formal child protection processes.",
        "Practitioners were uncertain whether they could share information without consent, and GDPR was misunderstood as a barrier.",
        "A fear of complaints from {adult} made practitioners reluctant to share their concerns.",
        "Records were brief and did not say what had been seen, what it meant and what would happen next.",
        "Different IT systems meant that {role} could not see the notes made by {role}.",
        "The referral from {agency} did not reach the team that needed it for {weeks} weeks.",
        "Information held by {agency} about {adult} was never shared with the professionals around {child}.",
        "Recording of the decision to close the referral did not explain the reasons for it.",
    ],
    "hierarchy-of-knowledge": [
        "Fathers were not consulted: {adult} was never spoken to by any practitioner during {period}.",
        "The father was not consulted and his history was not known to the professionals around {child}.",
        "Professional views were given more weight than the concerns raised by the wider family.",
        "The views of {adult} were accepted without being tested against what others had seen.",
        "Inconclusive medical evidence was relied upon to close the enquiry, although other concerns remained.",
        "The opinion of {role} was given more weight than that of {role}, who knew the family better.",
        "Tunnel vision set in once an early explanation had been accepted, and later information did not change it.",
        "Practitioners focused on the mother, and the men in the household were overlooked.",
        "Concerns raised by neighbours and the wider community were not treated as information about risk.",
    ],
    "partial-assessment": [
        "The assessment was partial: it did not consider the family context or the history of {adult}.",
        "The mother's new partner was not followed up, although he was living in the household.",
        "New partners were not identified or assessed, and nobody asked who else cared for {child}.",
        "In a large family, the needs of each child were not assessed separately.",
        "There were unrealistic expectations that {adult} would protect {child} without support.",
        "Views of the mother were polarised: she was seen either as a good mother or as a bad one, and never both.",
        "Supervision was seen as a panacea, and the actions it agreed were not followed through.",
        "The family were off-rolled from services after missed appointments, and nobody asked why they were missed.",
        "Partial assessment of the risk meant that {meeting} worked from an incomplete picture.",
        "The assessment by {agency} did not take account of the history held by {agency}.",
    ],
    "voice-of-the-child": [
        "The voice of the child was not heard: {child} was rarely seen alone during {period}.",
        "{child} was spoken to in front of parents, which made it unlikely that {child} could say what was happening.",
        "Practitioners did not consider what daily life was like for {child}; the child's lived experience was missed.",
        "The voice of the child was lost among the needs of the adults in the household.",
        "In a large family each child's experience was different, but the children were seen as one group.",
        "{child} showed through behaviour what could not be said in words, but this was not recognised.",
        "Nobody asked {child} about the bruising, and the explanation of {adult} was accepted.",
        "Direct work with {child} was planned but did not take place before the case was closed.",
    ],
    "practice-challenges": [
        "Practitioners described high workloads and supervision that focused on processes rather than reflection.",
        "Agile working meant that {role} had fewer chances to discuss the case informally with colleagues.",
        "IT difficulties meant that records were completed days after visits took place.",
        "Data protection concerns slowed down the sharing of information between agencies.",
        "Practitioners were unclear about the difference between concise and extended reviews.",
        "Turnover of staff in {agency} meant that the family had {count} social workers in one year.",
        "Managers recognised that caseloads were too high and that this affected the quality of assessment.",
    ],
}

CONTEXT_SENTENCES = {
    "domestic-abuse": [
        "Domestic abuse was a feature of family life, and the police had attended {count} incidents at the home.",
        "The impact of domestic abuse on {child} was not considered when the incidents were assessed.",
    ],
    "parental-mental-ill-health": [
        "{adult} experienced periods of poor mental health, and adult mental health services did not consider the children.",
        "The impact of parental mental ill-health on the care of {child} was not assessed.",
    ],
    "substance-misuse": [
        "Substance misuse by {adult} was known to {agency} but was not linked to the risk to {child}.",
        "Alcohol misuse in the household was minimised by the adults and accepted by practitioners.",
    ],
    "not-in-school": [
        "{child} was not in school for long periods, and elective home education was not followed up.",
        "The school's concerns about attendance were not shared with {agency}.",
    ],
}

RECOMMENDATIONS = [
    (
        "information-sharing-and-recording",
        "The Regional Safeguarding Board should ensure that every agency keeps a shared chronology for each child on the child protection register.",
    ),
    (
        "information-sharing-and-recording",
        "Agencies should issue clear guidance to practitioners that data protection law does not prevent sharing information to protect a child.",
    ),
    (
        "information-sharing-and-recording",
        "Agencies should audit the quality of records of home visits, including what was seen and what it meant for the child.",
    ),
    (
        "hierarchy-of-knowledge",
        "Practitioners should seek the views of fathers and of every adult in the household, and record them.",
    ),
    (
        "hierarchy-of-knowledge",
        "The Board should promote professional curiosity and respectful challenge between professions through multi-agency training.",
    ),
    (
        "hierarchy-of-knowledge",
        "Agencies should ensure that concerns raised by the wider family and the community are recorded and assessed.",
    ),
    ("partial-assessment", "Assessments should identify and consider every adult in the household, including new partners."),
    (
        "partial-assessment",
        "Agencies should review how missed appointments are followed up before a family is discharged from a service.",
    ),
    ("partial-assessment", "Supervision should test the progress of agreed actions, not only record them."),
    ("voice-of-the-child", "Practitioners should see children alone and record what each child says about daily life at home."),
    ("voice-of-the-child", "The Board should develop guidance on direct work with children in large families."),
    (
        "practice-challenges",
        "Agencies should review caseloads and the quality of reflective supervision for frontline practitioners.",
    ),
    (
        "practice-challenges",
        "The Welsh Government should consider national guidance on the sharing of records between IT systems.",
    ),
    (None, "The Board should share the learning from this review through a seven-minute briefing to all agencies."),
    (None, "Agencies should report progress on this action plan to the Board every six months."),
]
LEVELS = [("agency", 45), ("regional_board", 40), ("national", 15)]
ACTION_TEMPLATES = [
    "Deliver multi-agency training on the learning from this review and audit its effect after six months.",
    "Revise the agency's procedures to reflect this recommendation and brief every team on the change.",
    "Audit a sample of case files against this recommendation and report the findings to the Board.",
    "Issue a practice note to frontline staff and include the recommendation in induction training.",
    "Agree a protocol between the agencies concerned and review it at the Board's learning and review group.",
    "Update the supervision policy and check compliance through quarterly management audits.",
]

_SLOT = re.compile(r"\{(\w+)\}")


def _weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


class Writer:
    """Sentences for one review: its own child, agencies and dates filled into the templates."""

    def __init__(self, rng: random.Random, fixed: dict[str, str], agencies: list[str], completed: date) -> None:
        self.rng = rng
        self.fixed = fixed
        self.agencies = [AGENCIES[code] for code in agencies]
        # The timeline runs forward from some years before the review to shortly before it ended.
        self.when = date(completed.year - rng.randint(3, 6), rng.randint(1, 12), 1)
        self.until = completed - timedelta(days=60)
        self.used: set[str] = set()

    def _slot(self, match: re.Match[str]) -> str:
        name = match.group(1)
        if name in self.fixed:
            return self.fixed[name]
        if name == "month":
            return self.when.strftime("%B")
        if name == "year":
            return str(self.when.year)
        choices = self.agencies if name == "agency" else WORDS[name]
        fresh = [c for c in choices if c not in self.used] or choices  # not "the GP and the GP"
        value = self.rng.choice(fresh)
        self.used.add(value)
        return value

    def fill(self, template: str) -> str:
        self.used.clear()
        if "{month}" in template:
            step = self.when + timedelta(days=self.rng.randint(0, 45))
            if step < self.until:
                self.when = step
        text = _SLOT.sub(self._slot, template)
        return text[0].upper() + text[1:]

    def sentence(self, templates: list[str]) -> str:
        return self.fill(self.rng.choice(templates))

    def paragraph(self, templates: list[str], low: int = 3, high: int = 6) -> str:
        """Sentences from distinct templates (a report does not say the same thing twice in a row)."""
        count = min(self.rng.randint(low, high), len(templates))
        return " ".join(self.fill(t) for t in self.rng.sample(templates, count))


def _review(
    index: int, seed: int, counters: dict[tuple[str, int], int]
) -> tuple[str, dict[str, Any], list[tuple[str, list[str]]]]:
    """Review number `index` (1-based): its file stem, its JSON, and its report as (heading, paragraphs)."""
    rng = random.Random(f"{seed}:{index}")
    region = rng.choice(sorted(REGIONS))
    board, reference_format = REGIONS[region]
    completed = FIRST + timedelta(days=rng.randrange((LAST - FIRST).days + 1))
    kind = "susr" if completed >= SUSR_FROM and rng.random() < 0.8 else "cpr"
    counters[(region, completed.year)] = n = counters.get((region, completed.year), 0) + 1
    reference = reference_format.format(n=n, year=completed.year)
    if kind == "susr" and region != "west-glamorgan":
        reference = reference.replace(" ", " SUSR ", 1)

    age_band, _, age_words = _weighted(rng, [((code, w, words), w) for code, w, words in AGE_BANDS])
    looked_after = age_band == "18-plus-care-leaver" or rng.random() < 0.15
    on_register = rng.random() < 0.35
    extended = on_register or looked_after
    abuse = sorted(rng.sample(ABUSE, rng.choices([1, 2, 3], weights=[60, 30, 10])[0]), key=ABUSE.index)
    agencies = sorted(rng.sample(sorted(AGENCIES), rng.randint(3, 7)))
    themes = sorted(rng.sample(sorted(THEMES), rng.randint(1, 4)))
    context = sorted(rng.sample(CONTEXT, rng.choices([0, 1, 2, 3], weights=[25, 40, 25, 10])[0]))
    trigger = _weighted(rng, TRIGGERS)
    letter = rng.choice("ABCDEFGH")
    child = f"Child {letter}"
    title = child if rng.random() < 0.85 else f"Children {letter} and {chr(ord(letter) + 1)}"

    if kind == "cpr":
        review_type: str | None = "extended" if extended else "concise"
        criteria: list[str] = []
        reviewer_count = rng.randint(2, 3) if extended else rng.choice([1, 1, 2])
        kind_name = "Child Practice Review"
    else:
        review_type = None
        extra = [
            c for c in ("apr", "dhr", "mhhr", "owhr") if rng.random() < {"apr": 0.15, "dhr": 0.35, "mhhr": 0.1, "owhr": 0.05}[c]
        ]
        criteria = ["cpr", *extra]
        reviewer_count = 2
        kind_name = "Single Unified Safeguarding Review"
    reviewers = [
        {"name": f"{chr(ord('A') + i)}. Reviewer", "organisation": rng.choice(ORGANISATIONS)} for i in range(reviewer_count)
    ]

    picked = rng.sample(RECOMMENDATIONS, rng.randint(2, 6))
    # Recommendations follow the review's own themes where they can.
    picked.sort(key=lambda r: (r[0] not in themes, RECOMMENDATIONS.index(r)))
    recommendations = [
        {"ref": f"R{i}", "text": text, "level": _weighted(rng, LEVELS)} for i, (_, text) in enumerate(picked, start=1)
    ]
    actions = []
    for recommendation in recommendations:
        for _ in range(rng.choice([1, 1, 2])):
            target = completed + timedelta(days=rng.randint(90, 540))
            if target < ACTIONS_AS_OF - timedelta(days=180):
                status = "completed" if rng.random() < 0.9 else "in_progress"
            elif target < ACTIONS_AS_OF:
                status = rng.choice(["completed", "in_progress", "in_progress", "not_started"])
            else:
                status = rng.choice(["not_started", "in_progress"])
            actions.append(
                {
                    "recommendation_ref": recommendation["ref"],
                    "description": rng.choice(ACTION_TEMPLATES),
                    "lead_agency": rng.choice(agencies),
                    "target_date": target.isoformat(),
                    "status": status,
                }
            )

    writer = Writer(
        rng,
        {
            "child": child,
            "board": board,
            "kind_name": kind_name,
            "trigger": TRIGGER_WORDS[trigger],
            "age_words": age_words,
            "agency_list": ", ".join(AGENCIES[a] for a in agencies[:-1]) + " and " + AGENCIES[agencies[-1]],
        },
        agencies,
        completed,
    )
    learning = [s for theme in themes for s in THEME_SENTENCES[theme]]
    summary = " ".join(
        [
            f"This review followed {TRIGGER_WORDS[trigger]} {child}, who was {age_words} at the time.",
            *(writer.sentence(THEME_SENTENCES[theme]) for theme in themes[:2]),
        ]
    )

    target = rng.randint(21_000, 58_000)
    sections: list[tuple[str, list[str]]] = [
        ("1. Introduction", [writer.paragraph(GENERAL["intro"], 4, 7)]),
        (
            "2. Terms of reference and methodology",
            [
                "The methodology followed the statutory guidance: a multi-agency chronology, agency reports and a "
                "learning event with practitioners. " + writer.paragraph(GENERAL["method"], 3, 6)
            ],
        ),
        ("3. The family", [writer.paragraph(GENERAL["family"], 3, 5)]),
        ("4. Summary timeline", []),
        ("5. Practice and organisational learning", []),
        ("6. Good practice", [writer.paragraph(GENERAL["good"], 2, 3)]),
        ("7. Conclusions", [writer.paragraph(GENERAL["conclusion"], 3, 5)]),
        ("8. Recommendations", [f"{r['ref']}. {r['text']}" for r in recommendations]),
    ]
    timeline, findings = sections[3][1], sections[4][1]
    length = sum(len(p) + 2 for _, ps in sections for p in ps) + 200
    while length < target:
        if rng.random() < 0.4:
            paragraph = writer.paragraph(GENERAL["timeline"], 4, 8)
            timeline.append(paragraph)
        else:
            theme = rng.choice(themes)
            paragraph = writer.paragraph(
                THEME_SENTENCES[theme] + learning + [s for c in context for s in CONTEXT_SENTENCES[c]], 4, 7
            )
            findings.append(paragraph)
        length += len(paragraph) + 2

    review: dict[str, Any] = {
        "region": region,
        "reference": reference,
        "kind": kind,
        "review_type": review_type,
        "susr_criteria": criteria,
        "trigger_outcome": trigger,
        "on_cp_register_6m": on_register,
        "looked_after_6m": looked_after,
        "historic": rng.random() < 0.07,
        "multiple_abuse": len(abuse) > 1 and rng.random() < 0.6,
        "reviewers": reviewers,
        "title": title,
        "summary": summary,
        "age_band": age_band,
        "abuse_categories": abuse,
        "agencies": agencies,
        "themes": themes,
        "context_factors": context,
        "completed_on": completed.isoformat(),
        "recommendations": recommendations,
    }
    if completed >= date(2026, 3, 1) and rng.random() < 0.4:
        review["status"] = "submitted"  # still with the inspectorate, not yet published
    else:
        review["status"] = "published"
        review["published_on"] = (completed + timedelta(days=rng.randint(20, 120))).isoformat()
    review["action_plan"] = {"actions": actions}
    stem = f"{index:06d}-{region}"
    return stem, review, sections


def report_text(review: dict[str, Any], sections: list[tuple[str, list[str]]]) -> str:
    heading = f"{review['title']}: {review['reference']}"
    body = "\n\n".join(f"{title}\n\n" + "\n\n".join(paragraphs) for title, paragraphs in sections)
    return f"{heading}\n\n{body}\n"


class _Lines:
    """Greedy line breaking by measured word widths (memoised): fpdf2's own multi_cell is exact but
    about twenty times slower, which matters for thousands of reports."""

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf
        self.widths: dict[tuple[str, str, float, str], float] = {}

    def width(self, word: str) -> float:
        key = (self.pdf.font_family, self.pdf.font_style, self.pdf.font_size_pt, word)
        if key not in self.widths:
            self.widths[key] = self.pdf.get_string_width(word)
        return self.widths[key]

    def wrap(self, text: str, width: float) -> list[str]:
        space = self.width(" ")
        lines, line, used = [], [], 0.0
        for word in text.split():
            w = self.width(word)
            if line and used + space + w > width:
                lines.append(" ".join(line))
                line, used = [], 0.0
            used += (space if line else 0.0) + w
            line.append(word)
        if line:
            lines.append(" ".join(line))
        return lines


def report_pdf(review: dict[str, Any], sections: list[tuple[str, list[str]]]) -> bytes:
    """The report as a real multi-page PDF, dated (deterministically) on its completion day."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime.fromisoformat(review["completed_on"]).replace(tzinfo=UTC))
    pdf.set_title(f"{review['title']}: {review['reference']}")
    pdf.set_author(REGIONS[review["region"]][0])
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    lines = _Lines(pdf)
    width = pdf.epw

    def block(text: str, style: str, size: float, height: float) -> None:
        pdf.set_font("Helvetica", style, size)
        for line in lines.wrap(text, width):
            pdf.cell(0, height, line, new_x="LMARGIN", new_y="NEXT")

    kind_name = "Child Practice Review" if review["kind"] == "cpr" else "Single Unified Safeguarding Review"
    for text in (review["title"], kind_name, review["reference"]):
        block(text, "B", 16, 9)
    pdf.ln(6)
    for title, paragraphs in sections:
        block(title, "B", 13, 8)
        pdf.ln(2)
        for paragraph in paragraphs:
            block(paragraph, "", 11, 5.5)
            pdf.ln(3)
    return bytes(pdf.output())


def write_corpus(out: Path, *, count: int, seed: int, pdf_every: int) -> tuple[int, int]:
    """Write reviews 1..count into `out`; returns (reviews, of which with a PDF report)."""
    out.mkdir(parents=True, exist_ok=True)
    counters: dict[tuple[str, int], int] = {}
    pdfs = 0
    for index in range(1, count + 1):
        stem, review, sections = _review(index, seed, counters)
        if pdf_every and index % pdf_every == 0:
            (out / f"{stem}.report.pdf").write_bytes(report_pdf(review, sections))
            pdfs += 1
        else:
            review = {
                **{k: v for k, v in review.items() if k not in ("status", "published_on", "action_plan")},
                "full_text": report_text(review, sections),
                **{k: review[k] for k in ("status", "published_on", "action_plan") if k in review},
            }
        (out / f"{stem}.json").write_text(json.dumps(review, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return count, pdfs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, required=True, help="how many reviews")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write (created if missing)")
    parser.add_argument("--seed", type=int, default=2026, help="the same seed writes the same corpus (default 2026)")
    parser.add_argument(
        "--pdf-every",
        type=int,
        default=10,
        metavar="K",
        help="every K-th review has a PDF report instead of full_text (0: none; default 10)",
    )
    args = parser.parse_args(argv)
    if args.count < 0 or args.pdf_every < 0:
        parser.error("--count and --pdf-every must not be negative")
    reviews, pdfs = write_corpus(args.out, count=args.count, seed=args.seed, pdf_every=args.pdf_every)
    print(f"wrote {reviews} review(s), {pdfs} with a PDF report, to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
