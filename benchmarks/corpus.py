"""Deterministic benchmark corpora: real critic sentences of the seed corpus, recombined.

A corpus is named by a key: ``1k``, ``100k`` and ``1M`` spread quotes over films of 500
quotes each (1M = 2,000 films), and ``1M-1film`` puts a million quotes in one film, the
case where the naive ``ORDER BY RANDOM()`` has to sort a whole film. Each quote is one
sentence of ``bot/data/seeds`` and, two times in five, a second sentence of the same
label, so texts look like critic excerpts and the moods keep realistic proportions.

Labels come from ``default_scorer()`` run once per seed sentence (a quote takes its first
sentence's score): scoring a million texts would make building the database take longer
than the benchmarks. ``bench_ingest`` scores every text through the real pipeline.

Generated data is written once under ``benchmarks/.data`` and reused, keyed by corpus,
a version number bumped whenever generation changes, the schema version, and the
scorer's name and labels of the seed sentences (so a retrained scorer gets new corpora):

- ``database(key)``: a SQLite database in the bot's schema, bulk-inserted with SQL (the
  same rows ingest would write) and pools built by ``CorpusStore.rebuild_dirty_pools``;
  ``postgres_database(key)`` the same on PostgreSQL (a database named after the corpus
  on ``REVIEWBOT_BENCH_POSTGRES``'s server), and ``copy(key, backend, name)`` a writable
  copy of either for a benchmark that adds rows.
- ``excerpt_files(key)``: one folder per film of excerpt-format files (50 quotes and a
  consensus each), the input of ``bench_ingest``.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from benchmarks.common import (
    data_dir,
    parse_size,
    postgres_admin,
    postgres_exists,
    postgres_url,
    progress,
)
from bot.app import default_corpus_dir
from bot.ingest.pipeline import parse_document
from bot.ingest.reading import read_text
from bot.ingest.sentences import is_quotable, split_sentences
from bot.models import Label
from bot.sentiment import default_scorer, fingerprint
from bot.storage import Database
from bot.storage.corpus import CorpusStore
from bot.storage.database import redacted_target
from bot.storage.film_search import index_title
from bot.storage.labeller import LabellerStore
from bot.storage.migrations import MIGRATIONS
from bot.storage.postgres import PostgresDatabase
from bot.storage.sqlite import SqliteDatabase

VERSION = 1
QUOTES_PER_FILM = 500
QUOTES_PER_DOCUMENT = 50
SINGLE_FILM_SUFFIX = "-1film"


@dataclass(frozen=True)
class Sentence:
    text: str
    label: Label
    polarity: float
    confidence: float


@dataclass(frozen=True)
class Shape:
    key: str
    films: int
    per_film: int


@dataclass(frozen=True)
class GenQuote:
    text: str
    label: Label
    polarity: float
    confidence: float


def shape(key: str) -> Shape:
    """``100k`` -> 200 films of 500; ``1M-1film`` -> one film of a million."""
    if key.endswith(SINGLE_FILM_SUFFIX):
        return Shape(key, 1, parse_size(key.removesuffix(SINGLE_FILM_SUFFIX)))
    total = parse_size(key)
    per_film = min(QUOTES_PER_FILM, total)
    return Shape(key, max(1, total // per_film), per_film)


def film_name(index: int) -> str:
    return f"Bench Film {index:04d} ({1950 + index % 75})"


@lru_cache(maxsize=1)
def sentences() -> tuple[Sentence, ...]:
    """Every quotable sentence of the seed corpus, scored once, in a fixed order."""
    texts: dict[str, None] = {}
    for path in sorted(default_corpus_dir().iterdir()):
        text, _ = read_text(path, 10 * 1024 * 1024)
        doc = parse_document(text)
        for quote in doc.quotes:
            for sentence in split_sentences(quote.text):
                if is_quotable(sentence) and "@highlight" not in sentence:
                    texts[sentence] = None
    ordered = list(texts)
    scores = default_scorer().score_many(ordered)
    return tuple(
        Sentence(t, s.label, s.polarity, s.confidence)
        for t, s in zip(ordered, scores, strict=True)
    )


def films(key: str) -> Iterator[tuple[str, str, list[list[GenQuote]]]]:
    """(film name, consensus, documents of quotes) for every film of the corpus, in order."""
    bank = sentences()
    by_label = {label: [s for s in bank if s.label is label] for label in Label}
    positives = by_label[Label.POSITIVE] or list(bank)
    spec = shape(key)
    for index in range(spec.films):
        rng = random.Random(f"{VERSION}:{spec.key}:{index}")
        quotes = []
        for _ in range(spec.per_film):
            first = rng.choice(bank)
            text = first.text
            if rng.random() < 0.4:
                text = f"{text} {rng.choice(by_label[first.label]).text}"
            quotes.append(GenQuote(text, first.label, first.polarity, first.confidence))
        docs = [
            quotes[i : i + QUOTES_PER_DOCUMENT]
            for i in range(0, len(quotes), QUOTES_PER_DOCUMENT)
        ]
        yield film_name(index), rng.choice(positives).text, docs


def excerpt_files(key: str) -> list[tuple[str, Path]]:
    """(film name, folder of its excerpt files) for the corpus, written once."""
    root = data_dir() / f"excerpts-{_tag(key)}"
    done = root / ".done"
    names = [film_name(i) for i in range(shape(key).films)]
    if not done.exists():
        progress(f"writing excerpt files of the {key} corpus to {root}")
        shutil.rmtree(root, ignore_errors=True)
        for index, (_, consensus, docs) in enumerate(films(key)):
            folder = root / f"film_{index:04d}"
            folder.mkdir(parents=True)
            for number, doc in enumerate(docs):
                lines = [q.text for q in doc] + ["@highlight", consensus, ""]
                (folder / f"doc_{number:04d}.txt").write_text("\n".join(lines), "utf-8")
        done.touch()
    return [(name, root / f"film_{i:04d}") for i, name in enumerate(names)]


async def database(key: str) -> Path:
    """The corpus as a bot database, built once (a few minutes at 1M) and then reused."""
    path = data_dir() / f"corpus-{_tag(key)}.sqlite3"
    done = path.with_suffix(".done")
    if not done.exists():
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        await _build(key, path)
        done.touch()
    return path


async def postgres_database(key: str) -> str:
    """The corpus as a PostgreSQL database (its URL), built once and then reused.

    Named after the corpus's tag, like the SQLite file, on the server of
    ``REVIEWBOT_BENCH_POSTGRES``. It is built under a temporary name and renamed when
    complete, so a database of that name is always a whole corpus (a killed build leaves
    only the temporary one, dropped by the next build).
    """
    name = postgres_name(key)
    if not await postgres_exists(name):
        building = f"{name}_building"
        await postgres_admin(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)',
                             f'CREATE DATABASE "{building}"')
        await _build(key, postgres_url(building))
        await postgres_admin(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    return postgres_url(name)


def postgres_name(key: str) -> str:
    """``bench_1m_1film_v1_s11_critic_0a1b2c3d``: the tag as a PostgreSQL identifier."""
    return "bench_" + re.sub(r"[^a-z0-9]+", "_", _tag(key).lower())


async def copy(key: str, backend: str, name: str) -> Path | str:
    """A fresh writable copy of the corpus called ``name`` on ``backend`` (``sqlite``:
    a file in the data folder; ``postgresql``: a database made from the cached one as
    its template), replacing any earlier copy of that name."""
    if backend == "sqlite":
        path = data_dir() / f"{name}.sqlite3"
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        shutil.copy(await database(key), path)
        return path
    template = postgres_name(key)
    await postgres_database(key)
    await postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                         f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return postgres_url(name)


async def target(key: str, backend: str) -> Path | str:
    """The cached corpus on ``backend`` (``sqlite`` or ``postgresql``), as
    ``Database.open`` takes it."""
    return await database(key) if backend == "sqlite" else await postgres_database(key)


def _tag(key: str) -> str:
    labels = "".join(s.label.value[0] for s in sentences()).encode()
    digest = hashlib.sha256(labels).hexdigest()[:8]
    return f"{key}-v{VERSION}-s{len(MIGRATIONS)}-{default_scorer().name}-{digest}"


async def _build(key: str, target: Path | str) -> None:
    """Bulk-insert the corpus into ``target`` (a new SQLite file or an empty PostgreSQL
    database) through the storage layer's transaction, on either backend."""
    progress(f"building the {key} database at {redacted_target(target)}")
    db = await Database.open(target)
    try:
        if isinstance(db, SqliteDatabase):
            await db.conn.execute("PRAGMA synchronous=OFF")  # a failed build is simply rebuilt
        quote_id = doc_id = 0
        async with db.transaction() as conn:
            for film_id, (name, consensus, docs) in enumerate(films(key), start=1):
                title, year = name[:-7], int(name[-5:-1])
                await conn.execute(
                    "INSERT INTO films (id, title, year, consensus) VALUES (?, ?, ?, ?)",
                    (film_id, title, year, consensus),
                )
                await index_title(conn, film_id, title)  # as ingest names a new film
                doc_rows, quote_rows = [], []
                for doc in docs:
                    doc_id += 1
                    source = f"bench://{key}/{film_id}/{doc_id}.txt"
                    doc_rows.append((
                        doc_id, film_id, source, hashlib.sha256(source.encode()).hexdigest(),
                        "excerpts", "2026-11-24T00:00:00+00:00",
                    ))
                    for position, q in enumerate(doc):
                        quote_id += 1
                        quote_rows.append((
                            quote_id, film_id, doc_id, "critic", q.text, position,
                            q.label.value, q.polarity, q.confidence,
                        ))
                await conn.executemany(
                    "INSERT INTO documents (id, film_id, path, sha256, kind, ingested_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    doc_rows,
                )
                await conn.executemany(
                    "INSERT INTO quotes (id, film_id, document_id, kind, text, position, label,"
                    " polarity, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    quote_rows,
                )
                if film_id % 100 == 0 or len(quote_rows) > 100_000:
                    progress(f"  {quote_id:,} quotes inserted")
            progress("  film_stats")
            await conn.execute(
                "INSERT INTO film_stats (film_id, kind, label, count, polarity_sum)"
                " SELECT film_id, kind, label, COUNT(*), TOTAL(polarity) FROM quotes"
                " GROUP BY film_id, kind, label"
            )
        # The labels stand for this scorer's (see above): a bot opening the database
        # must not spend minutes labelling a million generated quotes again.
        await LabellerStore(db).record(fingerprint(default_scorer()))
        await _postgres(db, "ANALYZE")  # the pools' queries planned on a million rows
        progress("  pools (CorpusStore.rebuild_dirty_pools)")
        await CorpusStore(db).rebuild_dirty_pools()
        await _settle(db)
        progress(f"  done: {quote_id:,} quotes")
    finally:
        await db.close()


