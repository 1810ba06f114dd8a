#!/usr/bin/env bash
# The walk-through of docs/integrating.md, as one script: a review from draft to published, its
# action plan kept up to date, then learning from it. Run it from the repository folder while `make run` serves the API in another terminal:
#
#     bash docs/walkthrough.sh              # PORT=8001 bash docs/walkthrough.sh for another port
#
# It uses the same REGISTRY_* environment as the server (the CLI creates the users in that database).
# Each step prints its HTTP status; the script stops at the first one that is not what it expects.
set -euo pipefail
PORT="${PORT:-8000}"

# --- 0. Helpers -----------------------------------------------------------------------------------
API="http://127.0.0.1:$PORT/api/v1"
WALK="$(mktemp -d)"   # payloads, and the last response's body and headers

# call EXPECTED METHOD PATH [curl options...]: print the status (and the body of an error);
# fail unless the status is EXPECTED.
call() {
  local expected=$1 method=$2 path=$3 status
  shift 3
  status=$(curl -sS -X "$method" "$API$path" -o "$WALK/body.json" -D "$WALK/headers.txt" -w '%{http_code}' "$@")
  echo "$method $path -> $status"
  if [ "$status" -ge 400 ]; then python3 -m json.tool "$WALK/body.json"; fi
  [ "$status" = "$expected" ] || { echo "expected $expected" >&2; return 1; }
}
# field PATH: one value from the last response body, e.g. `field access_token` or `field actions.0.id`.
field() {
  python3 -c 'import json, sys
value = json.load(open(sys.argv[1]))
for key in sys.argv[2].split("."):
    value = value[int(key)] if isinstance(value, list) else value[key]
print(value)' "$WALK/body.json" "$1"
}
# etag: the ETag header of the last response.
etag() { sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$WALK/headers.txt" | tr -d '\r'; }

# --- 1. Two accounts: an administrator and the Gwent board's system --------------------------------
.venv/bin/registry create-user --username admin --password 'a-long-admin-passphrase' --role admin \
  || echo "(admin exists already)"
.venv/bin/registry create-user --username gwent-board --password 'a-long-board-passphrase' \
  --role board --region gwent || echo "(gwent-board exists already)"

# --- 2. Tokens (valid for 15 minutes) -------------------------------------------------------------
call 200 POST /auth/token -d grant_type=password -d username=gwent-board -d password=a-long-board-passphrase
BOARD="Authorization: Bearer $(field access_token)"
call 200 POST /auth/token -d grant_type=password -d username=admin -d password=a-long-admin-passphrase
ADMIN="Authorization: Bearer $(field access_token)"
call 200 GET /auth/me -H "$BOARD"
cat "$WALK/body.json"; echo

# --- 3. A draft review (anonymised, as the published reports are) ---------------------------------
# The board's reference is unique per region; $RANDOM lets the walk-through run more than once.
# review_type is deliberately wrong: the child was on the CP register, so the review must be extended.
cat > "$WALK/review.json" <<JSON
{
  "region": "gwent", "reference": "GWSB $RANDOM/2023", "kind": "cpr", "review_type": "concise",
  "trigger_outcome": "died", "on_cp_register_6m": true, "looked_after_6m": false,
  "reviewers": [{"name": "A. Reviewer", "organisation": "Independent"}, {"name": "B. Reviewer"}],
  "title": "Child A",
  "summary": "Child A died aged nine months. Chronologies were missing and the father was not consulted.",
  "age_band": "under-1", "abuse_categories": ["neglect"], "agencies": ["health-visiting", "police"],
  "themes": ["voice-of-the-child", "hierarchy-of-knowledge"], "completed_on": "2023-05-01",
  "recommendations": [
    {"ref": "R1", "text": "Agencies keep a shared chronology for every child on the register.", "level": "regional_board"},
    {"ref": "R2", "text": "Practitioners seek the views of fathers and new partners.", "level": "agency"}
  ]
}
JSON
call 201 POST /reviews -H "$BOARD" -H 'Content-Type: application/json' -d @"$WALK/review.json"
REVIEW=$(field id)
REVIEW_ETAG=$(etag)
echo "review $REVIEW, status $(field status), ETag $REVIEW_ETAG"

# --- 4. Submitting too early: 422, every broken rule listed at once -------------------------------
call 422 POST "/reviews/$REVIEW/submit" -H "$BOARD"

# --- 5. Fix the review type (a JSON merge patch; If-Match is the ETag just read) -------------------
call 200 PATCH "/reviews/$REVIEW" -H "$BOARD" -H "If-Match: $REVIEW_ETAG" \
  -H 'Content-Type: application/json' -d '{"review_type": "extended"}'
echo "review_type $(field review_type), ETag now $(etag)"

# --- 6. The action plan: every recommendation answered by at least one action ---------------------
cat > "$WALK/plan.json" <<JSON
{"actions": [
  {"recommendation_ref": "R1", "description": "Introduce a shared multi-agency chronology and audit its use after six months.",
   "lead_agency": "childrens-social-care", "target_date": "2027-03-31"},
  {"recommendation_ref": "R2", "description": "Add fathers and new partners to the assessment checklist; train health visitors.",
   "lead_agency": "health-visiting", "target_date": "2026-12-31"}
]}
JSON
call 201 PUT "/reviews/$REVIEW/action-plan" -H "$BOARD" -H 'Content-Type: application/json' -d @"$WALK/plan.json"

# --- 7. The report: a review is published with it --------------------------------------------------
python3 - "$WALK/report.pdf" <<'PY'   # a one-page PDF, written byte by byte (no PDF library needed)
import sys
text = b"Child A. Chronologies were missing and the father was not consulted."
stream = b"BT /F1 12 Tf 72 712 Td (" + text + b") Tj ET"
objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
           b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
           b" /Resources << /Font << /F1 5 0 R >> >> >>",
           b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
           b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
pdf, offsets = bytearray(b"%PDF-1.4\n"), []
for number, body in enumerate(objects, 1):
    offsets.append(len(pdf))
    pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
xref = len(pdf)
pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
open(sys.argv[1], "wb").write(pdf)
PY
call 201 PUT "/reviews/$REVIEW/documents/report" -H "$BOARD" -F "file=@$WALK/report.pdf;type=application/pdf"
# Its text is read after the answer (a new version of the review): wait until it is.
for _ in $(seq 50); do
  call 200 GET "/reviews/$REVIEW/documents" -H "$BOARD" > /dev/null
  grep -q '"text_status":"extracted"' "$WALK/body.json" && break
  sleep 0.2
done
echo "report text: $(field 0.text_status)"

# --- 8. Submit, then publish ----------------------------------------------------------------------
call 200 POST "/reviews/$REVIEW/submit" -H "$BOARD"
echo "status $(field status)"
call 200 POST "/reviews/$REVIEW/publish" -H "$BOARD"
echo "status $(field status), published_on $(field published_on), public until $(field public_until)"

# --- 9. A correction after publication: a reason and a merge patch, under If-Match ---------------
cat > "$WALK/correction.json" <<JSON
{"reason": "The panel completed the review on 2 May 2023, as its report says.",
 "changes": {"completed_on": "2023-05-02"}}
JSON
call 200 POST "/reviews/$REVIEW/corrections" -H "$BOARD" -H "If-Match: $(etag)" \
  -H 'Content-Type: application/merge-patch+json' -d @"$WALK/correction.json"
echo "completed_on $(field completed_on), corrected at $(field corrected_at)"
call 200 GET "/reviews/$REVIEW/corrections"
echo "anyone reads why: $(field items.0.reason)"

# --- 10. Anyone may read it during its public window; lists show what the caller may see -----------
call 200 GET "/reviews/$REVIEW"
echo "anonymous reader sees: $(field reference), $(field title), $(field status)"
call 200 GET "/reviews?region=gwent&theme=voice-of-the-child&limit=5"
python3 -c 'import json, sys
for item in json.load(open(sys.argv[1]))["items"]:
    print(" ", item["reference"], item["status"], item["title"])' "$WALK/body.json"

# --- 11. Progress on an action after publication: If-Match carries the action's own version ---------
call 200 GET "/reviews/$REVIEW/action-plan" -H "$BOARD"
ACTION=$(field actions.0.id)
ACTION_ETAG="\"$(field actions.0.version)\""
call 200 PATCH "/reviews/$REVIEW/action-plan/actions/$ACTION" -H "$BOARD" -H "If-Match: $ACTION_ETAG" \
  -H 'Content-Type: application/json' \
  -d '{"status": "in_progress", "progress_note": {"note": "Chronology template agreed by all agencies.", "evidence": "Board minutes, June"}}'
echo "action $(field status), version $(field version)"

# --- 12. Someone still holding the old ETag is refused with 412, not silently overwritten ----------
call 412 PATCH "/reviews/$REVIEW/action-plan/actions/$ACTION" -H "$ADMIN" -H "If-Match: $ACTION_ETAG" \
  -H 'Content-Type: application/json' -d '{"status": "completed"}'

# --- 13. Search: a token is needed; every word must match, "a phrase" in order, -excluded ---------
# With OpenSearch a change shows up a moment after its response; with the SQL default, at once.
call 401 GET /search --get --data-urlencode 'q=chronology'
call 200 GET /search -H "$BOARD" --get --data-urlencode 'q=chronology "new partners" -grandparents' \
  --data-urlencode 'region=gwent' --data-urlencode 'limit=5'
python3 -c 'import json, sys
answer = json.load(open(sys.argv[1]))
print("total", answer["total"], "- this review found:", any(i["id"] == sys.argv[2] for i in answer["items"]))
for item in answer["items"][:2]:
    print(" ", item["reference"], item["status"], item["highlights"][:1])
print("  by year:", [(f["key"], f["count"]) for f in answer["facets"]["year"]])' "$WALK/body.json" "$REVIEW"

# --- 14. Trends (1 to 4 hidden below the inspectorate) and overdue actions by age ------------------
show_trend() {
  python3 -c 'import json, sys
answer = json.load(open(sys.argv[1]))
print("  suppression", answer["suppression"])
for bucket in answer["buckets"]:
    print("   ", bucket["key"], "hidden" if bucket["suppressed"] else bucket["count"])' "$WALK/body.json"
}
call 200 GET "/trends?group_by=region,year" -H "$BOARD"
show_trend
call 200 GET "/trends?group_by=region,year" -H "$ADMIN"
show_trend
call 200 GET /actions/overdue -H "$BOARD"
python3 -c 'import json, sys
answer = json.load(open(sys.argv[1]))
print("  overdue on", answer["as_of"], ":", answer["total"], [(g["region"], g["lead_agency"], g["ageing"]) for g in answer["groups"]])' "$WALK/body.json"

# --- 13. Learning: a researcher codes a passage; agreement, similar recommendations, a measure, a feed --
.venv/bin/registry create-user --username researcher --password 'a-long-researcher-passphrase' --role researcher \
  || echo "(researcher exists already)"
call 200 POST /auth/token -d grant_type=password -d username=researcher -d password=a-long-researcher-passphrase
RESEARCHER="Authorization: Bearer $(field access_token)"
# A coding quotes the passage exactly, with its offsets in the field's text as it is now.
call 200 GET "/reviews/$REVIEW" -H "$RESEARCHER"
QUOTE="the father was not consulted"
START=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["summary"].index(sys.argv[2]))' "$WALK/body.json" "$QUOTE")
code_it() {  # code_it HEADER THEME PERSPECTIVE: code the quote with a theme from a perspective
  call 201 POST "/reviews/$REVIEW/codings" -H "$1" -H 'Content-Type: application/json' -d "{\"theme\": \"$2\",
    \"perspective\": \"$3\", \"quote\": \"$QUOTE\", \"location\": {\"field\": \"summary\", \"start\": $START,
    \"end\": $((START + ${#QUOTE}))}, \"note\": \"The father was never asked.\"}"
}
code_it "$RESEARCHER" fathers-overlooked social-work
code_it "$ADMIN" tunnel-vision legal    # a second coder, coding independently
# Agreement on a theme counts a coder who coded it or any of its sub-themes.
call 200 GET "/codings/agreement?theme=hierarchy-of-knowledge" -H "$RESEARCHER"
python3 -c 'import json, sys
for t in json.load(open(sys.argv[1]))["themes"]:
    print("  ", t["theme"], t["reviews"], "review(s),", t["coders"], "coders:", t["statistic"], t["value"], t.get("reason") or "")' "$WALK/body.json"
