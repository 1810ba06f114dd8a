"""Logging for `registry serve`: handed to uvicorn, which applies it in every worker process."""

from __future__ import annotations

import copy
from typing import Any

from uvicorn.config import LOGGING_CONFIG


def log_config() -> dict[str, Any]:
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["plain"] = {"format": "%(message)s"}
    config["handlers"]["app"] = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stdout"}
    # app.access writes one JSON line per request; app.errors names what failed (never the data).
    config["loggers"]["app"] = {"handlers": ["app"], "level": "INFO", "propagate": False}
    return config
