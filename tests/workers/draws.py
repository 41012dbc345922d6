"""A worker that asks ``/quote`` many times for one channel and writes what it drew.

``python -m tests.workers.draws DATABASE READY GO OUT COUNT``: each line of OUT is a JSON
object with the quote id, the deck's ``remaining`` and ``pool_size`` from the reply, and
this process's monotonic clock (system-wide on Linux) just before the command and just
after its reply, which bound the instant the draw held the deck's lock.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

from bot.invocation import Invocation
from bot.replies import QuoteReply
from tests.workers.start import append_line, open_record, open_when_told, target_of

# One channel of a platform without cooldowns (the console), as every worker asks it.
CHANNEL = Invocation("console", "general", "U1", workspace="W1")


async def main(target: Path | str, ready: Path, go: Path, out: Path, count: int) -> int:
    bot = await open_when_told(target, ready, go)
    fd = open_record(out)
    try:
        for _ in range(count):
            before = time.monotonic_ns()
            reply = await bot.handle_text(CHANNEL, "/quote any")
            after = time.monotonic_ns()
            if not isinstance(reply, QuoteReply):
                print(f"draw failed: {reply!r}", file=sys.stderr)
                return 1
            append_line(fd, json.dumps({
                "quote": reply.quote.id, "remaining": reply.remaining,
                "pool_size": reply.pool_size, "before": before, "after": after,
                "pid": os.getpid(),
            }))
    finally:
        os.close(fd)
        await bot.close()
    return 0


if __name__ == "__main__":
    database, ready_file, go_file, out_file, draws = sys.argv[1:]
    sys.exit(asyncio.run(main(target_of(database), Path(ready_file), Path(go_file),
                              Path(out_file), int(draws))))
