"""Versioned schema migrations: ``MIGRATIONS[n - 1]`` takes a database to version ``n``.

Never edit a released migration; append a new one. ``tests/bot/storage`` builds a
database at version 1 and upgrades it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.storage.connection import Connection
from bot.storage.film_search import index_title
from bot.storage.text_keys import text_hash, text_key

Migration = Callable[[Connection], Awaitable[None]]


async def _execute_script(conn: Connection, script: str) -> None:
    # executescript() would COMMIT the surrounding transaction; run statements one by one.
    for statement in script.split(";"):
        if statement.strip():
            await conn.execute(statement)


async def v1_corpus_and_schedules(conn: Connection) -> None:
    """The first schema: films, documents, quotes, schedules and daily-post claims."""
    await _execute_script(
        conn,
        """
        CREATE TABLE films (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            year INTEGER,
            consensus TEXT,
            UNIQUE (title, year)
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            kind TEXT NOT NULL,
            author TEXT,
            outlet TEXT,
            published TEXT,
            ingested_at TEXT NOT NULL,
            UNIQUE (film_id, path)
        );
        CREATE INDEX documents_sha ON documents(sha256);
        CREATE TABLE quotes (
            id INTEGER PRIMARY KEY,
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            author TEXT,
            position INTEGER NOT NULL,
            label TEXT NOT NULL,
            polarity REAL NOT NULL,
            confidence REAL NOT NULL
        );
        CREATE INDEX quotes_document ON quotes(document_id);
        CREATE INDEX quotes_film_label ON quotes(film_id, label);
        CREATE TABLE schedules (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            workspace TEXT NOT NULL DEFAULT '',
            channel TEXT NOT NULL,
            created_by TEXT NOT NULL,
            hour INTEGER NOT NULL,
            minute INTEGER NOT NULL,
            timezone TEXT NOT NULL,
            mood TEXT NOT NULL,
            film_id INTEGER REFERENCES films(id) ON DELETE SET NULL,
            status TEXT NOT NULL,
            pause_reason TEXT,
            next_run_utc TEXT NOT NULL,
            last_local_date TEXT,
            UNIQUE (platform, workspace, channel)
        );
        CREATE INDEX schedules_due ON schedules(status, next_run_utc);
        CREATE TABLE posts (
            schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
            local_date TEXT NOT NULL,
            claimed_at TEXT NOT NULL,
            message_id TEXT,
            outcome TEXT NOT NULL DEFAULT 'claimed',
            PRIMARY KEY (schedule_id, local_date)
        )
        """,
    )


async def v2_pools_decks_stats(conn: Connection) -> None:
    """Constant-time ``/quote``, ``/verdict`` and ``/mood`` at a million quotes.

    ``pool`` numbers each film's quotes per mood densely (rank 0..n-1) so a channel's
    deck can pick rank ``permute(position)`` without scanning; ``film_stats`` keeps
    counts and polarity sums per (film, kind, label), updated with each document.
    """
    await _execute_script(
        conn,
        """
        ALTER TABLE films ADD COLUMN pool_version INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE films ADD COLUMN pool_dirty INTEGER NOT NULL DEFAULT 1;
        CREATE TABLE pool (
            film_id INTEGER NOT NULL,
            mood TEXT NOT NULL,
            rank INTEGER NOT NULL,
            quote_id INTEGER NOT NULL,
            PRIMARY KEY (film_id, mood, rank)
        ) WITHOUT ROWID;
        CREATE TABLE pool_sizes (
            film_id INTEGER NOT NULL,
            mood TEXT NOT NULL,
            size INTEGER NOT NULL,
            PRIMARY KEY (film_id, mood)
        ) WITHOUT ROWID;
        CREATE TABLE decks (
            channel_key TEXT NOT NULL,
            film_id INTEGER NOT NULL,
            mood TEXT NOT NULL,
            pool_version INTEGER NOT NULL,
            seed INTEGER NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (channel_key, film_id, mood)
        ) WITHOUT ROWID;
        CREATE TABLE film_stats (
            film_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            label TEXT NOT NULL,
            count INTEGER NOT NULL,
            polarity_sum REAL NOT NULL,
            PRIMARY KEY (film_id, kind, label)
        ) WITHOUT ROWID;
        INSERT INTO film_stats (film_id, kind, label, count, polarity_sum)
            SELECT film_id, kind, label, COUNT(*), TOTAL(polarity)
            FROM quotes GROUP BY film_id, kind, label
        """,
    )
    # pool_dirty defaults to 1: every film's pool is built on first use.


async def v3_film_names_index(conn: Connection) -> None:
    """Case-insensitive film lookup by title without reading every film."""
    await conn.execute("CREATE INDEX films_title_nocase ON films(title COLLATE NOCASE)")


async def v4_pools_from_the_critics_voice(conn: Connection) -> None:
    """Pools now hold only the film's critics' voice (``models.critics_voice``): renumber."""
    await conn.execute("UPDATE films SET pool_dirty = 1")


async def v5_corrections_by_people(conn: Connection) -> None:
    """Corrections by people (issue 11): who decided each label, hidden quotes, the
    corrections keyed by film and normalised text (so they survive re-ingest), their
    append-only audit, and members' reports waiting for /review.

    ``quotes.text_hash`` (the key's 64-bit hash, so the index does not repeat every
    quote's text) is filled here once for the quotes already stored; ingest writes it
    with every new quote. Pools are renumbered because hidden quotes never enter one.

    ``quotes`` is rebuilt with AUTOINCREMENT: a quote id now travels in a "Wrong mood?"
    menu on a posted message, and SQLite would give a re-ingested document's new quotes
    the ids of the old ones it replaced, so an old menu would correct another quote.
    """
    await _execute_script(
        conn,
        """
        CREATE TABLE quotes_v5 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            author TEXT,
            position INTEGER NOT NULL,
            label TEXT NOT NULL,
            polarity REAL NOT NULL,
            confidence REAL NOT NULL,
            label_source TEXT NOT NULL DEFAULT 'scorer',
            hidden INTEGER NOT NULL DEFAULT 0,
            text_hash INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO quotes_v5 (id, film_id, document_id, kind, text, author, position, label,
                               polarity, confidence)
            SELECT id, film_id, document_id, kind, text, author, position, label, polarity,
                   confidence FROM quotes;
        DROP TABLE quotes;
        ALTER TABLE quotes_v5 RENAME TO quotes;
        CREATE INDEX quotes_document ON quotes(document_id);
        CREATE INDEX quotes_film_label ON quotes(film_id, label);
        CREATE TABLE corrections (
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            text_key TEXT NOT NULL,
            text_hash INTEGER NOT NULL,
            text TEXT NOT NULL,
            label TEXT NOT NULL,
            hidden INTEGER NOT NULL,
            by_user TEXT NOT NULL,
            platform TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (film_id, text_key)
        ) WITHOUT ROWID;
        CREATE INDEX corrections_hash ON corrections(film_id, text_hash);
        CREATE TABLE correction_log (
            id INTEGER PRIMARY KEY,
            quote_id INTEGER NOT NULL,
            film_id INTEGER NOT NULL,
            text_key TEXT NOT NULL,
            from_label TEXT NOT NULL,
            to_label TEXT NOT NULL,
            by_user TEXT NOT NULL,
            platform TEXT NOT NULL,
            channel TEXT,
            at TEXT NOT NULL
        );
        CREATE INDEX correction_log_film ON correction_log(film_id, at);
        CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            quote_id INTEGER NOT NULL,
            film_id INTEGER NOT NULL,
            text_key TEXT NOT NULL,
            text_hash INTEGER NOT NULL,
            suggested TEXT NOT NULL,
            reporter TEXT NOT NULL,
            platform TEXT NOT NULL,
            channel TEXT,
            at TEXT NOT NULL,
            resolved_at TEXT
        );
        CREATE UNIQUE INDEX reports_open_once ON reports(platform, reporter, film_id, text_hash)
            WHERE resolved_at IS NULL;
        CREATE INDEX reports_open_film ON reports(film_id, text_hash) WHERE resolved_at IS NULL;
        CREATE INDEX quotes_text_hash ON quotes(film_id, text_hash);
        CREATE INDEX quotes_film_source ON quotes(film_id, label_source)
            WHERE label_source <> 'scorer';
        CREATE INDEX quotes_uncertain ON quotes(film_id, kind, label, confidence)
            WHERE hidden = 0 AND label_source = 'scorer';
        UPDATE films SET pool_dirty = 1
        """,
    )
    rows = await conn.fetchall("SELECT id, text FROM quotes")
    await conn.executemany(
        "UPDATE quotes SET text_hash = ? WHERE id = ?",
        [(text_hash(text_key(r[1])), r[0]) for r in rows],
    )


async def v6_labeller(conn: Connection) -> None:
    """Which scorer labelled the stored quotes (``bot.storage.labeller``), so a release
    that ships another one re-labels them at start. No row yet: the next start re-labels
    everything the scorer decided."""
    await conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


async def v7_attribution(conn: Connection) -> None:
    """Who said it and where, per quote (issue 12): a dataset holds many critics and
    outlets in one file, so outlet, date and link live on the quote as the author
    already did; ``documents.url`` is the page a link or a saved page came from, the
    link back for quotes that have none of their own."""
    await _execute_script(
        conn,
        """
        ALTER TABLE quotes ADD COLUMN outlet TEXT;
        ALTER TABLE quotes ADD COLUMN published TEXT;
        ALTER TABLE quotes ADD COLUMN url TEXT;
        ALTER TABLE documents ADD COLUMN url TEXT
        """,
    )


async def v8_schedules_per_channel(conn: Connection) -> None:
    """Several schedules per channel, on chosen days, with skipped dates and an opt-in
    mention (issue 14).

    ``schedules`` is rebuilt without its one-per-channel UNIQUE, keyed instead by a short
    name per channel (existing schedules are named "1"); ``days`` is a weekday mask
    (``bot.weekdays``, 127 = every day). Dropping the old table would cascade into
    ``posts`` (foreign keys are on and cannot be turned off inside a transaction), so the
    claims are held in a temporary copy and ``posts`` is made again around them: every
    schedule keeps its id and its claims, and no day already posted is posted again.
    """
    await _execute_script(
        conn,
        """
        CREATE TABLE schedules_v8 (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            workspace TEXT NOT NULL DEFAULT '',
            channel TEXT NOT NULL,
            name TEXT NOT NULL,
            created_by TEXT NOT NULL,
            hour INTEGER NOT NULL,
            minute INTEGER NOT NULL,
            timezone TEXT NOT NULL,
            days INTEGER NOT NULL DEFAULT 127,
            mood TEXT NOT NULL,
            film_id INTEGER REFERENCES films(id) ON DELETE SET NULL,
            role TEXT,
            status TEXT NOT NULL,
            pause_reason TEXT,
            next_run_utc TEXT NOT NULL,
            last_local_date TEXT,
            UNIQUE (platform, workspace, channel, name)
        );
        INSERT INTO schedules_v8 (id, platform, workspace, channel, name, created_by, hour,
                                  minute, timezone, mood, film_id, status, pause_reason,
                                  next_run_utc, last_local_date)
            SELECT id, platform, workspace, channel, '1', created_by, hour, minute, timezone,
                   mood, film_id, status, pause_reason, next_run_utc, last_local_date
            FROM schedules;
        CREATE TEMP TABLE posts_v7 AS SELECT * FROM posts;
        DROP TABLE posts;
        DROP TABLE schedules;
        ALTER TABLE schedules_v8 RENAME TO schedules;
        CREATE INDEX schedules_due ON schedules(status, next_run_utc);
        CREATE TABLE posts (
            schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
            local_date TEXT NOT NULL,
            claimed_at TEXT NOT NULL,
            message_id TEXT,
            outcome TEXT NOT NULL DEFAULT 'claimed',
            PRIMARY KEY (schedule_id, local_date)
        );
        INSERT INTO posts (schedule_id, local_date, claimed_at, message_id, outcome)
            SELECT schedule_id, local_date, claimed_at, message_id, outcome FROM temp.posts_v7;
        DROP TABLE temp.posts_v7;
        CREATE TABLE schedule_skips (
            schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
            local_date TEXT NOT NULL,
            PRIMARY KEY (schedule_id, local_date)
        ) WITHOUT ROWID
        """,
    )


async def v9_growing_pools(conn: Connection) -> None:
    """Pools that grow without renumbering (issue 16): ranks carry the pool's version, so
    a full rebuild writes the next version beside the one draws read and swaps by bumping
    ``films.pool_version``; ``pool_quote`` finds a removed quote's ranks (they become
    holes a draw skips); ``pool_sizes.live`` counts the ranks still filled;
    ``films.pool_cursor`` is how far a rebuild under way has read (NULL: none);
    ``decks.size`` is the pool size a channel's round started with, so quotes added
    mid-round join the next one. Every film is renumbered on first use."""
    await _execute_script(
        conn,
        """
        DROP TABLE pool;
        DROP TABLE pool_sizes;
        CREATE TABLE pool (
            film_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            mood TEXT NOT NULL,
            rank INTEGER NOT NULL,
            quote_id INTEGER NOT NULL,
            PRIMARY KEY (film_id, version, mood, rank)
        ) WITHOUT ROWID;
        CREATE INDEX pool_quote ON pool(quote_id);
        CREATE TABLE pool_sizes (
            film_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            mood TEXT NOT NULL,
            size INTEGER NOT NULL,
            live INTEGER NOT NULL,
            PRIMARY KEY (film_id, version, mood)
        ) WITHOUT ROWID;
        ALTER TABLE films ADD COLUMN pool_cursor INTEGER;
        ALTER TABLE decks ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
        UPDATE films SET pool_dirty = 1
        """,
    )


async def v10_film_titles_by_lower(conn: Connection) -> None:
    """Film names are matched by ``lower(title)`` (issue 13): the one case rule both
    SQLite and PostgreSQL apply alike (``COLLATE NOCASE`` is SQLite's alone), so the
    title index is rebuilt on that expression."""
    await _execute_script(
        conn,
        """
        DROP INDEX films_title_nocase;
        CREATE INDEX films_title_lower ON films(lower(title))
        """,
    )


async def v11_shared_between_processes(conn: Connection) -> None:
    """What several processes on one database must agree on (issue 13), which each kept
    in its memory: members' cooldowns (one row per member: the instants of the replies
    still in the window, and when the row can be forgotten) and requests a platform may
    deliver twice or to another replica (a Slack signature, a Socket Mode envelope),
    each remembered until ``expires`` so that only the first delivery is served."""
    await _execute_script(
        conn,
        """
        CREATE TABLE cooldowns (
            member TEXT PRIMARY KEY,
            hits TEXT NOT NULL,
            expires REAL NOT NULL
        );
        CREATE INDEX cooldowns_expires ON cooldowns(expires);
        CREATE TABLE seen_once (
            key TEXT PRIMARY KEY,
            expires REAL NOT NULL
        );
        CREATE INDEX seen_once_expires ON seen_once(expires)
        """,
    )


async def v12_film_title_grams(conn: Connection) -> None:
    """Autocomplete finds a film by any part of its title without reading every title
    (issue 16: a miss scanned the whole title index, 1 ms at 10,000 films): each folded
    title's pieces of one to three characters, in title order per piece, and how many
    films hold each piece (``bot.storage.film_search``). Same tables on both engines."""
    await _execute_script(
        conn,
        """
        CREATE TABLE film_grams (
            gram TEXT NOT NULL,
            title TEXT NOT NULL,
            film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            PRIMARY KEY (gram, title, film_id)
        ) WITHOUT ROWID;
        CREATE INDEX film_grams_film ON film_grams(film_id);
        CREATE TABLE gram_sizes (
            gram TEXT PRIMARY KEY,
            films INTEGER NOT NULL
        ) WITHOUT ROWID
        """,
    )
    for film_id, title in await conn.fetchall("SELECT id, title FROM films ORDER BY id"):
        await index_title(conn, int(film_id), str(title))


MIGRATIONS: tuple[Migration, ...] = (
    v1_corpus_and_schedules,
    v2_pools_decks_stats,
    v3_film_names_index,
    v4_pools_from_the_critics_voice,
    v5_corrections_by_people,
    v6_labeller,
    v7_attribution,
    v8_schedules_per_channel,
    v9_growing_pools,
    v10_film_titles_by_lower,
    v11_shared_between_processes,
    v12_film_title_grams,
)
