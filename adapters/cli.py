"""The ``reviewbot`` command: run the bot, ask one command, ingest, score, evaluate.

``reviewbot`` alone runs the bot: Discord and/or Slack when their tokens are set in the
environment or ``.env``, the console otherwise. Exit status: 0 ok, 1 failure, 2 usage.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from adapters.console.console import ask, run_console
from bot.app import DEFAULT_FILM, ReviewBot
from bot.commands import label
from bot.commands.parsing import UsageError
from bot.errors import StartupRefused
from bot.ingest.columns import ColumnMap
from bot.ingest.pipeline import FileResult
from bot.metrics_server import serving
from bot.models import Correction
from bot.render import plural
from bot.safe_text import excerpt, safe_path
from bot.sentiment import default_scorer
from bot.settings import Settings
from bot.storage.copy import copy_between
from bot.storage.database import (
    Database,
    StorageError,
    is_postgresql,
    is_row_id,
    redacted_target,
)

_log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"reviewbot: configuration error: {exc}", file=sys.stderr)
        return 2
    if getattr(args, "db", None):
        settings = replace(settings, **(
            {"database_url": args.db} if is_postgresql(args.db)
            else {"db_path": Path(args.db).expanduser(), "database_url": None}
        ))
    command: Callable[[argparse.Namespace, Settings], int] = args.func
    try:
        return command(args, settings)
    except StorageError as exc:
        print(f"reviewbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reviewbot", description=__doc__.splitlines()[0])
    parser.set_defaults(func=_cmd_run)
    _add_db(parser)
    sub = parser.add_subparsers(title="commands")

    p = sub.add_parser("run", help="run the bot (the default)")
    _add_db(p)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("ask", help='run one command and print the reply: ask "/quote negative"')
    p.add_argument("line", help="the command, as typed in chat")
    p.add_argument("--json", action="store_true", help="print the reply object as JSON")
    _add_db(p)
    p.set_defaults(func=_cmd_ask)

    p = sub.add_parser(
        "ingest", help="add review files, folders, links and datasets (CSV, JSON Lines)"
    )
    p.add_argument("paths", nargs="+", metavar="FILE|FOLDER|URL",
                   help="text, HTML, .csv or .jsonl files, folders, or http(s) links")
    p.add_argument("--film", help=f'film the documents are about, e.g. "{DEFAULT_FILM}"; '
                   "for a dataset without a film column, the film of all its rows; or the "
                   "film column")
    for name, what in (("text", "the review text"), ("label", "the source's label "
                       "(Fresh/Rotten, positive/negative, 1/0)"), ("critic", "the critic"),
                       ("outlet", "the outlet"), ("date", "the review's date"),
                       ("url", "the review's link")):
        p.add_argument(f"--{name}", metavar="COLUMN", help=f"dataset column holding {what}")
    p.add_argument("--max-bytes", type=int, help="skip files larger than this")
    _add_db(p)
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("label", help="list quotes with ids, correct their mood, export/import CSV")
    _add_db(p)
    actions = p.add_subparsers(title="actions", required=True)
    a = actions.add_parser("list", help="a film's quotes with ids, labels and scores")
    a.add_argument("--film", help="which film (default: the only or the configured one)")
    a.add_argument("--mood", choices=label.STATES, default="any")
    a.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    _add_db(a)
    a.set_defaults(func=_cmd_label_list)
    a = actions.add_parser("set", help="correct one quote's mood, or hide it, by id")
    a.add_argument("id", type=_quote_id)
    a.add_argument("to", choices=[c.value for c in Correction])
    a.add_argument("--by", help="who corrects (default: your login name)")
    _add_db(a)
    a.set_defaults(func=_cmd_label_set)
    a = actions.add_parser("export", help="write every correction to a CSV file")
    a.add_argument("file", type=Path)
    a.add_argument("--film", help="only this film's corrections")
    _add_db(a)
    a.set_defaults(func=_cmd_label_export)
    a = actions.add_parser("import", help="apply the corrections of a CSV file")
    a.add_argument("file", type=Path)
    a.add_argument("--by", help="who, for rows with no 'by' (default: your login name)")
    _add_db(a)
    a.set_defaults(func=_cmd_label_import)

    p = sub.add_parser("migrate", help="apply the database's migrations and exit (for deploys)")
    _add_db(p)
    p.set_defaults(func=_cmd_migrate)

    p = sub.add_parser(
        "copy", help="copy a whole deployment into a new, empty database (SQLite ↔ PostgreSQL)",
        description="Copy every film, quote, pool, deck, schedule, post, correction and "
        "report of SRC into DST, keeping their ids, in one transaction: DST must be empty "
        "(a new file, or a new PostgreSQL database; 'reviewbot migrate' may have run on "
        "it), and a failure leaves it empty. Both are migrated to this reviewbot's schema "
        "first. Stop the bot on SRC first: what it writes during or after the copy is not "
        "in DST.",
    )
    p.add_argument("src", metavar="SRC", help="the deployment's SQLite file or postgresql:// URL")
    p.add_argument("dst", metavar="DST", help="an empty SQLite file (created if missing) or "
                   "postgresql:// URL of an empty database")
    p.set_defaults(func=_cmd_copy)

    p = sub.add_parser("score", help="score stdin lines, one JSON object per line out")
    p.set_defaults(func=_cmd_score)

    p = sub.add_parser("eval", help="measure the scorer, its gate and TextBlob on labelled files")
    p.add_argument("--pos", type=Path, required=True, help="positive snippets, one per line")
    p.add_argument("--neg", type=Path, required=True, help="negative snippets, one per line")
    p.add_argument("--folds", type=int, help="train and test by k-fold cross-validation")
    p.add_argument(
        "--prior", type=float,
        help="also report figures as at a film this share positive, e.g. 0.94 (reweighted)",
    )
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser("train", help="train the scorer's weights from labelled files")
    p.add_argument("--pos", type=Path, required=True)
    p.add_argument("--neg", type=Path, required=True)
    p.add_argument("--out", type=Path, default=Path("bot/data/scorer.json.gz"))
    p.set_defaults(func=_cmd_train)
    return parser


def _quote_id(text: str) -> int:
    if not is_row_id(text.strip()):
        raise argparse.ArgumentTypeError(f"{excerpt(text)!r} is not a quote id (see label list)")
    return int(text)


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=argparse.SUPPRESS,
        help="SQLite file or postgresql:// URL (default: $REVIEWBOT_DB or a SQLite file in "
             "the user data folder)",
    )


def _logging(settings: Settings, quiet: bool) -> None:
    level = max(logging.WARNING, logging.getLevelName(settings.log_level)) if quiet else (
        logging.getLevelName(settings.log_level)
    )
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


# -- run ---------------------------------------------------------------------------------


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    console = not (settings.discord_enabled or settings.slack_enabled)
    _logging(settings, quiet=console)
    return asyncio.run(_serve(settings, console))


async def _serve(settings: Settings, console: bool) -> int:
    print(f"reviewbot: database {redacted_target(settings.database)}", file=sys.stderr)
    core = await ReviewBot.open(settings)
    async with contextlib.AsyncExitStack() as observed:
        if settings.metrics_port is not None:
            try:
                await observed.enter_async_context(
                    serving(core.db, settings.metrics_host, settings.metrics_port))
            except StartupRefused as exc:
                print(f"reviewbot: {exc}", file=sys.stderr)
                await core.close()
                return 1
        return await _serve_open(core, settings, console)


async def _serve_open(core: ReviewBot, settings: Settings, console: bool) -> int:
    """Run the scheduler and the adapters until one ends or a signal comes; close ``core``."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    tasks: list[Awaitable[None]] = [core.scheduler.run(stop)]
    if console:
        tasks.append(run_console(core, stop))
    if settings.discord_enabled:
        from adapters.discord.runner import run_discord

        tasks.append(run_discord(core, settings, stop))
    if settings.slack_enabled:
        from adapters.slack.runner import run_slack

        tasks.append(run_slack(core, settings, stop))
    status = 0
    try:
        running = [asyncio.ensure_future(t) for t in tasks]
        for finished in asyncio.as_completed(running):
            try:
                await finished
            except StartupRefused as exc:
                # A refused setting, not a bug: one line naming it, no traceback.
                print(f"reviewbot: {exc}", file=sys.stderr)
                status = 1
            except Exception:
                _log.exception("an adapter stopped with an error; shutting down")
                status = 1
            stop.set()  # one adapter ending ends the bot
    finally:
        await core.close()
    return status


