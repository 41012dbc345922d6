"""Block Kit for the core's replies.

Every string that came from a review, a user or a film title is escaped before it goes
into ``mrkdwn``: Slack turns ``<!channel>``, ``<!here>``, ``<!everyone>`` and ``<@U123>``
into pings only when they arrive unescaped, and this app never sends ``link_names`` or
``parse=full``, so escaping ``&``, ``<`` and ``>`` is enough to disarm them.

Every ``SlackMessage`` is made here, by ``render`` or ``notice``, and both pass it through
``_with_slack_names``: the one place where the core's command names ("/daily resume",
"/help") become the ones typed in this workspace, in the fallback text and in every
block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.corrections import WRONG_MOOD_PROMPT, choice_label
from adapters.slack.commands import slack_text
from bot.models import Correction
from bot.render import (
    SHIFTED,
    checked_line,
    film_entry_line,
    films_footer,
    link_text,
    post_line,
    render_text,
    review_headline,
    review_line,
    schedule_status,
    schedule_summary,
)
from bot.replies import (
    REVIEW_CHOICES,
    WRONG_MOOD_CHOICES,
    CorpusMoodReply,
    CorrectionReply,
    ErrorReply,
    FilmRemovalReply,
    FilmsReply,
    GroupVerdict,
    HelpReply,
    PostTime,
    QuoteReply,
    Reply,
    ReviewReply,
    ScheduleReply,
    ScheduleView,
    TextMoodReply,
    VerdictReply,
)

Block = dict[str, Any]

ANOTHER_ACTION_ID = "reviewbot_another"
WRONG_MOOD_ACTION_ID = "reviewbot_wrong_mood"
# /review buttons: this prefix and the choice ("reviewbot_review_hide"). Slack wants
# action_ids unique within a block, and each item's buttons share one actions block.
REVIEW_ACTION_PREFIX = "reviewbot_review_"
# /film remove's Remove/Cancel ("…_yes", "…_no") and /films' Previous/Next ("…_previous").
FILM_REMOVAL_ACTION_PREFIX = "reviewbot_film_remove_"
FILMS_PAGE_ACTION_PREFIX = "reviewbot_films_page_"

# Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
_SECTION_TEXT_MAX = 3000
_FIELD_TEXT_MAX = 2000
_HEADER_TEXT_MAX = 150
_FALLBACK_TEXT_MAX = 4000
_MAX_BLOCKS = 50


@dataclass(frozen=True)
class SlackMessage:
    """A reply ready for ``ack``, ``respond`` or ``chat.postMessage``."""

    text: str  # notification and screen-reader fallback, escaped like the blocks
    blocks: list[Block]
    ephemeral: bool

    @property
    def response_type(self) -> str:
        return "ephemeral" if self.ephemeral else "in_channel"


def escape(text: str) -> str:
    """Slack's three control characters as entities, so user text cannot mention anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Plain text from Slack's escaped form: slash command text arrives with the entities."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def render(reply: Reply, prefix: str) -> SlackMessage:
    """Blocks for ``reply``; ``prefix`` is the workspace's slash command prefix.

    Only the bot's own words get the workspace's command names: a critic's quote, a
    consensus or a member's text is shown as written, even if it says "/help".
    """
    blocks = _blocks(reply)[:_MAX_BLOCKS]
    text = _clip(escape(render_text(reply)), _FALLBACK_TEXT_MAX)
    message = SlackMessage(text=text, blocks=blocks, ephemeral=reply.ephemeral)
    if isinstance(reply, _BOT_AUTHORED):
        return _with_slack_names(message, prefix)
    return message


# Replies whose every word the bot wrote, command hints included. Not ReviewReply: its
# lines are quotes, shown as the critics wrote them (and it names no command).
_BOT_AUTHORED = (ErrorReply, HelpReply, ScheduleReply, CorrectionReply, FilmRemovalReply)


def notice(mrkdwn: str, prefix: str) -> SlackMessage:
    """A text-only message the bot writes itself; ``mrkdwn`` is already escaped."""
    message = SlackMessage(text=_clip(mrkdwn, _FALLBACK_TEXT_MAX), blocks=[], ephemeral=True)
    return _with_slack_names(message, prefix)


