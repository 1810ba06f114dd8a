"""The benchmark itself, at a tiny size: every section runs and reports its ratios, so it cannot rot
between the runs that docs/benchmarks.md reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The smoke run uses SQLite and the OpenSearch stand-in, whatever the suite's database: once is enough.
pytestmark = pytest.mark.database_independent


def test_every_section_of_the_benchmark_runs_and_reports_ratios(tmp_path: Path):
    results = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--work",
            str(tmp_path / "work"),
            "--skip-postgres",
            "--reviews",
            "24",
            "--trend-reviews",
            "30",
            "--rounds",
            "1",
            "--read-seconds",
            "1",
            # The OpenSearch stand-in takes about a second a query on the corpus's long texts (one
            # round and three reviews: 60 s -> 50 s for this test, measured).
            "--opensearch-search-reviews",
            "3",
            "--json",
            str(results),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    found = json.loads(results.read_text())
    assert found["import_sqlite"]["reviews"] == 24 and found["import_sqlite"]["ratio"] > 0
    assert found["load_sqlite"]["imported"] == 6  # resumed: the first 24 were there already
    assert found["reindex_opensearch"]["reviews"] == 24
    for name in ("search_sqlite", "search_opensearch", "trends_sqlite"):
        assert found[name]["p95_ratio"] > 0 and found[name]["ours"]["n"] > 0, name
    for name in ("search_sqlite", "trends_sqlite"):  # beside the least work that answers the same question
        least = found[name]["least_work"]
        assert least["p95_ratio"] > 0 and least["least"]["n"] == found[name]["ours"]["n"], name
    for name in ("read_sqlite", "read_sqlite_large"):
        read = found[name]
        assert read["ours"]["errors"] == 0 and read["ours"]["requests"] > 0, read["ours"]
        assert read["bare"]["errors"] == 0 and read["bare_with_sql"]["errors"] == 0
        assert 0 < read["server_peak_rss_mb"] < 1000
    assert "search_sqlite" in done.stdout and "<= 1.5x" in done.stdout  # the printed table
    assert "search_sqlite / least work" in done.stdout and "trends_sqlite / least work" in done.stdout
