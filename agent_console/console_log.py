"""The console's log file: ``agent-console.log`` in the platform's user log directory, rotated at 1 MB.

A worker's exception is written here with its traceback, so a failure the agent only saw as a one-line notification
can still be understood afterwards.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOGGER_NAME = "agent_console"
LOG_FILE_NAME = "agent-console.log"


def log_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir("agent-console", appauthor=False)) / LOG_FILE_NAME


def open_console_log() -> logging.Handler | None:
    """Attach a rotating file handler to the ``agent_console`` logger; None when the directory cannot be made."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler


def close_console_log(handler: logging.Handler | None) -> None:
    if handler is not None:
        logging.getLogger(LOGGER_NAME).removeHandler(handler)
        handler.close()


def log_worker_error(worker) -> None:
    """Write a failed Textual worker's exception, with its traceback, to the log."""
    error = worker.error
    logging.getLogger(LOGGER_NAME).error("worker %s (group %s) failed", worker.name or "?", worker.group,
                                         exc_info=(type(error), error, error.__traceback__))
