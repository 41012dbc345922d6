"""Named crash points, so tests can SIGKILL a real process at an exact moment.

Setting ``REVIEWBOT_CRASH_AT=<name>`` makes the process kill itself with SIGKILL when it
reaches that point; ``<name>@<n>`` waits for the n-th time (a crash after two documents
of five are stored, say). Unset (always, outside the crash tests) it costs one dict
lookup.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "REVIEWBOT_CRASH_AT"

_reached: Counter[str] = Counter()


def crash_point(name: str) -> None:
    wanted = os.environ.get(ENV)
    if wanted is None:
        return
    target, _, nth = wanted.partition("@")
    if target != name:
        return
    _reached[name] += 1
    if _reached[name] >= (int(nth) if nth.isdigit() else 1):
        os.kill(os.getpid(), signal.SIGKILL)