async def _settle(db: Database) -> None:
    """Leave the built database as a long-running one would be: SQLite's WAL folded into
    the file; on PostgreSQL, the identity counters past the ids inserted by hand (so a
    later insert does not collide) and the planner's statistics and visibility map fresh
    (autovacuum would get there, minutes into a benchmark)."""
    if isinstance(db, SqliteDatabase):
        await db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    for table in ("films", "documents", "quotes"):
        await _postgres(db, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                            f" (SELECT MAX(id) FROM {table}))")
    await _postgres(db, "VACUUM ANALYZE")


async def _postgres(db: Database, sql: str) -> None:
    """Run ``sql`` outside any transaction (``VACUUM`` cannot run in one) when ``db`` is
    PostgreSQL; nothing on SQLite."""
    if isinstance(db, PostgresDatabase):
        async with db.pool.acquire() as conn:
            await conn.execute(sql)


async def discard(target: Path | str) -> None:
    """Remove a copy made by ``copy``: its files, or its PostgreSQL database."""
    if isinstance(target, Path):
        for stale in target.parent.glob(target.name + "*"):
            stale.unlink()
        return
    name = target.rsplit("/", 1)[1]
    await postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The novel-vocabulary corpus (issue 16): the recombined seed sentences above reuse about
# 3,000 words, so after the first few thousand quotes the critic scorer's word cache
# always hits and ingest measures a scorer that never looks a word up. Here every word
# of three letters or more is respelled: three letters after the first changed at random
# ("lifeless" -> "lifjlesq"), so nearly every word of five letters or more (those whose
# character n-grams the scorer looks up) is one the scorer and its cache never saw, while
# quotes stay single sentences of real critics' shape, length and punctuation, as MR's
# snippets are. Generated from the seeds and a fixed seed: no data is copied in.
NOVEL_VERSION = 1
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_CHANGES = 3
_WORD = re.compile(r"[A-Za-z]{3,}")


