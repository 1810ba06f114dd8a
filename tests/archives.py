"""Archives as a board would upload them to POST /imports: real zips (some crafted to attack the
unpacking) and NDJSON, of review files in the `registry import` format."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from tests import factories
from tests.flows import API

ZIP = "application/zip"
NDJSON = "application/x-ndjson"


def review_file(reference: str, *, region: str = "gwent", **changes: Any) -> dict[str, Any]:
    """A published review's file: the API's body, its action plan, and (by default) an old publication date."""
    body = factories.review(region=region, reference=reference, completed_on="2019-11-01") | {
        "action_plan": factories.action_plan("R1", "R2"),
        "published_on": "2020-01-10",
    }
    body.update(changes)
    return body


def encoded(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode()


def zip_of(files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as bundle:
        for name, content in files.items():
            bundle.writestr(name, content)
    return out.getvalue()


def zip_with_symlink(name: str, target: str, others: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as bundle:
        for other, content in others.items():
            bundle.writestr(other, content)
        link = zipfile.ZipInfo(name)
        link.create_system = 3  # unix, so that the mode bits are read
        link.external_attr = 0o120777 << 16  # a symbolic link; its content is the target's path
        bundle.writestr(link, target)
    return out.getvalue()


def ndjson_of(*lines: bytes) -> bytes:
    return b"\n".join(lines) + b"\n"


def upload(
    client: TestClient, headers: dict[str, str], content: bytes, *, filename: str = "archive.zip", content_type: str = ZIP
) -> Response:
    return client.post(f"{API}/imports", files={"archive": (filename, content, content_type)}, headers=headers)


def job_of(client: TestClient, headers: dict[str, str], response: Response) -> dict[str, Any]:
    """The job a 202 answered, as polled at its Location (the test client has run it by then)."""
    assert response.status_code == 202, response.text
    polled = client.get(response.headers["Location"], headers=headers)
    assert polled.status_code == 200, polled.text
    job: dict[str, Any] = polled.json()
    return job
