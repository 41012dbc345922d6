"""The console as a person uses it: ``reviewbot`` at a terminal (a pseudo-terminal here).

Piped stdin cannot show the bug these guard against (an answer only after end of input),
so every test but the piped one runs the real entry point on a pty with pexpect and reads
each answer before sending the next key. Timeouts are generous for a loaded machine; the
tests are fast when it is not.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import termios
from datetime import UTC, date, datetime
from pathlib import Path

import pexpect
import pytest
from pexpect.popen_spawn import PopenSpawn

from adapters.console.completion import plan
from adapters.console.console import CONSOLE_WORDS, ConsolePoster, terminal_safe_json
from bot.commands.definitions import COMMANDS
from bot.delivery import Claim
from bot.models import Label, Mood, Quote, QuoteKind, Schedule, ScheduleStatus
from bot.replies import QuoteReply

CLI = [sys.executable, "-m", "adapters.cli"]
TIMEOUT = 30
PROMPT = "reviewbot>"  # prompt_toolkit draws the trailing space as a cursor move
UP, CTRL_C = "\x1b[A", "\x03"
VERDICT = "Verdict on Her (2013)"


def _env(tmp_path: Path) -> dict[str, str]:
    """No token and no setting from the developer's environment; history under tmp_path."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "SLACK_", "REVIEWBOT_"))}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"), TERM="xterm",
               PROMPT_TOOLKIT_NO_CPR="1")  # no cursor-position query left unanswered
    return env


def _history(tmp_path: Path) -> Path:
    return tmp_path / "data" / "reviewbot" / "console_history"


def _spawn(tmp_path: Path) -> pexpect.spawn:
    bot = pexpect.spawn(
        CLI[0], [*CLI[1:], "--db", str(tmp_path / "db.sqlite3")], env=_env(tmp_path),
        cwd=str(tmp_path), encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 200),
    )
    bot.expect(PROMPT)  # the first start ingests the default corpus
    return bot


def _leave(bot: pexpect.spawn) -> str:
    """Ctrl-D at an empty prompt: what was printed on the way out; the exit must be 0."""
    bot.sendcontrol("d")
    bot.expect(pexpect.EOF)
    bot.close()
    assert (bot.exitstatus, bot.signalstatus) == (0, None)
    return str(bot.before)


def _ask(bot: pexpect.spawn, keys: str, answer: str) -> str:
    """Type ``keys`` and Enter, see ``answer`` then a fresh prompt; all that was printed."""
    bot.send(keys + "\r")
    bot.expect_exact(answer)
    printed = str(bot.before) + answer
    bot.expect(PROMPT)
    return printed + str(bot.before)


def _tab(bot: pexpect.spawn, keys: str, added: str) -> None:
    """Type ``keys`` and Tab, and wait for what Tab ``added`` to be drawn (it is async).

    The line is redrawn as a difference: only the added letters are sure to be printed.
    """
    bot.send(keys + "\t")
    bot.expect_exact(added)


def test_each_command_is_answered_as_it_is_typed(tmp_path: Path) -> None:
    bot = _spawn(tmp_path)
    try:
        _ask(bot, "/quote", "(type 'another' for another one")
        _ask(bot, "another", "Her (2013))")
        _ask(bot, "/daily show", "This channel has no daily quote.")
        assert "Traceback" not in _leave(bot)
    finally:
        bot.close(force=True)


def test_tab_completes_and_history_comes_back_in_the_next_session(tmp_path: Path) -> None:
    bot = _spawn(tmp_path)
    try:
        _tab(bot, "/ve", "rdict")
        _ask(bot, "", VERDICT)  # what Tab completed is what runs
        _tab(bot, "/daily sh", "ow")
        _ask(bot, "", "This channel has no daily quote.")
        _ask(bot, "/help", "/daily set")
        _ask(bot, UP + UP, "This channel has no daily quote.")  # the one before /help
        _leave(bot)
    finally:
        bot.close(force=True)
    assert "+/verdict" in _history(tmp_path).read_text().splitlines()
    bot = _spawn(tmp_path)
    try:
        _ask(bot, UP + UP + UP, "/daily set")  # /help, from the first session
        _leave(bot)
    finally:
        bot.close(force=True)


def test_ctrl_c_clears_the_line_and_the_prompt_stays(tmp_path: Path) -> None:
    bot = _spawn(tmp_path)
    try:
        bot.send("/daily garbage")
        bot.send(CTRL_C)
        bot.expect(PROMPT)
        _ask(bot, "/verdict", VERDICT)  # not "/daily garbage/verdict"
        assert "Traceback" not in _leave(bot)
    finally:
        bot.close(force=True)


