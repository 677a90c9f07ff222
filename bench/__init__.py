"""`make bench`: performance figures at realistic (1x) and 10x scale.

Each domain adds a module with a ``run(env) -> list[Figure]`` function and lists it in
``MODULES``; results go to ``bench/results.json`` as ``{name: {value, unit, target, pass}}``.
"""

import os

# The bench calls page code outside a Streamlit server ("bare mode"): Streamlit warns about it at
# every call (hundreds of lines around the table). Only errors are shown; spawned processes
# import this package first and inherit the variable.
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

from streamlit import logger as _streamlit_logger  # noqa: E402

_streamlit_logger.set_log_level("error")
