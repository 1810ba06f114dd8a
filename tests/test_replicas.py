"""Several worker processes behave as one service: `registry serve --workers 2` on the suite's
database (PostgreSQL in the PostgreSQL pass), over real HTTP, each request on a connection of its
own so that the kernel hands them to either worker. What one worker writes, the other reads; a
stale edit is refused whichever worker takes it; the audit trail and the metrics add up over both.
(Sign-in throttling across workers is proven in test_hardening.py, on the same kind of server.)"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import httpx2 as httpx
import pytest

from app.accounts import service
from app.db import build_sessionmaker
from tests import flows
from tests.conftest import all_at_once, requests_total, running_server, subprocess_env
from tests.flows import API

PASSWORD = "a long enough passphrase"
# More requests than workers, sent at once, each on a connection of its own.
REQUESTS = 24


@pytest.fixture
def two_workers(isolated_engine, tmp_path):
    """A two-worker server, a board officer of gwent and an inspector, and the folder the workers
    keep their metrics in (set by hand, as an operator of a container would)."""
    with build_sessionmaker(isolated_engine)() as session:
        service.create_user(session, username="officer", password=PASSWORD, role="board", region="gwent")
        service.create_user(session, username="inspector", password=PASSWORD, role="inspectorate", region=None)
        session.commit()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = subprocess_env(
        database_url=isolated_engine.url.render_as_string(hide_password=False), documents_dir=str(tmp_path / "documents")
    )
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    with running_server(env, workers=2) as (base, _log):
        # Ready means one worker answered; wait for the other too.
        _until_both_workers_answered(metrics_dir, "get_liveness", lambda http: http.get(f"{base}/healthz"))
        yield base, metrics_dir


def _bearer(base: str, username: str) -> dict[str, str]:
    answer = httpx.post(f"{base}{API}/auth/token", data={"grant_type": "password", "username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _workers_that_answered(metrics_dir: Path, operation: str) -> int:
    """How many worker processes have counted a request to `operation`: each keeps its counters in
    a file of its own (counter_<pid>.db), whose keys hold the label values as they are."""
    return sum(1 for path in metrics_dir.glob("counter_*.db") if f'"{operation}"'.encode() in path.read_bytes())


def _until_both_workers_answered(metrics_dir: Path, operation: str, send):  # type: ignore[no-untyped-def]
    """Send `REQUESTS` requests at once, again until both workers have answered some (which
    worker takes a connection is the kernel's choice); every answer."""
    answers: list[httpx.Response] = []
    while _workers_that_answered(metrics_dir, operation) < 2:
        assert len(answers) < 10 * REQUESTS, "one worker took every request"
        answers += all_at_once([send] * REQUESTS, timeout=60)
    return answers


def test_a_review_written_through_one_worker_is_read_and_found_through_every_worker(two_workers):
    base, metrics_dir = two_workers
    with httpx.Client(base_url=base, timeout=60) as http:
        review = flows.review_in(http, _bearer(base, "officer"), "published", title="Kingfisher Lane review")
    inspector = _bearer(base, "inspector")

    reads = _until_both_workers_answered(
        metrics_dir, "get_review", lambda http: http.get(f"{base}{API}/reviews/{review['id']}", headers=inspector)
    )
    assert {answer.status_code for answer in reads} == {200}
    assert {answer.json()["title"] for answer in reads} == {"Kingfisher Lane review"}
    found = _until_both_workers_answered(
        metrics_dir, "search_reviews", lambda http: http.get(f"{base}{API}/search", params={"q": "kingfisher"}, headers=inspector)
    )
    assert {(answer.status_code, answer.json()["total"]) for answer in found} == {(200, 1)}
    assert {answer.json()["items"][0]["id"] for answer in found} == {review["id"]}


def test_of_edits_made_from_the_same_version_on_two_workers_exactly_one_lands(two_workers):
    base, _ = two_workers
    officer = _bearer(base, "officer")
    with httpx.Client(base_url=base, timeout=60) as http:
        review = flows.create(http, officer)
        etag = http.get(f"{API}/reviews/{review['id']}", headers=officer).headers["etag"]

    edits = all_at_once(
        [
            lambda http: http.patch(
                f"{base}{API}/reviews/{review['id']}",
                json={"summary": f"Edited from thread {threading.get_ident()}."},
                headers={**officer, "If-Match": etag, "Content-Type": "application/merge-patch+json"},
            )
        ]
        * REQUESTS,
        timeout=60,
    )
    assert Counter(answer.status_code for answer in edits) == {200: 1, 412: REQUESTS - 1}
    landed = next(answer.json()["summary"] for answer in edits if answer.status_code == 200)
    with httpx.Client(base_url=base, timeout=60) as http:
        assert http.get(f"{API}/reviews/{review['id']}", headers=officer).json()["summary"] == landed
        # The audit trail holds every attempt, each with the status its caller was given.
        events = http.get(
            f"{API}/audit",
            params={"action": "review:edit", "target_id": review["id"], "limit": 100},
            headers=_bearer(base, "inspector"),
        ).json()["items"]
    assert Counter(event["status"] for event in events) == {200: 1, 412: REQUESTS - 1}


def test_the_metrics_add_up_over_both_workers_whichever_answers_the_scrape(two_workers):
    base, metrics_dir = two_workers
    answers = _until_both_workers_answered(
        metrics_dir, "get_review", lambda http: http.get(f"{base}{API}/reviews/no-such-review")
    )
    assert {answer.status_code for answer in answers} == {404}
    scrapes = all_at_once([lambda http: http.get(f"{base}/metrics")] * 4, timeout=60)
    assert {requests_total(scrape.text, "get_review", "404") for scrape in scrapes} == {len(answers)}
    assert all("registry_search_outbox_pending" in scrape.text for scrape in scrapes)