# The recommendations of other reviews most like R2, across regions and years.
call 200 GET "/reviews/$REVIEW/recommendations/R2/similar?limit=3" -H "$RESEARCHER"
python3 -c 'import json, sys
answer = json.load(open(sys.argv[1]))
print("  like:", answer["source"]["text"])
for item in answer["items"]:
    print("   ", item["score"], item["review"]["reference"], item["ref"], item["text"], item["action_status"])' "$WALK/body.json"
# A trend with a measure: recommendations by coded theme; a sub-theme's review counts under its theme too.
call 200 GET "/trends?group_by=coded_theme&measure=recommendations" -H "$ADMIN"
show_trend
# A saved search and its Atom feed: the feed's address carries a secret token, shown this once.
call 201 POST /saved-searches -H "$RESEARCHER" -H 'Content-Type: application/json' \
  -d '{"name": "Gwent chronologies", "q": "chronology", "filters": {"region": "gwent"}}'
FEED_URL=$(field feed_url)
curl -sS "$FEED_URL" -o "$WALK/feed.xml"
python3 -c 'import sys, xml.etree.ElementTree as ET
atom = "{http://www.w3.org/2005/Atom}"
feed = ET.parse(sys.argv[1]).getroot()
print("  feed:", feed.find(atom + "title").text)
for entry in feed.findall(atom + "entry")[:3]:
    print("   ", entry.find(atom + "updated").text, entry.find(atom + "title").text)' "$WALK/feed.xml"

rm -rf "$WALK"
echo "walk-through complete"
