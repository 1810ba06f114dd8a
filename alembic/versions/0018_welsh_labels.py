"""welsh labels: a Welsh label for every vocabulary term and a Welsh name for every board

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03

Issue 15 (ADR 0045). `term_label` holds a term's label in a language other than English, for the
vocabularies kept as data and for those fixed in code alike (so it has no foreign key to
`vocabulary_term`). The Welsh labels seeded here were drafted by the registry's developers, not by
a translator: each awaits review (`reviewed_at` is null) until a translator corrects or confirms it
through PUT /vocabularies/{vocabulary}/terms/{code}/labels/cy (If-Match: its `version`).
`region.name_cy` is each board's Welsh name, as the boards publish it.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The boards' names in Welsh, as they publish them.
REGIONS_CY = {
    "cardiff-vale": "Bwrdd Diogelu Rhanbarthol Caerdydd a'r Fro",
    "cwm-taf-morgannwg": "Bwrdd Diogelu Cwm Taf Morgannwg",
    "gwent": "Bwrdd Diogelu Gwent",
    "mid-west-wales": "Bwrdd Diogelu Canolbarth a Gorllewin Cymru (CYSUR)",
    "north-wales": "Bwrdd Diogelu Gogledd Cymru",
    "west-glamorgan": "Bwrdd Diogelu Gorllewin Morgannwg",
}
# (vocabulary, code, Welsh label)
WELSH = [
    ("theme", "hierarchy-of-knowledge", "Hierarchaeth gwybodaeth"),
    ("theme", "information-sharing-and-recording", "Rhannu a chofnodi gwybodaeth"),
    ("theme", "partial-assessment", "Asesiad rhannol"),
    ("theme", "voice-of-the-child", "Llais y plentyn"),
    ("theme", "practice-challenges", "Heriau ymarfer"),
    ("age_band", "unborn", "Heb ei eni"),
    ("age_band", "under-1", "Dan 1"),
    ("age_band", "1-5", "1 i 5"),
    ("age_band", "6-10", "6 i 10"),
    ("age_band", "11-15", "11 i 15"),
    ("age_band", "16-17", "16 i 17"),
    ("age_band", "18-plus-care-leaver", "18 neu hŷn, wedi gadael gofal"),
    ("abuse_category", "neglect", "Esgeulustod"),
    ("abuse_category", "physical", "Cam-drin corfforol"),
    ("abuse_category", "emotional", "Cam-drin emosiynol"),
    ("abuse_category", "sexual", "Cam-drin rhywiol"),
    ("agency", "childrens-social-care", "Gofal cymdeithasol plant"),
    ("agency", "police", "Heddlu"),
    ("agency", "health", "Iechyd (arall)"),
    ("agency", "gp", "Ymarfer cyffredinol"),
    ("agency", "midwifery", "Bydwreigiaeth"),
    ("agency", "health-visiting", "Ymwelwyr iechyd"),
    ("agency", "emergency-department", "Adran achosion brys"),
    ("agency", "mental-health", "Gwasanaethau iechyd meddwl"),
    ("agency", "education", "Addysg"),
    ("agency", "probation", "Y gwasanaeth prawf"),
    ("agency", "youth-justice", "Cyfiawnder ieuenctid"),
    ("agency", "housing", "Tai"),
    ("agency", "third-sector", "Y trydydd sector"),
    ("context_factor", "domestic-abuse", "Cam-drin domestig"),
    ("context_factor", "parental-mental-ill-health", "Salwch meddwl rhiant"),
    ("context_factor", "substance-misuse", "Camddefnyddio sylweddau"),
    ("context_factor", "not-in-school", "Ddim yn yr ysgol"),
    ("learning_theme", "hierarchy-of-knowledge", "Hierarchaeth gwybodaeth"),
    ("learning_theme", "fathers-overlooked", "Anwybyddu tadau"),
    ("learning_theme", "adults-before-children", "Blaenoriaethu oedolion dros blant"),
    ("learning_theme", "professional-hierarchies", "Hierarchaethau proffesiynol"),
    ("learning_theme", "tunnel-vision", "Golwg gul"),
    ("learning_theme", "medical-evidence-over-wider-evidence", "Tystiolaeth feddygol dros dystiolaeth ehangach"),
    ("learning_theme", "information-sharing-and-recording", "Rhannu a chofnodi gwybodaeth"),
    ("learning_theme", "sharing-outside-child-protection", "Rhannu gwybodaeth y tu hwnt i amddiffyn plant"),
    ("learning_theme", "fear-of-complaints", "Ofn cwynion"),
    ("learning_theme", "gdpr-confusion", "Dryswch ynghylch GDPR"),
    ("learning_theme", "it-systems", "Systemau TG"),
    ("learning_theme", "missing-chronologies-and-poor-records", "Cronolegau coll a chofnodion gwael"),
    ("learning_theme", "partial-assessment", "Asesiad rhannol"),
    ("learning_theme", "new-partners-not-assessed", "Partneriaid newydd heb eu hasesu"),
    ("learning_theme", "large-families", "Teuluoedd mawr"),
    ("learning_theme", "grandparents-and-wider-family", "Neiniau, teidiau a'r teulu ehangach"),
    ("learning_theme", "polarised-views-of-mothers", "Barn begynol am famau"),
    ("learning_theme", "supervision", "Goruchwyliaeth"),
    ("learning_theme", "service-disengagement", "Ymddieithrio o wasanaethau"),
    ("learning_theme", "voice-of-the-child", "Llais y plentyn"),
    ("learning_theme", "children-spoken-to-in-front-of-parents", "Siarad â phlant o flaen eu rhieni"),
    ("learning_theme", "each-childs-lived-experience", "Profiad bywyd pob plentyn"),
    ("perspective", "criminology", "Troseddeg"),
    ("perspective", "legal", "Y gyfraith"),
    ("perspective", "social-work", "Gwaith cymdeithasol"),
    ("perspective", "health", "Iechyd"),
    ("perspective", "education", "Addysg"),
    # The vocabularies fixed in code (app.vocab.service's English labels).
    ("kind", "cpr", "Adolygiad Ymarfer Plant"),
    ("kind", "susr", "Adolygiad Diogelu Unedig Sengl"),
    ("review_type", "concise", "Adolygiad cryno"),
    ("review_type", "extended", "Adolygiad estynedig"),
    ("susr_criterion", "apr", "Adolygiad Ymarfer Oedolion"),
    ("susr_criterion", "cpr", "Adolygiad Ymarfer Plant"),
    ("susr_criterion", "dhr", "Adolygiad Dynladdiad Domestig"),
    ("susr_criterion", "mhhr", "Adolygiad Dynladdiad Iechyd Meddwl"),
    ("susr_criterion", "owhr", "Adolygiad Dynladdiad Arfau Ymosodol"),
    ("trigger_outcome", "died", "Bu farw'r plentyn"),
    ("trigger_outcome", "life_threatening_injury", "Anaf a allai beryglu bywyd"),
    ("trigger_outcome", "serious_permanent_impairment", "Nam difrifol a pharhaol ar iechyd neu ddatblygiad"),
    ("recommendation_level", "agency", "Asiantaeth"),
    ("recommendation_level", "regional_board", "Bwrdd rhanbarthol"),
    ("recommendation_level", "national", "Cenedlaethol"),
    ("action_status", "not_started", "Heb ddechrau"),
    ("action_status", "in_progress", "Ar y gweill"),
    ("action_status", "completed", "Wedi'i gwblhau"),
]


def upgrade() -> None:
    label = op.create_table(
        "term_label",
        sa.Column("vocabulary", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("vocabulary", "code", "language", name=op.f("pk_term_label")),
    )
    op.bulk_insert(label, [{"vocabulary": v, "code": c, "language": "cy", "label": text, "version": 1} for v, c, text in WELSH])
    op.add_column("region", sa.Column("name_cy", sa.String(length=200), nullable=True))
    region = sa.table("region", sa.column("code", sa.String()), sa.column("name_cy", sa.String()))
    for code, name in REGIONS_CY.items():
        op.execute(region.update().where(region.c.code == code).values(name_cy=name))


def downgrade() -> None:
    with op.batch_alter_table("region") as batch_op:
        batch_op.drop_column("name_cy")
    op.drop_table("term_label")
