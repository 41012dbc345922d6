"""Failures the core knows how to report without a traceback."""

from __future__ import annotations


class StartupRefused(Exception):
    """An adapter's credentials (or its settings) were refused as it started.

    ``str()`` is the one line to print, naming the variable to fix, e.g.
    ``SLACK_BOT_TOKEN was refused by Slack: invalid_auth``; the CLI prints it after
    ``reviewbot: `` and exits with status 1, with no traceback: nothing in the code
    is wrong, only the configuration.
    """
