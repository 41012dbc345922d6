"""Every command through the ReviewBot facade, on a real database with the default corpus."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.app import ReviewBot
from bot.commands.definitions import COMMANDS
from bot.invocation import Invocation
from bot.models import Label, QuoteKind
from bot.replies import (
    CorpusMoodReply,
    ErrorReply,
    HelpReply,
    QuoteReply,
    ScheduleReply,
    TextMoodReply,
    VerdictReply,
)
from tests.backends import both_backends as backend  # noqa: F401
from tests.bot.test_safe_text import huge_text, nasty_text, unsafe_chars


async def test_quote_never_repeats_until_the_pool_is_exhausted(
    core: ReviewBot, admin: Invocation
) -> None:
    first = await core.handle_text(admin, "/quote negative")
    assert isinstance(first, QuoteReply)
    size = first.pool_size
    ids = [first.quote.id]
    for _ in range(size - 1):
        reply = await core.another(admin, first.another_value)
        assert isinstance(reply, QuoteReply) and reply.quote.label is Label.NEGATIVE
        ids.append(reply.quote.id)
    assert len(set(ids)) == size
    assert reply.remaining == 0
    again = await core.another(admin, first.another_value)
    assert isinstance(again, QuoteReply) and again.remaining == size - 1  # a new round


async def test_channels_have_their_own_decks(core: ReviewBot, admin: Invocation) -> None:
    other = Invocation("console", "random", "U1", workspace="W1")
    a = [await core.handle_text(admin, "/quote") for _ in range(3)]
    b = await core.handle_text(other, "/quote")
    assert isinstance(b, QuoteReply) and b.remaining == b.pool_size - 1
    assert all(isinstance(r, QuoteReply) for r in a)


async def test_quote_json_has_the_promised_fields(core: ReviewBot, admin: Invocation) -> None:
    reply = await core.handle_text(admin, "/quote positive")
    body = reply.to_json()
    assert body["type"] == "quote"
    assert {"text", "label", "author", "film", "kind"} <= set(body["quote"])
    assert body["quote"]["label"] == "positive" and body["quote"]["film"] == "Her (2013)"


async def test_mood_of_a_text_names_its_drivers(core: ReviewBot, admin: Invocation) -> None:
    reply = await core.handle_text(admin, "/mood a dull, lifeless and boring film")
    assert isinstance(reply, TextMoodReply) and reply.label is Label.NEGATIVE
    assert reply.polarity < 0


async def test_mood_of_the_critics(core: ReviewBot, admin: Invocation) -> None:
    reply = await core.handle_text(admin, "/mood")
    assert isinstance(reply, CorpusMoodReply)
    assert reply.total == 251 and sum(c.count for c in reply.counts) == 251
    assert {c.label for c in reply.counts} == set(Label)


async def test_verdict(core: ReviewBot, admin: Invocation) -> None:
    reply = await core.handle_text(admin, "/verdict Her")
    assert isinstance(reply, VerdictReply)
    assert reply.consensus and reply.consensus.startswith("Sweet, soulful")
    assert reply.critics.count == 251 and reply.readers.count > 0 and reply.reviews.count > 0
    assert reply.score is not None and reply.fresh == (reply.score >= 0.6)
    film = (await core.corpus.films())[0]
    critics = [q for q in await core.corpus.quotes(film.id) if q.kind is QuoteKind.CRITIC]
    assert reply.critics.positive == sum(q.label is Label.POSITIVE for q in critics)


async def test_help_lists_every_registered_command(core: ReviewBot, admin: Invocation) -> None:
    reply = await core.handle_text(admin, "/help")
    assert isinstance(reply, HelpReply) and reply.ephemeral
    usages = " ".join(e.usage for e in reply.entries)
    for spec in COMMANDS:
        assert f"/{spec.name}" in usages
        for sub in spec.subcommands:
            assert f"/{spec.name} {sub.name}" in usages


async def test_help_offers_an_attachment_only_where_one_can_be_attached(
    core: ReviewBot, admin: Invocation
) -> None:
    def film_add(reply: object) -> str:
        assert isinstance(reply, HelpReply)
        return next(e.usage for e in reply.entries if e.usage.startswith("/film add"))

    discord = Invocation("discord", "general", "U1", workspace="G1", can_manage=True)
    assert "[file]" in film_add(await core.handle_text(discord, "/help"))
    typed = film_add(await core.handle_text(admin, "/help"))
    assert "[file]" not in typed and "[source]" in typed


async def test_daily_needs_a_manager_and_a_channel(core: ReviewBot, member: Invocation) -> None:
    reply = await core.handle_text(member, "/daily set 09:00")
    assert isinstance(reply, ErrorReply) and reply.ephemeral and "manage" in reply.message
    dm = Invocation("discord", "dm", "U3", can_manage=True, in_guild=False)
    reply = await core.handle_text(dm, "/daily show")
    assert isinstance(reply, ErrorReply) and "channel" in reply.message
    reply = await core.handle_text(member, "/daily show")
    assert isinstance(reply, ErrorReply) and "/daily set" in reply.message


async def test_daily_show_gives_local_and_utc(core: ReviewBot, admin: Invocation) -> None:
    await core.handle_text(admin, "/daily set 18:30 Asia/Tokyo negative")
    reply = await core.handle_text(admin, "/daily show")
    assert isinstance(reply, ScheduleReply) and reply.ephemeral and reply.active
    assert reply.next_local == "2026-03-02T18:30:00+09:00"
    assert reply.next_utc == "2026-03-02T09:30:00Z"
    assert reply.schedules[0].mood.value == "negative"


async def test_daily_set_without_an_id_updates_and_says_how_to_add(
    core: ReviewBot, admin: Invocation
) -> None:
    first = await core.handle_text(admin, "/daily set 09:00 UTC")
    assert isinstance(first, ScheduleReply) and "new id" not in first.message
    again = await core.handle_text(admin, "/daily set 17:00 UTC negative days:fri")
    assert isinstance(again, ScheduleReply) and "updated" in again.message
    assert "id:NAME" in again.message and len(again.schedules) == 1
    added = await core.handle_text(admin, "/daily set 09:00 UTC positive id:rave")
    assert isinstance(added, ScheduleReply) and "new id" not in added.message
    shown = await core.handle_text(admin, "/daily show")
    assert isinstance(shown, ScheduleReply)
    assert sorted(s.name for s in shown.schedules) == ["1", "rave"]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("/quote sad", "'sad' is neither a mood (positive, negative, any) nor a film here; "
                       "films: Her (2013)."),
        ("/quote ecstatic Her", "'ecstatic Her' is neither a mood"),
        ("/daily set 09:00 ecstatic", "'ecstatic' is neither a time zone (such as "
                                      "Europe/Paris), a mood (positive, negative, any), days "
                                      "(such as mon-fri or weekends) nor a film"),
        ("/daily set 09:00 tokyo", "'tokyo' is neither a time zone (did you mean Asia/Tokyo?)"),
        ("/daily set 09:00 Europe", "(did you mean Europe/"),
        ("/daily set 09:00 UTC ecstatic", "'ecstatic' is neither a mood (positive, negative, "
                                          "any), days (such as mon-fri or weekends) nor a film "
                                          "here"),
        # Only one reading: the mood is given, or the word was named a film.
        ("/quote positive ecstatic", "No film matches 'ecstatic'. Films: Her (2013)."),
        ("/quote film:ecstatic", "No film matches 'ecstatic'."),
        ("/verdict ecstatic", "No film matches 'ecstatic'."),
        ("/mood film:ecstatic", "No film matches 'ecstatic'."),
        ("/quote mood:ecstatic", "mood must be positive, negative or any, not 'ecstatic'."),
        ("/daily set 24:00", "HH:MM"),
        ("/daily set 09:00 Mars/Olympus", "IANA"),
        ("/daily set 09:00 europe/paris", None),
        ("/mood " + "x" * 2001, "at most 2,000"),
    ],
)
async def test_bad_arguments(
    core: ReviewBot, admin: Invocation, line: str, says: str | None
) -> None:
    reply = await core.handle_text(admin, line)
    if says is None:
        assert isinstance(reply, ScheduleReply) and reply.timezone == "Europe/Paris"
        return
    assert isinstance(reply, ErrorReply) and reply.ephemeral and reply.usage
    assert says in reply.message and "\n" not in reply.message


async def test_several_films_need_a_choice(
    core: ReviewBot, admin: Invocation, tmp_path: Path
) -> None:
    f = tmp_path / "other.txt"
    f.write_text("A grim, tedious slog.\n\n@highlight\n\nNo.\n")
    await core.ingest([f], "Other (2001)")
    reply = await core.handle_text(admin, "/quote")
    assert isinstance(reply, ErrorReply) and "Her (2013)" in reply.message
    reply = await core.handle_text(admin, "/quote film:other")
    assert isinstance(reply, QuoteReply) and reply.quote.film == "Other (2001)"
    assert await core.film_names("o") == ["Other (2001)"]


async def test_internal_errors_show_an_id_and_log_the_traceback(
    core: ReviewBot, admin: Invocation, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(core.corpus, "stats", broken)
    with caplog.at_level(logging.ERROR):
        reply = await core.handle_text(admin, "/verdict")
    assert isinstance(reply, ErrorReply) and not reply.usage and reply.error_id
    assert "secret" not in reply.message and reply.error_id in reply.message
    assert any(reply.error_id in r.getMessage() and r.exc_info for r in caplog.records)


async def test_stale_button_is_answered(core: ReviewBot, admin: Invocation) -> None:
    for value in ("sad:1", "any:999", "any:x"):
        reply = await core.another(admin, value)
        assert isinstance(reply, ErrorReply) and reply.ephemeral


async def test_quotes_come_from_the_critics_voice(
    core: ReviewBot, admin: Invocation, tmp_path: Path
) -> None:
    # Her has critic excerpts: /quote never serves a review sentence or a reader comment.
    first = await core.handle_text(admin, "/quote")
    assert isinstance(first, QuoteReply) and first.pool_size == 251
    kinds = {first.quote.kind}
    for _ in range(60):
        reply = await core.another(admin, first.another_value)
        assert isinstance(reply, QuoteReply)
        kinds.add(reply.quote.kind)
    assert kinds == {QuoteKind.CRITIC}
    # A film known only from a review page: its review sentences speak for the critics.
    page = tmp_path / "page.txt"
    page.write_text("Posted by: Ann | May 2, 2020\n\nThe film is a tender, funny delight.\n\n"
                    "The ending is clumsy and far too long.\n\n  1. I loved every minute of it.\n")
    await core.ingest([page], "Page (2020)")
    reply = await core.handle_text(admin, "/quote film:Page")
    assert isinstance(reply, QuoteReply) and reply.pool_size == 2
    assert reply.quote.kind is QuoteKind.REVIEW and reply.quote.author == "Ann"


# -- what a user typed, quoted back ------------------------------------------------------

MAX_ERROR_CHARS = 300
# Starts that lead the rest of the line into each check: command names, subcommands,
# options by name and by position, times, zones, moods and film lookups.
LINE_STARTS = ["", "/", "/quote ", "/quote mood:", "/quote film:", "/quote positive ",
               "/verdict ", "/mood ", "/mood film:", "/daily ", "/daily set ",
               "/daily set 09:00 ", "/daily set time:", "/daily set 09:00 timezone:",
               "/daily set 09:00 UTC positive ", "/daily show ", "/help "]
OPTION_NAMES = ["mood", "film", "text", "time", "timezone"]
any_text = st.one_of(nasty_text, huge_text)
for_tests = hypothesis_settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None,
    max_examples=150,
)


def assert_one_safe_line(reply: object) -> None:
    """An error is one short printable line, and a user's text never makes it internal."""
    if isinstance(reply, ErrorReply):
        assert reply.usage, reply.message
        message = reply.message
        assert message and len(message) <= MAX_ERROR_CHARS and "\n" not in message
        assert not unsafe_chars(message), message


