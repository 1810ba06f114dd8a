#!/usr/bin/env bash
# The walk-through of docs/integrating.md, as one script: a review from draft to published, then its
# action plan kept up to date. Run it from the repository folder while `make run` serves the API in another terminal:
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

rm -rf "$WALK"
echo "walk-through complete"
