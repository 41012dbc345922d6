"""Named crash points, so tests can SIGKILL a real process at an exact moment.

Setting ``REVIEWBOT_CRASH_AT=<name>`` makes the process kill itself with SIGKILL when it
reaches that point; unset (always, outside the crash tests) it costs one dict lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "REVIEWBOT_CRASH_AT"


def crash_point(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