@for_tests
@given(st.sampled_from(LINE_STARTS), any_text)
async def test_every_typed_error_is_one_short_printable_line(
    core: ReviewBot, admin: Invocation, start: str, text: str
) -> None:
    assert_one_safe_line(await core.handle_text(admin, start + text))


@for_tests
@given(
    st.one_of(st.sampled_from([c.name for c in COMMANDS]), any_text),
    st.dictionaries(st.one_of(st.sampled_from(OPTION_NAMES), any_text),
                    st.one_of(st.none(), any_text), max_size=4),
    st.one_of(st.none(), st.sampled_from(["set", "show", "pause"]), any_text),
)
async def test_every_structured_error_is_one_short_printable_line(
    core: ReviewBot, admin: Invocation, command: str, options: dict[str, str | None],
    subcommand: str | None,
) -> None:
    assert_one_safe_line(await core.handle(admin, command, options, subcommand))


@pytest.mark.parametrize(
    "line",
    ["/quote \x1b]0;PWNED\x07", "/\x1b]52;c;cHduZWQ=\x07", "/quote mood:\x1b[2J",
     "/daily set \x1b[31m9:00", "/quote " + "A\nB\r" * 41_500, "/quote\u202eevil"],
)
async def test_escapes_and_floods_are_not_echoed(
    core: ReviewBot, admin: Invocation, line: str
) -> None:
    reply = await core.handle_text(admin, line)
    assert isinstance(reply, ErrorReply)
    assert_one_safe_line(reply)
    assert "PWNED" not in reply.message and "cHduZWQ" not in reply.message
    assert len(reply.message) < 200


async def test_a_structured_film_has_one_reading(core: ReviewBot, admin: Invocation) -> None:
    # Discord's options say which option a value is for: no "neither … nor" to guess at.
    reply = await core.handle(admin, "quote", {"film": "ecstatic"})
    assert isinstance(reply, ErrorReply)
    assert reply.message == "No film matches 'ecstatic'. Films: Her (2013)."
