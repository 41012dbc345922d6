"""A worker that runs the daily scheduler until SIGTERM, sending through a file.

``python -m tests.workers.daily DATABASE READY GO RECORD``: each claim this process is
about to make is written to RECORD (``claim SCHEDULE DATE PID``) before the claim's
transaction starts, each post as ``sent SCHEDULE DATE PID`` before the poster returns
success (a post recorded is a post sent), and a notice (which no test expects) as
``notice SCHEDULE PID``. The poster waits a random platform latency first, so a SIGKILL
finds claims under way.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from datetime import date, datetime
from pathlib import Path

from bot.delivery import Claim
from bot.models import Schedule
from bot.replies import QuoteReply
from bot.storage.schedules import ScheduleStore
from tests.workers.start import append_line, open_record, open_when_told, target_of

LATENCY = (0.05, 0.30)  # seconds a post takes at the "platform", uniformly


class FilePoster:
    """The console's poster, as far as the scheduler can tell, recording to a file."""

    platform = "console"

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.rng = random.Random()

    async def post(self, schedule: Schedule, reply: QuoteReply, claim: Claim) -> str:
        await asyncio.sleep(self.rng.uniform(*LATENCY))
        append_line(self.fd, f"sent {claim.schedule_id} {claim.local_date} {os.getpid()}")
        return f"{os.getpid()}-{claim.schedule_id}"

    async def notify(self, schedule: Schedule, message: str) -> None:
        append_line(self.fd, f"notice {schedule.id} {os.getpid()}")


class WitnessedClaims(ScheduleStore):
    """The store, writing each claim it is about to make: a claim left unsent can then
    be traced to a process that tried it (and was killed)."""

    def __init__(self, store: ScheduleStore, fd: int) -> None:
        super().__init__(store.db)
        self.fd = fd

    async def claim(self, schedule_id: int, day: date, now: datetime) -> bool:
        append_line(self.fd, f"claim {schedule_id} {day} {os.getpid()}")
        return await super().claim(schedule_id, day, now)


async def main(target: Path | str, ready: Path, go: Path, record: Path) -> int:
    stop = asyncio.Event()  # set before ``ready``: a SIGTERM from then on ends the loop
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    bot = await open_when_told(target, ready, go)
    fd = open_record(record)
    try:
        bot.scheduler.store = WitnessedClaims(bot.schedules, fd)
        bot.scheduler.register(FilePoster(fd))
        await bot.scheduler.run(stop)
    finally:
        os.close(fd)
        await bot.close()
    return 0


if __name__ == "__main__":
    database, ready_file, go_file, record_file = sys.argv[1:]
    sys.exit(asyncio.run(main(target_of(database), Path(ready_file), Path(go_file),
                              Path(record_file))))
