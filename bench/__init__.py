"""`make bench`: performance figures at realistic (1x) and 10x scale.

Each domain adds a module with a ``run(env) -> list[Figure]`` function and lists it in
``MODULES``; results go to ``bench/results.json`` as ``{name: {value, unit, target, pass}}``.
"""

import logging
import os

# The bench calls page code outside a Streamlit server ("bare mode"): Streamlit warns about it at
# every call (hundreds of lines around the table). Only errors are shown; spawned processes
# import this package first and inherit the variable.
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

from streamlit import logger as _streamlit_logger  # noqa: E402

_streamlit_logger.set_log_level("error")


class _NoBareModeWarning(logging.Filter):
    """AppTest sets Streamlit's log level back from its own config when it runs a page: a filter on
    the one logger that warns about bare mode outlives that."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "bare mode" not in record.getMessage()


_streamlit_logger.get_logger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NoBareModeWarning())
