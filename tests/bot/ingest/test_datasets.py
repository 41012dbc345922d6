"""Datasets end to end: the Rotten Tomatoes critic-reviews CSV, mapped CSV and JSON Lines,
many films per file, labels from the source, malformed rows, and files that fail whole."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

import aiosqlite
import pytest

from bot.app import ReviewBot
from bot.ingest import datasets, pipeline
from bot.ingest.columns import ColumnMap, film_from_link
from bot.invocation import Invocation
from bot.models import Driver, Label, LabelSource, Quote, Sentiment
from bot.render import render_text
from bot.settings import Settings
from tests.fakes.clock import FakeClock

RT_HEADER = ["rotten_tomatoes_link", "critic_name", "top_critic", "publisher_name",
             "review_type", "review_score", "review_date", "review_content"]


def rt_rows() -> list[list[str]]:
    return [
        ["m/her", "Manohla Dargis", "True", "New York Times", "Fresh", "", "2013-12-17",
         "A tender, funny and wistful love story, unlike any other this year."],
        ["m/her", "", "False", "Cinema Blend", "Rotten", "2/5", "2014-01-09",
         'All concept and style, "Her" floats around like a clinical bubble that pops.'],
        ["m/her", "Ann Hornaday", "True", "Washington Post", "Fresh", "4/4", "2013-12-20",
         "Spike Jonze's film is a wonder:\nfunny, sad, and deeply, strangely moving."],
        ["m/her", "", "False", "Some Blog", "Fresh", "", "2014-02-01", ""],  # no text
        ["m/the_dark_knight", "Roger Ebert", "True", "Chicago Sun-Times", "Fresh", "4/4",
         "2008-07-16", "A haunted film that leaps beyond its origins and becomes an "
         "engrossing tragedy."],
        ["m/the_dark_knight", "Jane Doe", "False", "Daily Planet", "Rotten", "C",
         "2008-07-18", "Long, loud and joyless, with a plot that collapses, sadly."],
        ["m/the_thing_2011", "Joe Critic", "False", "Weekly, Inc.", "Rotten", "1/5",
         "2011-10-14", "A needless, tired copy of a far better film."],
    ]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]],
              encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


async def film_quotes(core: ReviewBot, name: str) -> list[Quote]:
    films = {f.name: f for f in await core.corpus.films()}
    return await core.corpus.quotes(films[name].id) if name in films else []


async def document_count(core: ReviewBot, path: Path) -> int:
    row = await core.db.fetchone(
        "SELECT COUNT(*) FROM documents WHERE path = ?", (str(path.resolve()),))
    assert row is not None
    return int(row[0])


def test_film_names_from_rotten_tomatoes_links() -> None:
    assert film_from_link("m/her") == "Her"
    assert film_from_link("m/the_dark_knight") == "The Dark Knight"
    assert film_from_link("m/the_thing_2011") == "The Thing (2011)"
    assert film_from_link("m/1003707-casablanca") == "Casablanca"
    assert film_from_link("https://www.rottentomatoes.com/m/lord_of_the_rings/") == (
        "Lord of the Rings")


async def test_the_rotten_tomatoes_dataset_is_read_as_it_comes(
    core: ReviewBot, tmp_path: Path
) -> None:
    f = write_csv(tmp_path / "rotten_tomatoes_critic_reviews.csv", RT_HEADER, rt_rows())
    progress: list[tuple[int, int | None]] = []
    report = await core.ingest([f], on_progress=lambda d, t: progress.append((d, t)))
    [result] = report.results
    assert (result.status, result.films, result.quotes) == ("added", 3, 6)
    assert result.line().endswith("added 6 quotes of 3 films; rows skipped: 1 without text")
    assert progress[-1] == (6, 6) and all(t in (None, 6) for _, t in progress)

    her = await film_quotes(core, "Her")
    assert [q.text for q in her] == [
        "A tender, funny and wistful love story, unlike any other this year.",
        'All concept and style, "Her" floats around like a clinical bubble that pops.',
        "Spike Jonze's film is a wonder: funny, sad, and deeply, strangely moving.",
    ]
    first, second, _ = her
    assert (first.author, first.outlet, first.published) == (
        "Manohla Dargis", "New York Times", "2013-12-17")
    assert first.attribution == "Manohla Dargis, New York Times, 2013-12-17"
    assert second.attribution == "a critic, Cinema Blend, 2014-01-09"
    assert [(q.label, q.label_source) for q in her] == [
        (Label.POSITIVE, LabelSource.SOURCE), (Label.NEGATIVE, LabelSource.SOURCE),
        (Label.POSITIVE, LabelSource.SOURCE)]
    assert all(q.kind.value == "critic" and q.url is None for q in her)
    assert len(await film_quotes(core, "The Dark Knight")) == 2
    [thing] = await film_quotes(core, "The Thing (2011)")
    assert thing.outlet == "Weekly, Inc." and thing.label is Label.NEGATIVE
    assert await document_count(core, f) == 3  # one document per film and file


async def test_the_verdict_says_which_labels_came_from_the_source(
    core: ReviewBot, tmp_path: Path, admin: Invocation
) -> None:
    await core.ingest([write_csv(tmp_path / "rt.csv", RT_HEADER, rt_rows())])
    text = render_text(await core.handle_text(admin, "/verdict The Dark Knight"))
    assert "2 from the source" in text


async def test_the_scorer_still_scores_a_labelled_row(tmp_path: Path, settings: Settings,
                                                       clock: FakeClock) -> None:
    class Fixed:
        name = "fixed"

        def score(self, text: str) -> Sentiment:
            return Sentiment(Label.NEGATIVE, -0.25, 0.75)

        def score_many(self, texts: Sequence[str]) -> list[Sentiment]:
            return [self.score(t) for t in texts]

        def explain(self, text: str, top: int = 5) -> tuple[Driver, ...]:
            return ()

    core = await ReviewBot.open(settings, clock=clock, scorer=Fixed())
    try:
        await core.ingest([write_csv(tmp_path / "rt.csv", RT_HEADER, rt_rows()[:1])])
        [q] = await film_quotes(core, "Her")
        assert (q.label, q.label_source, q.polarity, q.confidence) == (
            Label.POSITIVE, LabelSource.SOURCE, -0.25, 0.75)
    finally:
        await core.close()


async def test_malformed_rows_are_reported_by_line_and_the_rest_go_in(
    core: ReviewBot, tmp_path: Path
) -> None:
    good = "A tender, funny and wistful love story for our time."
    text = (",".join(RT_HEADER) + "\n"
            f'm/her,Ann,True,Paper,Fresh,,2013-12-17,"{good}"\n'
            "m/her,too,few,fields\n"  # line 3
            f'm/her,Bo,False,Blog,Fresh,,2014-01-01,"A second row\nthat spans lines, lovely."\n'
            + "".join(f"m/her,x,y,{i}\n" for i in range(12))  # lines 6..17
            + 'm/her,Cy,False,Zine,Rotten,,2014-02-02,"A dull and lifeless bore of a film."\n')
    f = tmp_path / "rows.csv"
    f.write_text(text)
    [result] = (await core.ingest([f])).results
    assert result.status == "added" and result.quotes == 3
    assert result.notes[0] == "line 3: 4 fields where the header has 8"
    assert result.notes[1] == "line 6: 4 fields where the header has 8"
    assert len(result.notes) == datasets.REPORTED_ROWS + 1
    assert result.notes[-1] == "… and 3 more malformed rows"
    assert "rows skipped: 13 malformed" in result.line()
    texts = [q.text for q in await film_quotes(core, "Her")]
    assert texts[-1] == "A dull and lifeless bore of a film."


async def test_films_scattered_through_a_file_are_one_document_each(
    core: ReviewBot, tmp_path: Path
) -> None:
    rows = rt_rows()
    scattered = [rows[0], rows[4], rows[1], rows[6], rows[2], rows[5]]
    f = write_csv(tmp_path / "scattered.csv", RT_HEADER, scattered)
    [result] = (await core.ingest([f])).results
    assert (result.films, result.quotes) == (3, 6)
    assert [q.text for q in await film_quotes(core, "Her")] == [
        rows[0][7], rows[1][7], " ".join(rows[2][7].split())]
    assert await document_count(core, f) == 3


async def test_again_is_unchanged_and_a_changed_film_alone_is_replaced(
    core: ReviewBot, tmp_path: Path
) -> None:
    rows = rt_rows()
    f = write_csv(tmp_path / "rt.csv", RT_HEADER, rows)
    await core.ingest([f])
    [again] = (await core.ingest([f])).results
    assert again.status == "unchanged" and again.line().endswith("unchanged, nothing to do")
    rows[5][7] = "On reflection, an overlong and exhausting slog, sadly."
    write_csv(f, RT_HEADER, rows)
    [changed] = (await core.ingest([f])).results
    assert (changed.films, changed.unchanged_films, changed.quotes) == (1, 2, 2)
    knight = [q.text for q in await film_quotes(core, "The Dark Knight")]
    assert knight[-1] == rows[5][7] and len(knight) == 2
    assert len(await film_quotes(core, "Her")) == 3


async def test_json_lines_with_mapped_columns(core: ReviewBot, tmp_path: Path) -> None:
    lines = [
        {"movie": "Arrival (2016)", "body": "A moving, intelligent and beautiful film.",
         "verdict": 1, "who": "Kim", "where": "Film Weekly", "when": "2016-11-10",
         "link": "https://films.example/arrival?id=1&x=2"},
        {"movie": "Arrival (2016)", "body": "Slow and ponderous, a joyless lecture.",
         "verdict": 0, "who": None, "where": "Cine", "when": "2016-11-12",
         "link": "javascript:alert(1)"},
        {"movie": "Arrival (2016)", "body": "Neither here nor there, but it is fine.",
         "verdict": None, "who": "Lee"},
    ]
    f = tmp_path / "reviews.jsonl"
    f.write_text("\n".join(json.dumps(line) for line in lines) + "\n{not json\n[1, 2]\n")
    columns = ColumnMap(text="body", label="verdict", critic="who", outlet="where",
                        date="when", url="link")
    [result] = (await core.ingest([f], "movie", columns=columns)).results
    assert result.notes == ("line 4: not JSON (Expecting property name enclosed in double "
                            "quotes)", "line 5: not a JSON object")
    first, second, third = await film_quotes(core, "Arrival (2016)")
    assert (first.label, first.label_source, first.url) == (
        Label.POSITIVE, LabelSource.SOURCE, "https://films.example/arrival?id=1&x=2")
    assert first.attribution == "Kim, Film Weekly, 2016-11-10"
    assert (second.label, second.url) == (Label.NEGATIVE, None)  # never a javascript: link
    assert third.label_source is LabelSource.SCORER


async def test_a_single_film_dataset_takes_its_film_from_the_option(
    core: ReviewBot, tmp_path: Path
) -> None:
    f = write_csv(tmp_path / "one.csv", ["text", "label"],
                  [["A wonderful, tender film.", "pos"], ["Dreary and dull, a slog.", "neg"]])
    [result] = (await core.ingest([f], "Solo (2018)")).results
    assert result.films == 1
    assert [q.label for q in await film_quotes(core, "Solo (2018)")] == [
        Label.POSITIVE, Label.NEGATIVE]


@pytest.mark.parametrize(("header", "rows", "columns", "reason"), [
    (["film", "body"], [["X", "A fine film."]], ColumnMap(),
     "no text column (looked for review_content, text, review, quote); the columns are "
     "'film', 'body': say which with --text"),
    (["film", "text"], [["X", "A fine film."]], ColumnMap(label="stars"),
     "no column 'stars' (--label); the columns are 'film', 'text'"),
    (["film", "text", "label"], [["X", "A fine film.", "fresh"], ["X", "Bad.", "meh"]],
     ColumnMap(), "line 3: unknown label 'meh' (known: Fresh/Rotten, positive/negative, "
     "pos/neg, 1/0, mixed); map another column with --label"),
])
async def test_a_file_that_cannot_be_read_as_reviews_fails_whole(
    core: ReviewBot, tmp_path: Path, header: list[str], rows: list[list[str]],
    columns: ColumnMap, reason: str,
) -> None:
    before = len(await core.corpus.films())
    f = write_csv(tmp_path / "bad.csv", header, rows)
    good = write_csv(tmp_path / "good.csv", ["film", "text"], [["Y", "A lovely, warm film."]])
    report = await core.ingest([f, good], columns=columns)
    assert report.results[0].line() == f"{f}: skipped, {reason}"
    added = int(columns == ColumnMap())  # the same options fit the other file: it goes in
    assert [r.status for r in report.results][1:] == ["added" if added else "failed"]
    assert len(await core.corpus.films()) == before + added  # X never created


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "binary (NUL bytes); expected a text file"),
    (b"text\n" + b"A fine film indeed.\n" * 2000, "too large (39.1 KB; the limit is 32.0 KB,"),
    (b"text,film\n", "no rows with review text"),
    (b"text,film\nA fine and lovely film.,\n",
     "no usable rows: 1 malformed, the first at line 2: no film (name one with --film)"),
])
async def test_bad_dataset_files_are_one_line(
    settings: Settings, clock: FakeClock, tmp_path: Path, data: bytes, reason: str
) -> None:
    core = await ReviewBot.open(Settings(db_path=settings.db_path, max_file_bytes=32 * 1024),
                                clock=clock)
    try:
        f = tmp_path / "bad.csv"
        f.write_bytes(data)
        [result] = (await core.ingest([f], "Z (2020)")).results
        assert result.status == "failed" and result.line().startswith(f"{f}: skipped, {reason}")
    finally:
        await core.close()


async def test_a_windows_1252_dataset_decodes(core: ReviewBot, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "cp.csv", ["film", "text"],
                  [["Amélie (2001)", "A café romance… tender, sweet and “whimsical”."]],
                  encoding="cp1252")
    await core.ingest([f])
    [q] = await film_quotes(core, "Amélie (2001)")
    assert q.text == "A café romance… tender, sweet and “whimsical”."


async def test_a_film_that_fails_half_way_leaves_nothing_of_itself(
    core: ReviewBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Films are committed whole, in groups: a write failing on a film's second batch
    rolls the whole film back (and its group); a film committed before stays whole."""
    monkeypatch.setattr(datasets, "BATCH_ROWS", 2)
    monkeypatch.setattr(pipeline, "GROUP_ROWS", 1)  # each film its own group
    rows = [["First", f"A warm and lovely film, take {i}."] for i in range(3)]
    rows += [["Second", f"A dull and tiresome film, take {i}."] for i in range(5)]
    f = write_csv(tmp_path / "two.csv", ["film", "text"], rows)
    batches = 0

    async def failing_executemany(self: object, sql: str, params: object) -> None:
        nonlocal batches
        if sql.startswith("INSERT INTO quotes"):
            batches += 1
            if batches == 4:  # First: 2 batches; Second: the 2nd of 3
                raise OSError("disk on fire")
        await real_executemany(self, sql, params)

    real_executemany = aiosqlite.Connection.executemany
    monkeypatch.setattr(aiosqlite.Connection, "executemany", failing_executemany)
    with pytest.raises(OSError):
        await core.ingest([f])
    monkeypatch.undo()
    assert len(await film_quotes(core, "First")) == 3
    assert await film_quotes(core, "Second") == []
    names = {x.name for x in await core.corpus.films()}
    assert "Second" not in names


async def test_bad_bytes_deep_in_a_dataset_fail_it_whole(core: ReviewBot, tmp_path: Path) -> None:
    """The encoding is judged on the first 64 KB; a later undecodable byte fails the file
    before anything is written (staging reads all of it first)."""
    good = "".join(f"Deep (2003),A fine and tender film number {i}.\n" for i in range(2000))
    f = tmp_path / "deep.csv"
    f.write_bytes(b"film,text\n" + good.encode() + b"Deep (2003),Broken \x81\x8d text.\n")
    [result] = (await core.ingest([f])).results
    assert result.line() == (f"{f}: skipped, not valid utf-8 text (invalid start byte in a "
                             "later part of the file); expected UTF-8 or Windows-1252")
    assert await film_quotes(core, "Deep (2003)") == []