def test_sigterm_at_the_prompt_exits_cleanly_and_restores_the_terminal(tmp_path: Path) -> None:
    bot = _spawn(tmp_path)
    try:
        _ask(bot, "/verdict", VERDICT)
        bot.send("/quo")  # a half-typed line: the terminal is in raw mode
        bot.expect_exact("quo")
        bot.kill(signal.SIGTERM)
        bot.expect(pexpect.EOF)
        modes = termios.tcgetattr(bot.child_fd)  # the pty's modes, as the child left them
        bot.close()
        assert (bot.exitstatus, bot.signalstatus) == (0, None)
        assert "Traceback" not in str(bot.before)
        assert modes[3] & termios.ICANON and modes[3] & termios.ECHO
    finally:
        bot.close(force=True)


def _run(tmp_path: Path, *args: str) -> str:
    """``reviewbot --db … ARGS`` with pipes; its output, once it exited 0."""
    bot = PopenSpawn([*CLI, "--db", str(tmp_path / "db.sqlite3"), *args], env=_env(tmp_path),
                     cwd=str(tmp_path), encoding="utf-8", timeout=TIMEOUT)
    bot.expect(pexpect.EOF)
    assert bot.wait() == 0
    return str(bot.before)


def test_quotes_cannot_drive_the_terminal(tmp_path: Path) -> None:
    evil = tmp_path / "evil.txt"
    evil.write_text("Tender \x1b]0;PWNED\x07and wise, a beautifully acted film.\n")  # retitles
    _run(tmp_path, "ingest", str(evil), "--film", "Evil (2020)")
    asked = _run(tmp_path, "ask", "/quote film:Evil (2020)")
    assert "Tender and wise, a beautifully acted film." in asked
    assert "PWNED" not in asked and "\x1b" not in asked and "\x07" not in asked
    bot = _spawn(tmp_path)
    try:
        printed = _ask(bot, "/quote film:Evil (2020)", "Tender and wise, a beautifully acted film.")
        assert "PWNED" not in printed and "\x07" not in printed
        _leave(bot)
    finally:
        bot.close(force=True)


async def test_daily_posts_and_notices_cannot_drive_the_terminal_either() -> None:
    out = io.StringIO()
    poster = ConsolePoster(out)
    daily = Schedule(
        id=1, platform="console", channel="terminal", workspace=None, created_by="you", hour=9,
        minute=0, timezone="UTC", mood=Mood.ANY, film_id=1, status=ScheduleStatus.ACTIVE,
        pause_reason=None, next_run_utc=datetime(2030, 1, 1, 9, tzinfo=UTC), last_local_date=None,
    )
    quote = Quote(
        id=1, text="Tender \x1b]52;c;cm0gLXJmIH4=\x07and wise.", film="Her (2013)",
        kind=QuoteKind.CRITIC, label=Label.POSITIVE, polarity=0.5, confidence=0.9,
        author="A \x1b[31mcritic", outlet=None, published=None, source="seed",
    )
    reply = QuoteReply(quote=quote, mood=Mood.ANY, film_id=1, remaining=3, pool_size=4)
    await poster.post(daily, reply, Claim(1, date(2030, 1, 1)))
    await poster.notify(daily, "Paused: \x1b]0;PWNED\x07the film is gone.")
    assert "Tender and wise." in out.getvalue() and "A critic" in out.getvalue()
    assert "Paused: the film is gone." in out.getvalue()
    assert "\x1b" not in out.getvalue() and "\x07" not in out.getvalue()


def test_piped_input_is_answered_before_end_of_input(tmp_path: Path) -> None:
    bot = PopenSpawn([*CLI, "--db", str(tmp_path / "db.sqlite3")], env=_env(tmp_path),
                     cwd=str(tmp_path), encoding="utf-8", timeout=TIMEOUT)
    try:
        bot.expect_exact("Type /help")
        bot.sendline("/verdict")
        bot.expect_exact(VERDICT)  # stdin is still open
        bot.sendline("/daily show")
        bot.expect_exact("This channel has no daily quote.")
        bot.sendeof()
        bot.expect(pexpect.EOF)
        assert bot.wait() == 0
    finally:
        if bot.proc.poll() is None:
            bot.kill(signal.SIGKILL)
    assert not _history(tmp_path).exists()  # no prompt, no history


