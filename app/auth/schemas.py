"""Token and identity bodies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from app.auth.principals import Role


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class MeOut(BaseModel):
    subject: str
    role: Role
    region: str | None
