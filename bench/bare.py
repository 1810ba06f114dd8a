"""The framework's ceiling: a bare FastAPI app answering the registry's read-by-id route.

No auth, no database, no middleware: it returns, for any id, the JSON document read once at import
from the file named by `BENCH_BARE_DOCUMENT` (the benchmark writes there the body the registry
returned for the same review, so both servers send the same bytes). The handler is `async def`,
so no threadpool hop either: nothing FastAPI serves can be faster.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI

DOCUMENT: dict[str, Any] = json.loads(Path(os.environ["BENCH_BARE_DOCUMENT"]).read_bytes())

app = FastAPI()


@app.get("/api/v1/reviews/{review_id}")
async def get_review(review_id: str) -> dict[str, Any]:
    """The loaded document, whatever the id."""
    return DOCUMENT