# -- ask, ingest, score ------------------------------------------------------------------


class _StorageErrorLine(logging.Formatter):
    """Prints a storage failure the bot logged while answering as the one line the CLI
    prints for any storage failure (``reviewbot: the disk is full writing …``)."""

    def __init__(self, fallback: logging.Formatter | None) -> None:
        super().__init__()
        self._fallback = fallback or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        error = getattr(record, "storage_error", None)
        return f"reviewbot: {error}" if error is not None else self._fallback.format(record)


def _cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    _logging(settings, quiet=True)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(_StorageErrorLine(handler.formatter))

    async def go() -> int:
        core = await ReviewBot.open(settings)
        try:
            return await ask(core, args.line, args.json, sys.stdout)
        finally:
            await core.close()

    return asyncio.run(go())


def _cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    _logging(settings, quiet=True)
    if args.max_bytes:
        settings = replace(settings, max_file_bytes=args.max_bytes)
    sources: list[Path | str] = [p if "://" in p else Path(p) for p in args.paths]
    columns = ColumnMap(text=args.text, label=args.label, critic=args.critic,
                        outlet=args.outlet, date=args.date, url=args.url)

    async def go() -> int:
        core = await ReviewBot.open(settings)
        try:
            with tqdm(total=None, unit="item", disable=None, file=sys.stderr) as bar:

                def on_file(result: FileResult) -> None:
                    for note in result.notes:
                        bar.write(f"{safe_path(result.path)}: {note}", file=sys.stdout)
                    bar.write(result.line(), file=sys.stdout)

                def on_progress(done: int, total: int | None) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                report = await core.ingest(sources, args.film, on_file, columns=columns,
                                           on_progress=on_progress, local_links=True)
        finally:
            await core.close()
        failed = len(report.failed)
        films = sum(max(r.films, 1) for r in report.results
                    if r.status in ("added", "replaced"))
        print(f"{plural(report.quotes_added, 'quote')} added ({plural(films, 'document')}); "
              f"{plural(len(report.results) - failed, 'input')} ok, {failed} failed")
        return 1 if failed or any(r.notes for r in report.results) else 0

    return asyncio.run(go())


