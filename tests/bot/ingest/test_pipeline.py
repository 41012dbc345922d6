"""Ingest of files and folders: idempotence, replacement, and every kind of bad file."""

from __future__ import annotations

from pathlib import Path

from bot.app import ReviewBot
from bot.ingest.pipeline import FileResult
from bot.ingest.reading import BadFile, decode

EXCERPTS = "A dazzling, tender film.\nA dull and lifeless bore.\n\n@highlight\n\nCritics agree.\n"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


async def count(core: ReviewBot, film: str) -> int:
    films = {f.name: f for f in await core.corpus.films()}
    return len(await core.corpus.quotes(films[film].id)) if film in films else 0


async def test_same_file_twice_adds_nothing(core: ReviewBot, tmp_path: Path) -> None:
    f = write(tmp_path / "a.txt", EXCERPTS)
    first = await core.ingest([f], "Test (2020)")
    second = await core.ingest([f], "Test (2020)")
    assert [r.status for r in first.results] == ["added"]
    assert [r.status for r in second.results] == ["unchanged"]
    assert await count(core, "Test (2020)") == 2


async def test_changed_file_replaces_its_quotes(core: ReviewBot, tmp_path: Path) -> None:
    f = write(tmp_path / "a.txt", EXCERPTS)
    await core.ingest([f], "Test (2020)")
    write(f, "One new excerpt that is quite good.\n\n@highlight\n\nNew consensus.\n")
    report = await core.ingest([f], "Test (2020)")
    assert [r.status for r in report.results] == ["replaced"]
    films = {x.name: x for x in await core.corpus.films()}
    quotes = await core.corpus.quotes(films["Test (2020)"].id)
    assert [q.text for q in quotes] == ["One new excerpt that is quite good."]
    assert films["Test (2020)"].consensus == "New consensus."
    stats = await core.corpus.stats(films["Test (2020)"].id)
    assert sum(s.count for s in stats) == 1  # aggregates follow the replacement


async def test_folder_mixing_good_and_bad_files(core: ReviewBot, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    write(folder / "good.txt", EXCERPTS)
    write(folder / "empty.txt", b"")
    write(folder / "blank.txt", b"   \n\n  ")
    write(folder / "binary.bin", bytes(range(256)) * 4)
    write(folder / "png.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    write(folder / "huge.txt", "A fine film indeed.\n" * 2000)
    write(folder / "sub" / "also-good.txt", "Another tender, lovely film.\n\n@highlight\n\nYes.\n")
    write(folder / ".hidden.txt", EXCERPTS)
    seen: list[FileResult] = []
    from bot.ingest.pipeline import ingest_paths

    report = await ingest_paths(
        core.corpus, core.ctx.scorer, [folder], "Mixed (2021)", max_bytes=20_000,
        on_file=seen.append,
    )
    by_name = {r.path.name: r for r in report.results}
    assert set(by_name) == {"good.txt", "empty.txt", "blank.txt", "binary.bin", "png.txt",
                            "huge.txt", "also-good.txt"}
    assert by_name["good.txt"].status == "added" and by_name["also-good.txt"].status == "added"
    assert by_name["empty.txt"].reason == "empty" and by_name["blank.txt"].reason == "empty"
    assert "binary" in (by_name["binary.bin"].reason or "")
    assert "binary" in (by_name["png.txt"].reason or "")
    assert "too large" in (by_name["huge.txt"].reason or "")
    assert len(report.failed) == 5 and len(seen) == 7
    for r in report.failed:
        assert "\n" not in r.line() and str(r.path) in r.line()
    assert await count(core, "Mixed (2021)") == 3


def test_cp1252_and_latin1_decode_without_mojibake() -> None:
    raw = "“Her” is a café-set romance… – ‘sweet’".encode("cp1252")
    assert decode(raw) == "“Her” is a café-set romance… – ‘sweet’"
    assert decode("Amélie, naïve".encode("latin-1")) == "Amélie, naïve"
    assert decode("\ufeffBOM’d UTF-8".encode()) == "BOM’d UTF-8"
    assert decode("UTF-16 text".encode("utf-16")) == "UTF-16 text"


def test_undecodable_bytes_are_a_bad_file() -> None:
    try:
        decode(b"\x81\x8d\x8f\x90\x9d" * 20)
    except BadFile as exc:
        assert "binary" in str(exc)
    else:
        raise AssertionError("expected BadFile")


async def test_long_quote_is_split_at_sentence_boundaries(core: ReviewBot, tmp_path: Path) -> None:
    comment = " ".join(
        f"Scene {i} of this film is a long meditation on loneliness in the city." for i in range(60)
    )
    page = "Posted by: Someone | May 1, 2020\n\nThe film is good and sad.\n\n  1. " + comment
    f = write(tmp_path / "page.html.txt", page)
    await core.ingest([f], "Long (2020)")
    films = {x.name: x for x in await core.corpus.films()}
    quotes = await core.corpus.quotes(films["Long (2020)"].id)
    readers = [q for q in quotes if q.kind.value == "reader"]
    assert len(readers) >= 2
    for q in readers:
        assert len(q.text) <= 1500 and q.text.startswith("Scene") and q.text.endswith("city.")
    assert " ".join(q.text for q in readers) == comment  # nothing lost, nothing cut mid-way


async def test_a_windows_1252_file_is_stored_as_the_right_text(
    core: ReviewBot, tmp_path: Path
) -> None:
    text = "“Her” is a café romance… – tender.\nIt’s a dull, joyless slog.\n\n@highlight\n\nOk.\n"
    f = write(tmp_path / "cp1252.txt", text.encode("cp1252"))
    report = await core.ingest([f], "Encoded (2019)")
    assert [r.status for r in report.results] == ["added"]
    films = {x.name: x for x in await core.corpus.films()}
    quotes = await core.corpus.quotes(films["Encoded (2019)"].id)
    assert [q.text for q in quotes] == ["“Her” is a café romance… – tender.",
                                        "It’s a dull, joyless slog."]