def test_wrong_and_fix_correct_quotes_in_a_piped_session(tmp_path: Path) -> None:
    """The console's words for the chat platforms' menu and /review buttons."""
    bot = PopenSpawn([*CLI, "--db", str(tmp_path / "db.sqlite3")], env=_env(tmp_path),
                     cwd=str(tmp_path), encoding="utf-8", timeout=TIMEOUT)
    try:
        bot.expect_exact("Type /help")
        bot.sendline("wrong mixed")
        bot.expect_exact("Ask for a /quote first.")
        bot.sendline("/quote negative")
        bot.expect_exact("'wrong positive|negative|mixed|hide' if its mood is wrong)")
        bot.sendline("wrong sideways")
        bot.expect_exact("Type wrong positive|negative|mixed|hide.")
        bot.sendline("wrong positive")
        bot.expect_exact("Moved to positive for every channel")
        bot.sendline("/review")
        bot.expect(r"\n#(\d+) “")  # the first item's id, as /review prints it
        first = bot.match.group(1)
        bot.expect_exact("(type 'fix <quote id> keep|positive|negative|mixed|hide' to act")
        bot.sendline(f"fix #{first} hide")
        bot.expect_exact("Hidden from every channel")
        bot.sendline("fix 12")
        bot.expect_exact("Type fix <quote id> keep|positive|negative|mixed|hide, with an id")
        bot.sendline("/help")
        bot.expect_exact("At this console: 'another' after a quote, 'wrong ")
        bot.sendeof()
        bot.expect(pexpect.EOF)
        assert "Traceback" not in str(bot.before)
        assert bot.wait() == 0
    finally:
        if bot.proc.poll() is None:
            bot.kill(signal.SIGKILL)


def test_tab_completes_the_console_words(tmp_path: Path) -> None:
    bot = _spawn(tmp_path)
    try:
        _ask(bot, "/quote negative", "if its mood is wrong)")
        _tab(bot, "wro", "ng")
        _tab(bot, " mi", "xed")
        _ask(bot, "", "Moved to mixed for every channel")
        assert "Traceback" not in _leave(bot)
    finally:
        bot.close(force=True)


@pytest.mark.parametrize(("typed", "offered"), [
    ("", (*(f"/{c.name}" for c in COMMANDS), "another", "wrong", "fix", "quit")),
    ("w", ("wrong",)),
    ("wrong ", ("positive", "negative", "mixed", "hide")),
    ("WRONG n", ("negative",)),
    ("wrong negative ", ()),
    ("fix ", ()),  # a quote id
    ("fix 12 ", ("keep", "positive", "negative", "mixed", "hide")),
    ("fix #12 h", ("hide",)),
    ("fix 12 hide ", ()),
    ("/ve", ("/verdict",)),
    ("ve", ("/verdict",)),
    ("/daily ", ("set", "show", "pause", "resume", "off", "skip", "now")),
    ("/daily p", ("pause",)),
    ("/quote ", ("positive", "negative", "any")),
    ("/quote neg", ("negative",)),
    ("/quote m", ("mood:",)),
    ("/quote mood:p", ("mood:positive",)),
    ("/quote negative ", ()),  # a film name, from the database
    ("/daily set ", ()),  # the time comes first
    ("/daily set 09:00 europe/pa", ("Europe/Paris",)),
    ("/daily set 09:00 Europe/Paris ", ("positive", "negative", "any")),
    ("/daily set 09:00 utc ", ("positive", "negative", "any")),  # any case, as parsed
    ("/mood so dull", ()),  # free text
    ("/nothing ", ()),
])
def test_completion_offers_what_the_command_list_allows(
    typed: str, offered: tuple[str, ...]
) -> None:
    assert plan(typed, CONSOLE_WORDS).words == offered


@pytest.mark.parametrize(("typed", "film", "prefix", "length"), [
    ("/quote negative ", "", "", 0),
    ("/quote negative Her (20", "Her (20", "", 7),
    ("/verdict film:He", "He", "film:", 7),
    ("/verdict film:Her (2", "Her (2", "film:", 11),
    ("/mood film:H", "H", "film:", 6),
    ("/daily set 09:00 UTC any Her", "Her", "", 3),
])
def test_completion_knows_where_a_film_title_is_typed(
    typed: str, film: str, prefix: str, length: int
) -> None:
    found = plan(typed)
    assert (found.film, found.prefix, found.length) == (film, prefix, length)


def test_ask_json_keeps_the_data_but_nothing_a_terminal_acts_on() -> None:
    """``ensure_ascii=False`` leaves C1 controls (U+009B is a CSI) and bidi overrides raw;
    they are written as escapes, so the JSON reads back exactly."""
    value = {"text": "“Tender\x9b2J \u202eevil\x1b[0m é”"}
    shown = terminal_safe_json(value)
    assert json.loads(shown) == value
    assert "é" in shown and not any(ch in shown for ch in "\x9b\u202e\x1b")