def _with_slack_names(message: SlackMessage, prefix: str) -> SlackMessage:
    """``message`` with every command name as typed in this workspace, text and blocks."""

    def rename(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: slack_text(v, prefix) if k == "text" and isinstance(v, str) else rename(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [rename(v) for v in node]
        return node

    return SlackMessage(
        text=slack_text(message.text, prefix),
        blocks=rename(message.blocks),
        ephemeral=message.ephemeral,
    )


def _blocks(reply: Reply) -> list[Block]:
    if isinstance(reply, QuoteReply):
        return _quote(reply)
    if isinstance(reply, TextMoodReply):
        return _text_mood(reply)
    if isinstance(reply, CorpusMoodReply):
        return _corpus_mood(reply)
    if isinstance(reply, VerdictReply):
        return _verdict(reply)
    if isinstance(reply, ScheduleReply):
        return _schedule(reply)
    if isinstance(reply, HelpReply):
        return _help(reply)
    if isinstance(reply, ErrorReply):
        return _error(reply)
    if isinstance(reply, ReviewReply):
        return _review(reply)
    if isinstance(reply, FilmRemovalReply):
        return _film_removal(reply)
    if isinstance(reply, FilmsReply):
        return _films(reply)
    return [_section(escape(render_text(reply)))]


def _quote(reply: QuoteReply) -> list[Block]:
    q = reply.quote
    about = f"— {escape(q.attribution)} · _{escape(q.film)}_ · {q.label.display} {q.kind.display}"
    if q.link:  # http(s) only, no "<", ">" or "|" (``web_link``): escaping "&" is enough
        about += f" · <{escape(q.link)}|{escape(link_text(q))}>"
    # Why a pool is small ("critics loved it"), when it is: the bot's words, escaped.
    note = [_context(escape(reply.note))] if reply.note else []
    return [
        _section(_blockquote(q.text)),
        _context(about),
        *note,
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": ANOTHER_ACTION_ID,
                    "text": {"type": "plain_text", "text": "Another"},
                    "value": reply.another_value,
                },
                {
                    "type": "static_select",
                    "action_id": WRONG_MOOD_ACTION_ID,
                    "placeholder": {"type": "plain_text", "text": WRONG_MOOD_PROMPT},
                    "options": [
                        {
                            "text": {"type": "plain_text", "text": choice_label(c)},
                            "value": reply.correction_value(c),
                        }
                        for c in WRONG_MOOD_CHOICES
                    ],
                },
            ],
        },
    ]


def _text_mood(reply: TextMoodReply) -> list[Block]:
    blocks = [
        _section(_blockquote(reply.text)),
        _section(
            f"*Mood:* {reply.label.display} "
            f"(polarity {reply.polarity:+.2f}, confidence {reply.confidence:.0%})"
        ),
    ]
    if reply.drivers:
        drivers = ", ".join(f"“{escape(d.phrase)}” {d.weight:+.2f}" for d in reply.drivers)
        blocks.append(_context(f"Because of {drivers}"))
    return blocks


def _corpus_mood(reply: CorpusMoodReply) -> list[Block]:
    fields = [f"*{c.label.display.capitalize()}*\n{c.count}" for c in reply.counts]
    fields.append(f"*Average polarity*\n{reply.average_polarity:+.2f}")
    return [
        _section(f"*The critics' mood for _{escape(reply.film)}_* ({reply.total} quotes)"),
        _fields(fields),
    ]


def _verdict(reply: VerdictReply) -> list[Block]:
    if reply.score is None:
        score = "no score yet"
    else:
        score = f"{reply.score:.0%} {'fresh' if reply.fresh else 'rotten'}"
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _clip(reply.film, _HEADER_TEXT_MAX)},
        },
        _section(f"*Critics' score:* {score}"),
    ]
    if reply.consensus:
        blocks.append(_section(f"*Consensus:* {escape(reply.consensus)}"))
    blocks.append(_fields([_group(g) for g in (reply.critics, reply.readers, reply.reviews)]))
    if reply.checked_by_people or reply.second_opinion:
        blocks.append(_context(escape(checked_line(reply))))
    return blocks


# A section and an actions block per item, under the headline: within 50 blocks.
_REVIEW_ITEMS_MAX = (_MAX_BLOCKS - 1) // 2


def _review(reply: ReviewReply) -> list[Block]:
    if not reply.items:
        return [_section(escape(render_text(reply)))]
    blocks = [_section(f"*{escape(review_headline(reply))}*")]
    for number, item in enumerate(reply.items[:_REVIEW_ITEMS_MAX], start=1):
        blocks.append(_section(f"*{number}.* {escape(review_line(item))}"))
        blocks.append({
            "type": "actions",
            "elements": [_review_button(choice, item.action_value(choice))
                         for choice in REVIEW_CHOICES],
        })
    return blocks


