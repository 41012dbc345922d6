"""The interactive prompt at a terminal: prompt_toolkit's editing, history and completion.

Its own module so that only a console at a terminal imports prompt_toolkit.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory, History, InMemoryHistory

from adapters.console.completion import CommandCompleter
from adapters.console.console import CONSOLE_WORDS, PROMPT
from bot.app import ReviewBot
from bot.settings import default_db_path

_log = logging.getLogger(__name__)

HISTORY_ENV = "REVIEWBOT_HISTORY"


def history_path() -> Path:
    """``$REVIEWBOT_HISTORY``, else a file beside the default database in the user data folder."""
    override = os.environ.get(HISTORY_ENV, "").strip()
    return Path(override) if override else default_db_path().parent / "console_history"



class TerminalLines:
    """The interactive prompt: editing, history across sessions, Tab completion.

    Ctrl-C clears the line (as in a shell) and Ctrl-D on an empty line ends the session.
    SIGINT is left to the bot's own handler (``handle_sigint=False``): prompt_toolkit's
    would replace it and, when the prompt returns, remove it, so a later ``kill -INT``
    would be ignored.
    """

    def __init__(self, core: ReviewBot) -> None:
        self._session: PromptSession[str] = PromptSession(
            PROMPT,
            history=_history(),
            completer=CommandCompleter(core.film_names, CONSOLE_WORDS),
            complete_while_typing=False,
        )

    async def read(self) -> str | None:
        while True:
            try:
                return await self._session.prompt_async(handle_sigint=False)
            except KeyboardInterrupt:
                continue
            except EOFError:
                return None


def _history() -> History:
    """The history file, or history for this session only when the file cannot be written."""
    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)  # what someone typed is theirs alone
    except OSError as exc:
        _log.warning("history not kept: cannot write %s: %s", path, exc.strerror or exc)
        return InMemoryHistory()
    return FileHistory(path)