def _respell(word: str, rng: random.Random) -> str:
    letters = list(word.lower())
    for _ in range(_CHANGES):
        letters[rng.randrange(1, len(letters))] = rng.choice(_LETTERS)
    out = "".join(letters)
    return out.capitalize() if word[0].isupper() else out


def novel_texts(count: int) -> list[str]:
    """``count`` distinct critic-like texts of mostly never-seen words, in a fixed order."""
    bank = [s.text for s in sentences()]
    rng = random.Random(f"novel:{NOVEL_VERSION}:{count}")
    texts: dict[str, None] = {}
    while len(texts) < count:
        text = rng.choice(bank)
        texts[_WORD.sub(lambda m: _respell(m.group(), rng), text)] = None
    return list(texts)


def unseen_share(texts: Sequence[str]) -> float:
    """The share of word tokens (5 letters or more: those whose character n-grams the
    scorer looks up) that did not occur earlier in ``texts`` nor in the seed sentences:
    what a warm word cache would still have to compute."""
    seen = {w.lower() for s in sentences() for w in _WORD.findall(s.text)}
    new = total = 0
    for text in texts:
        for word in _WORD.findall(text):
            if len(word) < 5:
                continue
            total += 1
            key = word.lower()
            if key not in seen:
                new += 1
                seen.add(key)
    return new / total if total else 0.0


def novel_excerpt_files(count: int) -> list[tuple[str, Path]]:
    """``novel_texts(count)`` as one film's folder of excerpt files of 50 quotes, written
    once: one ingest of ``count`` quotes, as a critic site's archive arrives."""
    root = data_dir() / f"novel-{count}-v{NOVEL_VERSION}"
    done = root / ".done"
    if not done.exists():
        progress(f"writing {count:,} novel-vocabulary quotes to {root}")
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        texts = novel_texts(count)
        for number in range(0, count, QUOTES_PER_DOCUMENT):
            lines = [*texts[number : number + QUOTES_PER_DOCUMENT], "@highlight", texts[0], ""]
            (root / f"doc_{number // QUOTES_PER_DOCUMENT:05d}.txt").write_text(
                "\n".join(lines), "utf-8")
        done.touch()
    return [(film_name(0), root)]