def _film_removal(reply: FilmRemovalReply) -> list[Block]:
    blocks = [_section(escape(reply.message))]
    if reply.removed is None:
        blocks.append({"type": "actions", "elements": [
            _button("Remove", FILM_REMOVAL_ACTION_PREFIX + "yes", reply.confirm_value, "danger"),
            _button("Cancel", FILM_REMOVAL_ACTION_PREFIX + "no", reply.cancel_value),
        ]})
    return blocks


def _films(reply: FilmsReply) -> list[Block]:
    if not reply.entries:
        return [_section(escape(render_text(reply)))]
    blocks = [_section("\n".join(escape(film_entry_line(e)) for e in reply.entries)),
              _context(escape(films_footer(reply)))]
    # Slack has no disabled button: a page at an end has only the way back.
    steps = [(label, page) for label, page in (("Previous", reply.page - 1),
                                                ("Next", reply.page + 1))
             if 1 <= page <= reply.pages]
    if steps:
        blocks.append({"type": "actions", "elements": [
            _button(label, FILMS_PAGE_ACTION_PREFIX + label.casefold(), reply.page_value(page))
            for label, page in steps
        ]})
    return blocks


def _button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {"type": "button", "action_id": action_id,
                     "text": {"type": "plain_text", "text": label}, "value": value}
    if style:
        button["style"] = style
    return button


def _review_button(choice: Correction, value: str) -> Block:
    return {
        "type": "button",
        "action_id": REVIEW_ACTION_PREFIX + choice.value,
        "text": {"type": "plain_text", "text": choice_label(choice)},
        "value": value,
    }


def _group(group: GroupVerdict) -> str:
    share = group.positive_share
    shown = "—" if share is None else f"{share:.0%} positive"
    return (
        f"*{escape(group.name.capitalize())}* ({group.count})\n"
        f"{shown} · {group.positive} positive, {group.negative} negative · "
        f"polarity {group.average_polarity:+.2f}"
    )


def _schedule(reply: ScheduleReply) -> list[Block]:
    blocks = [_section(escape(reply.message))]
    blocks += [_section(schedule_mrkdwn(view)) for view in reply.schedules]
    return blocks


def schedule_mrkdwn(view: ScheduleView) -> str:
    """One schedule as mrkdwn: its settings, then its next posts as Slack date tokens
    (each reader sees them in their own zone) with the schedule's own local time.

    The user group it mentions is named, never written as ``<!subteam^…>``: this text is
    shown when the schedule is set, and only the daily post itself may ping the group.
    """
    lines = [f"*{escape(schedule_summary(view))}*", f"Status: {escape(schedule_status(view))}"]
    if view.role:
        lines.append(f"Mentions the user group `{escape(view.role)}`")
    lines += [f"{_date_token(p)} · {p.local[11:16]} {p.local[-6:]}"
              + (f" ({SHIFTED})" if p.shifted else "") for p in view.upcoming]
    if view.skipped:
        lines.append(f"Skips {', '.join(view.skipped)}")
    return "\n".join(lines)


def _date_token(post: PostTime) -> str:
    """Slack's date token: each reader sees the instant in their own time zone."""
    fallback = escape(post_line(post))
    return f"<!date^{post.unix}^{{date_long_pretty}} {{time}}|{fallback}>"


def _help(reply: HelpReply) -> list[Block]:
    return [
        _section(f"`{escape(e.usage)}`\n{escape(e.description)}")
        for e in reply.entries
    ]


def _error(reply: ErrorReply) -> list[Block]:
    blocks = [_section(f":warning: {escape(reply.message)}")]
    if reply.error_id:
        blocks.append(_context(f"Error id: `{escape(reply.error_id)}`"))
    return blocks


def _blockquote(text: str) -> str:
    lines = _clip(escape(text), _SECTION_TEXT_MAX - 100).splitlines() or [""]
    return "\n".join(f">{line}" for line in lines)


def _section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(mrkdwn, _SECTION_TEXT_MAX)}}


def _fields(texts: list[str]) -> Block:
    return {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": _clip(t, _FIELD_TEXT_MAX)} for t in texts[:10]],
    }


def _context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(mrkdwn, 3000)}]}


def _clip(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters without splitting an ``&amp;``-style entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"