# -- migrate -----------------------------------------------------------------------------


def _cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Bring the schema up to date without starting the bot or ingesting the default
    corpus: a deploy pipeline runs it once before starting the new processes, so none of
    them migrates while another already serves. A failure (a database newer than this
    code, an unwritable file) is a ``StorageError``, printed by ``main`` as one line."""
    _logging(settings, quiet=True)

    async def go() -> int:
        db = await Database.open(settings.database, migrate_to=0)
        try:
            before = await db.schema_version()
            await db.migrate()
            after = await db.schema_version()
        finally:
            await db.close()
        print(f"{db.name}: schema version {before} → {after}"
              + ("" if after > before else " (already up to date)"))
        return 0

    return asyncio.run(go())


# -- copy --------------------------------------------------------------------------------


def _cmd_copy(args: argparse.Namespace, settings: Settings) -> int:
    """Copy a deployment (``bot.storage.copy``): a progress bar on a terminal, then the
    rows per table. A refused target or a failure is a ``StorageError``, one line."""
    _logging(settings, quiet=True)
    src, dst = (a if is_postgresql(a) else Path(a).expanduser() for a in (args.src, args.dst))
    if isinstance(src, Path) and not src.is_file():
        # Opening it would create an empty database, and the copy would copy nothing.
        raise StorageError(f"there is no database at {safe_path(src)}: name the deployment's "
                           "SQLite file or a postgresql:// URL as SRC")

    async def go() -> int:
        with tqdm(total=None, unit="row", disable=None, file=sys.stderr) as bar:

            def on_progress(table: str, done: int, total: int) -> None:
                bar.total = total
                bar.set_description(table, refresh=False)
                bar.update(done - bar.n)

            report = await copy_between(src, dst, on_progress)
        width = max(len(name) for name in report.rows)
        for name, count in report.rows.items():
            print(f"{name:<{width}}  {count:>12,}")
        rate = report.total / report.seconds if report.seconds else 0.0
        print(f"copied {plural(report.total, 'row')} from {report.source} to {report.target} "
              f"in {report.seconds:.1f} s ({rate:,.0f} rows/s)")
        return 0

    return asyncio.run(go())


# -- label -------------------------------------------------------------------------------


def _label_command(
    settings: Settings, action: Callable[[ReviewBot], Awaitable[int]]
) -> int:
    """Open the bot without topping up the default corpus, run ``action``, and print a
    usage mistake (a wrong film, id or file) as one line with exit status 2."""
    _logging(settings, quiet=True)

    async def go() -> int:
        core = await ReviewBot.open(settings, ingest_default_corpus=False)
        try:
            return await action(core)
        except UsageError as exc:
            print(f"reviewbot: {exc}", file=sys.stderr)
            return 2
        finally:
            await core.close()

    return asyncio.run(go())


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or the user database
        return "command line"


def _cmd_label_list(args: argparse.Namespace, settings: Settings) -> int:
    async def action(core: ReviewBot) -> int:
        film = await core.ctx.film(args.film)
        for line in await label.listing(core.ctx, film, args.mood, max(args.limit, 0)):
            print(line)
        return 0

    return _label_command(settings, action)


def _cmd_label_set(args: argparse.Namespace, settings: Settings) -> int:
    async def action(core: ReviewBot) -> int:
        stored = await core.corrections.quote(args.id)
        applied = await label.set_label(core.ctx, args.id, Correction(args.to), args.by or _login())
        film = stored.quote.film if stored else "the film"
        print(f"#{args.id}: {applied.before} → {applied.after}; "
              f"{applied.checked_by_people} quotes of {film} checked by people")
        return 0

    return _label_command(settings, action)


def _cmd_label_export(args: argparse.Namespace, settings: Settings) -> int:
    async def action(core: ReviewBot) -> int:
        film = await core.ctx.film(args.film) if args.film else None
        try:
            with args.file.open("w", encoding="utf-8", newline="") as out:
                count = await label.export_csv(core.ctx, out, film)
        except OSError as exc:
            raise UsageError(f"cannot write {safe_path(args.file)}: {exc.strerror or exc}"
                             ) from None
        print(f"{count} corrections written to {safe_path(args.file)}")
        return 0

    return _label_command(settings, action)


def _cmd_label_import(args: argparse.Namespace, settings: Settings) -> int:
    async def action(core: ReviewBot) -> int:
        try:
            with args.file.open(encoding="utf-8-sig", newline="") as source:
                report = await label.import_csv(core.ctx, source, args.by or _login())
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise UsageError(f"cannot read {safe_path(args.file)}: {reason}") from None
        for bad in report.bad:
            print(bad.describe(safe_path(args.file)), file=sys.stderr)
        print(f"{report.applied} corrections applied, {report.unchanged} already there, "
              f"{len(report.bad)} rows skipped")
        return 1 if report.bad else 0

    return _label_command(settings, action)


def _cmd_score(args: argparse.Namespace, settings: Settings) -> int:
    scorer = default_scorer()
    for line in sys.stdin:
        s = scorer.score(line.rstrip("\n"))
        print(json.dumps({"label": s.label.value, "polarity": round(s.polarity, 4),
                          "confidence": round(s.confidence, 4)}))
    return 0


def _cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ingest.reading import BadFile
    from bot.sentiment.evaluation import run_eval  # numpy is only needed here and for training

    if args.folds is not None and args.folds < 2:
        print("reviewbot: --folds needs 2 or more", file=sys.stderr)
        return 2
    if args.prior is not None and not 0 < args.prior < 1:
        print("reviewbot: --prior is a share of positives between 0 and 1, e.g. 0.94",
              file=sys.stderr)
        return 2
    try:
        run_eval(args.pos, args.neg, args.folds, sys.stdout, args.prior)
    except BadFile as exc:
        print(f"reviewbot: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ingest.reading import BadFile
    from bot.sentiment.training import read_corpus, train_to_file

    try:
        # Fail on a bad input or an unwritable output now, not after half a minute of fitting.
        read_corpus(args.pos, args.neg)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        probe = args.out.with_name(args.out.name + ".probe")
        probe.touch()
        probe.unlink()
    except BadFile as exc:
        print(f"reviewbot: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"reviewbot: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    _logging(settings, quiet=False)
    train_to_file(args.pos, args.neg, args.out)
    print(f"weights written to {args.out} (provenance beside them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
