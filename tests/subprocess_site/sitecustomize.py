"""Python runs this module at the start of every process whose PYTHONPATH names this folder: the
processes the tests start through `tests.conftest.subprocess_env()` (`registry serve`, `registry
import`, the walk-through's commands). It gives them the suite's cheap password hashing."""

from tests import cheap_hashing

cheap_hashing.install()
