"""``reviewbot label`` as a user runs it: real processes on a real database file."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.backends import create_database, database_url, drop_database, query
from tests.bot.test_crash import run


def ids_of(db: Path | str, label: str, limit: int) -> list[int]:
    return [int(r[0]) for r in query(
        db, f"SELECT id FROM quotes WHERE kind = 'critic' AND label = '{label}' ORDER BY id"
        f" LIMIT {limit}"
    )]


def no_traceback(result: object) -> None:
    assert "Traceback" not in getattr(result, "stdout", "") + getattr(result, "stderr", "")


def test_list_shows_ids_labels_sources_and_safe_text(settings: Settings) -> None:
    db = settings.database
    query(
        db,
        "INSERT INTO quotes (film_id, document_id, kind, text, position, label, polarity,"
        " confidence) SELECT film_id, id, 'critic', ?, 999, 'negative', -0.9, 0.01"
        " FROM documents LIMIT 1",
        ("Evil \x1b]0;pwned\x07title\x1b[31m red\u202e and\nmore",),
    )
    result = run(db, "label", "list", "--mood", "negative", "--limit", "4")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and all(line.startswith("#") for line in lines)
    assert lines[0].split()[1:4] == ["negative", "scorer", "0.01"]  # least confident first
    assert "Evil title red and more" in lines[0]
    assert not any(ch in result.stdout for ch in "\x1b\x07\u202e")
    films = run(db, "label", "list", "--film", "Nope (1900)")
    assert films.returncode == 2 and "Nope" in films.stderr
    no_traceback(films)


def test_set_corrects_by_id_with_an_audit_row(settings: Settings) -> None:
    db = settings.database
    quote_id = ids_of(db, "positive", 1)[0]
    result = run(db, "label", "set", str(quote_id), "negative", "--by", "Zed")
    assert result.returncode == 0, result.stderr
    assert f"#{quote_id}: positive → negative" in result.stdout
    assert query(db, f"SELECT label, label_source FROM quotes WHERE id = {quote_id}") == [
        ("negative", "people")
    ]
    assert query(db, "SELECT quote_id, from_label, to_label, by_user, platform"
                     " FROM correction_log") == [(quote_id, "positive", "negative", "Zed", "cli")]
    listed = run(db, "label", "list", "--mood", "negative", "--limit", "500")
    assert any(line.startswith(f"#{quote_id} ") and " people " in line
               for line in listed.stdout.splitlines())
    hidden = run(db, "label", "set", str(quote_id), "hide")
    assert hidden.returncode == 0 and "negative → hidden" in hidden.stdout
    missing = run(db, "label", "set", "999999", "hide")
    assert missing.returncode == 2 and "no quote #999999" in missing.stderr
    wrong = run(db, "label", "set", str(quote_id), "sad")
    assert wrong.returncode == 2
    huge = run(db, "label", "set", "9" * 20, "positive")  # past SQLite's 64-bit integers
    assert huge.returncode == 2 and "is not a quote id" in huge.stderr
    no_traceback(missing)
    no_traceback(wrong)
    no_traceback(huge)


def test_export_then_import_into_another_database(
    settings: Settings, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db = settings.database
    fresh: Path | str
    if isinstance(db, Path):
        fresh = tmp_path / "other" / "copy.sqlite3"
        fresh.parent.mkdir()
        shutil.copy(db, fresh)  # closed and checkpointed: the template's copy, no corrections
    else:
        name = create_database(template=request.getfixturevalue("template_postgres"))
        request.addfinalizer(lambda: drop_database(name))
        fresh = database_url(name)
    positive, negative = ids_of(db, "positive", 1)[0], ids_of(db, "negative", 1)[0]
    assert run(db, "label", "set", str(positive), "mixed", "--by", "Ann").returncode == 0
    assert run(db, "label", "set", str(negative), "hide", "--by", "Bob").returncode == 0
    out = tmp_path / "corrections.csv"
    exported = run(db, "label", "export", str(out))
    assert exported.returncode == 0 and "2 corrections written" in exported.stdout
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["film", "text", "label", "by", "at"]
    assert sorted((r[0], r[2], r[3]) for r in rows[1:]) == [
        ("Her (2013)", "hide", "Bob"), ("Her (2013)", "mixed", "Ann")
    ]

    imported = run(fresh, "label", "import", str(out))
    assert imported.returncode == 0, imported.stderr
    assert "2 corrections applied, 0 already there, 0 rows skipped" in imported.stdout
    state = "SELECT label, hidden, label_source FROM quotes WHERE id = "
    assert query(fresh, f"{state}{positive}") == [("neutral", 0, "people")]
    assert query(fresh, f"{state}{negative}") == [("negative", 1, "people")]
    assert {r[0] for r in query(fresh, "SELECT by_user FROM correction_log")} == {"Ann", "Bob"}
    twice = run(fresh, "label", "import", str(out))
    assert twice.returncode == 0 and "0 corrections applied, 2 already there" in twice.stdout


def test_import_skips_bad_rows_with_their_line_numbers(
    settings: Settings, tmp_path: Path
) -> None:
    db = settings.database
    good_text = query(db, "SELECT text FROM quotes WHERE kind = 'critic' AND label = 'positive'"
                          " ORDER BY id LIMIT 1")[0][0]
    source = tmp_path / "in.csv"
    source.write_text(
        "film,text,label,by,at\n"                                      # line 1
        f'Her (2013),"{good_text.upper()}",negative,Cy,2026-01-02T03:04:05+00:00\n'  # 2: ok
        "Nope (1900),Some text,negative,,\n"                           # 3: no such film
        f'Her (2013),"{good_text}",sad,,\n'                            # 4: bad label
        'Her (2013),"Not a quote of this film at all",hide,,\n'        # 5: no such text
        f'Her (2013),"{good_text}",mixed,,yesterday\n'                 # 6: bad time
        "just,three,columns\n"                                         # 7: wrong width
        '"Her (2013)","multi\nline text",hide,,\n'                     # 8-9: no such text
        "\n",
        encoding="utf-8",
    )
    result = run(db, "label", "import", str(source), "--by", "Dee")
    assert result.returncode == 1
    assert "1 corrections applied, 0 already there, 6 rows skipped" in result.stdout
    skipped = [line.split(": skipped, ")[0].rsplit(":", 1)[1]
               for line in result.stderr.splitlines() if ": skipped, " in line]
    assert skipped == ["3", "4", "5", "6", "7", "8"]
    assert "Nope (1900)" in result.stderr and "'sad'" in result.stderr
    assert query(db, "SELECT to_label, by_user, at FROM correction_log") == [
        ("negative", "Cy", "2026-01-02T03:04:05+00:00")
    ]
    no_traceback(result)

    source.write_text("name,quote\nx,y\n", encoding="utf-8")
    header = run(db, "label", "import", str(source))
    assert header.returncode == 2 and "header" in header.stderr
    gone = run(db, "label", "import", str(tmp_path / "missing.csv"))
    assert gone.returncode == 2 and "cannot read" in gone.stderr
    no_traceback(gone)
