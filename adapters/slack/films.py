"""/film add's progress on Slack, and the film buttons' answers.

A slash command's own answer cannot be edited more than a few times (``response_url``
takes five posts in 30 minutes), so the manager gets the start privately and the job's
progress is one channel message, posted by ``chat.postMessage`` and edited in place with
``chat.update`` (the core throttles the edits). Where the bot cannot post (not a member
of the channel), the summary alone goes to the manager through ``response_url``.

A film button (Remove/Cancel, Previous/Next) replaces the message it is on; an error
goes to the presser as a message of its own, leaving that message as it was.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import SlackMessage, render
from adapters.slack.errors import describe
from bot.app import ReviewBot
from bot.replies import ErrorReply, FilmAddReply, JobState, Reply

_log = logging.getLogger(__name__)


def follow_job(
    core: ReviewBot, client: AsyncWebClient, channel: str, reply: Reply, prefix: str,
    respond: AsyncRespond,
) -> Reply:
    """When ``reply`` started a /film add, follow its job with a channel message; the
    reply to answer the command with (the start, for the manager alone)."""
    if not isinstance(reply, FilmAddReply):
        return reply
    core.film_jobs.follow(reply.job_id, _JobMessage(client, channel, prefix, respond).show)
    return replace(reply, ephemeral=True)


class _JobMessage:
    """One job's progress message in a channel."""

    def __init__(
        self, client: AsyncWebClient, channel: str, prefix: str, respond: AsyncRespond
    ) -> None:
        self._client = client
        self._channel = channel
        self._prefix = prefix
        self._respond = respond
        self._ts: str | None = None
        self._cannot_post = False

    async def show(self, state: FilmAddReply) -> None:
        message = render(replace(state, ephemeral=False), self._prefix)
        if self._cannot_post:
            if state.state is not JobState.RUNNING:
                await self._respond(text=message.text, blocks=message.blocks,
                                    response_type="ephemeral", replace_original=False)
            return
        try:
            if self._ts is None:
                posted = await self._client.chat_postMessage(
                    channel=self._channel, text=message.text, blocks=message.blocks
                )
                self._ts = str(posted["ts"])
            else:
                await self._client.chat_update(
                    channel=self._channel, ts=self._ts, text=message.text, blocks=message.blocks
                )
        except SlackApiError as exc:
            _log.info("film job message in %s: %s", self._channel, describe(exc))
            if self._ts is None:
                self._cannot_post = True
                await self.show(state)  # the summary, if this was it, by response_url
            else:
                raise


async def answer_in_place(respond: AsyncRespond, reply: Reply | SlackMessage,
                          prefix: str) -> None:
    """Replace the pressed message with ``reply``; an error is sent on its own."""
    in_place = not isinstance(reply, (ErrorReply, SlackMessage))
    message = reply if isinstance(reply, SlackMessage) else render(reply, prefix)
    await respond(text=message.text, blocks=message.blocks,
                  response_type=message.response_type, replace_original=in_place)
