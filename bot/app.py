"""ReviewBot: the one object adapters talk to. STUB: being implemented (issue 3)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.clock import Clock
from bot.invocation import Invocation
from bot.replies import Reply
from bot.sentiment import Scorer
from bot.settings import Settings


class ReviewBot:
    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        scorer: Scorer | None = None,
        ingest_default_corpus: bool = True,
    ) -> ReviewBot:
        """Open the database (migrations applied), ingest the default corpus if empty."""
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def handle(
        self,
        inv: Invocation,
        command: str,
        options: Mapping[str, str | None] | None = None,
        subcommand: str | None = None,
    ) -> Reply:
        """Run a command from structured options (Discord). Never raises."""
        raise NotImplementedError

    async def handle_text(self, inv: Invocation, line: str) -> Reply:
        """Run a command typed as words: ``/quote negative film:Her``. Never raises."""
        raise NotImplementedError

    async def another(self, inv: Invocation, value: str) -> Reply:
        """The "Another" button: ``value`` is ``QuoteReply.another_value``."""
        raise NotImplementedError

    async def film_names(self, prefix: str = "", limit: int = 25) -> list[str]:
        """Film names for autocomplete, best matches first."""
        raise NotImplementedError
