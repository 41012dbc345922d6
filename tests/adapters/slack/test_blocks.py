"""Block Kit rendering, escaping and command names, without a network."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from adapters.slack.blocks import escape, render, unescape
from adapters.slack.commands import slack_text, slash_name, slash_names
from adapters.slack.permissions import managed_subcommand, needs_membership
from bot.commands.definitions import DAILY, HELP, QUOTE
from bot.models import Label, Mood, Quote, QuoteKind
from bot.replies import (
    ErrorReply,
    HelpEntry,
    HelpReply,
    PostTime,
    QuoteReply,
    ScheduleReply,
    ScheduleView,
)

MANIFEST = Path(__file__).parents[3] / "adapters" / "slack" / "manifest.yaml"


def _quote(text: str) -> QuoteReply:
    quote = Quote(
        id=1,
        text=text,
        film="Her (2013)",
        kind=QuoteKind.CRITIC,
        label=Label.POSITIVE,
        polarity=0.5,
        confidence=0.9,
        author="A <b>Critic</b>",
        outlet=None,
        published=None,
        source="seed",
    )
    return QuoteReply(quote=quote, mood=Mood.ANY, film_id=1, remaining=3, pool_size=4)


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<!channel> hi", "&lt;!channel&gt; hi"),
        ("<@U123|bob>", "&lt;@U123|bob&gt;"),
        ("a & b", "a &amp; b"),
        ("&lt;", "&amp;lt;"),
    ],
)
def test_escape_round_trips(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped
    assert unescape(escaped) == raw


def test_quote_blocks_never_carry_a_live_mention() -> None:
    message = render(_quote("<!here> & <!everyone>: <@U1> loved it"), "")
    raw = json.dumps({"text": message.text, "blocks": message.blocks})
    assert "<!" not in raw and "<@" not in raw and "<b>" not in raw
    quoted = message.blocks[0]["text"]["text"]
    assert quoted == ">&lt;!here&gt; &amp; &lt;!everyone&gt;: &lt;@U1&gt; loved it"
    assert "A &lt;b&gt;Critic&lt;/b&gt;" in message.blocks[1]["elements"][0]["text"]
    assert message.response_type == "in_channel"


def test_long_quote_is_clipped_without_breaking_an_entity() -> None:
    message = render(_quote("&" * 5000), "")
    text = message.blocks[0]["text"]["text"]
    assert len(text) <= 3000
    assert re.fullmatch(r">(&amp;)+…", text), text[-20:]


def test_multi_line_quote_stays_one_blockquote() -> None:
    text = render(_quote("first line\nsecond line"), "").blocks[0]["text"]["text"]
    assert text == ">first line\n>second line"


def test_error_is_ephemeral_with_its_id() -> None:
    message = render(ErrorReply("No <film>", error_id="abc123", ephemeral=True), "")
    assert message.response_type == "ephemeral"
    assert message.blocks[0]["text"]["text"] == ":warning: No &lt;film&gt;"
    assert "abc123" in message.blocks[1]["elements"][0]["text"]


def test_schedule_without_a_schedule_is_one_section() -> None:
    message = render(ScheduleReply(message="No daily quote here.", ephemeral=True), "")
    assert [b["type"] for b in message.blocks] == ["section"]


def _view(**changes: object) -> ScheduleView:
    base = ScheduleView(
        name="rave", active=True, local_time="02:30", timezone="America/New_York",
        days="Sun", mood=Mood.POSITIVE, film="Her (2013)",
        upcoming=(PostTime("2026-03-08T03:30:00-04:00", "2026-03-08T07:30:00Z", shifted=True),
                  PostTime("2026-03-15T02:30:00-04:00", "2026-03-15T06:30:00Z")),
    )
    return replace(base, **changes)


def test_next_posts_are_shown_in_each_readers_zone_and_the_shifted_one_is_marked() -> None:
    text = render(ScheduleReply(message="Set.", schedules=(_view(),)), "").blocks[1]["text"]["text"]
    lines = text.split("\n")
    assert lines[:2] == ["*rave: 02:30 America/New_York, Sun, mood positive, Her (2013)*",
                         "Status: active"]
    # A date token per post (Slack shows it in the reader's zone), the schedule's own local
    # time and offset after it, and the post a spring-forward gap moved is marked.
    assert lines[2] == (
        "<!date^1772955000^{date_long_pretty} {time}|Sun 2026-03-08 03:30 -04:00 = 07:30 UTC "
        "(moved by the clock change)> · 03:30 -04:00 (moved by the clock change)"
    )
    assert lines[3].startswith("<!date^1773556200^{date_long_pretty} {time}|")
    assert "moved" not in lines[3]


def test_a_schedules_user_group_is_named_never_mentioned_in_replies() -> None:
    reply = ScheduleReply(message="Set.", schedules=(_view(role="S0TEAM", name="<!here>"),))
    message = render(reply, "")
    text = message.blocks[1]["text"]["text"]
    assert "<!subteam" not in text and "<!here>" not in text and "&lt;!here&gt;" in text
    assert "`S0TEAM`" in text


def test_help_uses_prefixed_names() -> None:
    reply = HelpReply(entries=(HelpEntry("/quote [mood]", "A quote"), HelpEntry("/help", "Help")))
    assert "`/rb-quote [mood]`" in render(reply, "rb-").blocks[0]["text"]["text"]
    assert "`/reviewbot-help`" in render(reply, "").blocks[1]["text"]["text"]


def test_slash_names() -> None:
    assert slash_name(QUOTE) == "quote"
    assert slash_name(HELP) == "reviewbot-help"
    assert slash_name(HELP, "rb-") == "rb-help"
    assert set(slash_names("rb-")) == {
        "/rb-quote",
        "/rb-mood",
        "/rb-verdict",
        "/rb-daily",
        "/rb-review",
        "/rb-film",
        "/rb-films",
        "/rb-help",
    }
    assert slack_text("/films or /film add", "rb-") == "/rb-films or /rb-film add"
    assert slack_text("/daily set <time>", "rb-") == "/rb-daily set <time>"
    assert slack_text("see it in /review.", "rb-") == "see it in /rb-review."


def test_manifest_lists_exactly_the_registered_commands() -> None:
    manifest = MANIFEST.read_text(encoding="utf-8")
    listed = set(re.findall(r"^\s+- command: (\S+)$", manifest, re.MULTILINE))
    assert listed == set(slash_names(""))
    for scope in (
        "commands",
        "chat:write",
        "users:read",
        "channels:read",
        "groups:read",
        "im:write",
    ):
        assert re.search(rf"^\s+- {re.escape(scope)}$", manifest, re.MULTILINE), scope
    assert "socket_mode_enabled: true" in manifest
    assert re.search(r"interactivity:\n\s+is_enabled: true", manifest)


@pytest.mark.parametrize(
    ("text", "admin", "membership"),
    [
        ("set 09:00", "set", True),
        ("SET 09:00", "set", True),
        ("resume", "resume", True),
        ("pause", "pause", False),
        ("off", "off", False),
        ("show", None, None),
        ("", None, None),
    ],
)
def test_which_daily_subcommands_need_rights_and_membership(
    text: str, admin: str | None, membership: bool | None
) -> None:
    sub = managed_subcommand(DAILY, text)
    assert (sub.name if sub else None) == admin
    if sub is not None:
        assert needs_membership(sub) is membership
    assert managed_subcommand(QUOTE, text) is None


def test_a_small_pools_note_is_shown_with_the_quote() -> None:
    """Honest answers reach Slack, not only the console."""
    note = "Her (2013) has only 11 confident negative critic quotes: critics loved it."
    reply = _quote("A cold, clinical bubble.")
    assert note in json.dumps(render(replace(reply, note=note), "").blocks)
    assert "critics loved it" not in json.dumps(render(reply, "").blocks)


@pytest.mark.parametrize(("url", "outlet", "shown"), [
    ("https://films.example/her?a=1&b=2", "The <Paper>",
     " · <https://films.example/her?a=1&amp;b=2|The &lt;Paper&gt;>"),
    ("http://www.blog.example/r/1", None, " · <http://www.blog.example/r/1|blog.example>"),
    ("javascript:alert(1)", "X", None),
    ("https://evil.example/x|<!channel>", "X", None),
])
def test_the_context_line_links_back_to_the_review(
    url: str, outlet: str | None, shown: str | None
) -> None:
    quote = replace(_quote("A tender, lovely film.").quote, url=url, outlet=outlet)
    message = render(QuoteReply(quote=quote, mood=Mood.ANY, film_id=1, remaining=0,
                                pool_size=1), "")
    context = message.blocks[1]["elements"][0]["text"]
    if shown is None:
        assert "<" not in context.replace("&lt;", "") and "javascript" not in context
    else:
        assert context.endswith(shown)
    assert "<!" not in json.dumps(message.blocks)
