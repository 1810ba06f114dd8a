"""Self-check of the load generator (by hand, not pytest): hammer the bare server for 3 s.

    .venv/bin/python bench/check_load.py

Serves a small document from bench/bare.py on core 0, loads it from core 1 with 16 connections,
and prints hammer()'s result and the server's peak RSS.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: import bench.*

from bench.load import run_hammer
from bench.servers import free_port, start_server

DOCUMENT = {"id": 1, "title": "Child A", "recommendations": [{"n": i, "text": "Share information."} for i in range(5)]}


def main() -> None:
    """Start the bare server, hammer it, print the numbers."""
    with tempfile.TemporaryDirectory() as tmp:
        document = Path(tmp) / "document.json"
        document.write_text(json.dumps(DOCUMENT))
        with start_server("bare", free_port(), {"BENCH_BARE_DOCUMENT": str(document)}, cpu=0) as server:
            os.sched_setaffinity(0, {1})  # the load generator on the other core
            result = run_hammer(f"{server.url}/api/v1/reviews/1", headers={}, concurrency=16, seconds=3.0)
            print(json.dumps(result, indent=2))
            print(f"server peak RSS: {server.peak_rss_mb():.1f} MiB")


if __name__ == "__main__":
    main()
