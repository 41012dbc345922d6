"""What ingest reads and how it reads it: only regular files and never past the cap,
folders that cannot be read, several ``@highlight`` sections, HTML and stray markup,
and file names that would break a line."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from bot.app import ReviewBot
from bot.ingest.excerpts import parse_excerpts
from bot.ingest.markup import looks_like_html, without_markup
from bot.ingest.pipeline import FileResult, expand, parse_document
from bot.ingest.reading import BadFile, read_bytes
from bot.safe_text import safe_path

SEEDS = Path(__file__).resolve().parents[3] / "bot" / "data" / "seeds"


def read_within(path: Path, max_bytes: int, seconds: float = 5) -> BaseException | bytes:
    """``read_bytes`` in a thread, failing the test instead of hanging it."""
    outcome: list[BaseException | bytes] = []

    def go() -> None:
        try:
            outcome.append(read_bytes(path, max_bytes))
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=go, daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"reading {path} did not finish in {seconds} s"
    return outcome[0]


# -- only regular files, never past the cap -----------------------------------------------


def test_a_device_is_refused_without_reading_it() -> None:
    result = read_within(Path("/dev/zero"), 1024)
    assert isinstance(result, BadFile) and "a device" in str(result)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = read_within(fifo, 1024)
    assert isinstance(result, BadFile) and "pipe" in str(result)


def test_a_folder_named_as_a_file_is_refused(tmp_path: Path) -> None:
    result = read_within(tmp_path, 1024)
    assert isinstance(result, BadFile) and "a folder" in str(result)


def test_the_cap_holds_whatever_size_the_file_system_reports(tmp_path: Path) -> None:
    proc = Path("/proc/self/maps")  # a regular file that reports size 0
    if not proc.exists() or proc.stat().st_size != 0:
        pytest.skip("no /proc")
    result = read_within(proc, 64)
    assert isinstance(result, BadFile) and "too large" in str(result)
    exact = tmp_path / "exact.txt"
    exact.write_bytes(b"x" * 64)
    assert read_within(exact, 64) == b"x" * 64


async def test_special_files_are_reported_and_good_ones_still_ingested(
    core: ReviewBot, tmp_path: Path
) -> None:
    os.mkfifo(tmp_path / "fifo.txt")
    (tmp_path / "good.txt").write_text("A tender, lovely film.\n\n@highlight\n\nYes.\n")
    report = await core.ingest([Path("/dev/zero"), tmp_path], "Special (2020)")
    by_name = {r.path.name: r for r in report.results}
    assert by_name["zero"].status == "failed" and "a device" in (by_name["zero"].reason or "")
    assert by_name["fifo.txt"].status == "failed"
    assert by_name["good.txt"].status == "added"


# -- folders that cannot be read --------------------------------------------------------


def test_a_folder_that_vanishes_while_walking_is_reported(tmp_path: Path) -> None:
    """Real and deterministic as root: ``expand`` lists a folder when it reaches it, so
    removing it in between gives the same ``os.scandir`` error a lost disk or a
    permission change would."""
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "z").mkdir()
    (tmp_path / "z" / "b.txt").write_text("x")
    walk = expand([tmp_path])
    assert next(walk) == tmp_path / "a.txt"
    shutil.rmtree(tmp_path / "z")
    rest = list(walk)
    assert len(rest) == 1 and isinstance(rest[0], FileResult)
    assert rest[0].status == "failed" and "folder cannot be read" in (rest[0].reason or "")
    assert rest[0].line().startswith(f"{tmp_path / 'z'}: skipped, folder cannot be read")


def test_a_link_to_a_parent_folder_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "loop").symlink_to(tmp_path)
    assert list(expand([tmp_path])) == [tmp_path / "a.txt"]


# -- several @highlight sections -----------------------------------------------------------


def test_excerpts_after_a_second_highlight_section_stay_excerpts() -> None:
    doc = parse_excerpts(
        "First excerpt, tender.\n\n@highlight\n\nConsensus one.\n\nSecond excerpt, dull.\n"
        "@highlight\nConsensus two,\nwrapped.\n\nThird excerpt, moving.\n@highlight\n"
    )
    assert [q.text for q in doc.quotes] == [
        "First excerpt, tender.", "Second excerpt, dull.", "Third excerpt, moving."
    ]
    assert doc.consensus == "Consensus one. Consensus two, wrapped."
    assert not any("@highlight" in q.text for q in doc.quotes)


def test_the_seed_file_keeps_its_excerpts_and_consensus() -> None:
    seed = next(SEEDS.glob("000_*.txt"))
    doc = parse_excerpts(seed.read_text(encoding="utf-8"))
    assert len(doc.quotes) == 251
    assert doc.consensus is not None and doc.consensus.startswith("Sweet, soulful, and smart")


# -- HTML and markup ---------------------------------------------------------------------


@pytest.mark.parametrize("page", [
    "<!DOCTYPE html>\n<html><body><p>A tender film.</p></body></html>",
    "  <html lang='en'>\n<head><title>Her</title></head>\n<p>A tender film, truly.</p>",
    "<div class='review'>\n<nav><a href='/'>Home</a></nav>\n</div>\n",
])
def test_an_html_page_without_an_article_is_one_line(page: str) -> None:
    assert looks_like_html(page)
    with pytest.raises(BadFile, match=r"^no article found"):
        parse_document(page)


async def test_an_html_file_named_txt_is_read_as_html(core: ReviewBot, tmp_path: Path) -> None:
    page = tmp_path / "review.txt"
    prose = ("This is a wonderful and moving film about a lonely man in a city of glass. "
             "Its final act is quietly devastating, and the score is gorgeous throughout.")
    page.write_text(f"<!doctype html><html><body><article><p>{prose}</p>"
                    f"<p>{prose.replace('wonderful', 'lovely')}</p></article></body></html>")
    report = await core.ingest([page], "Html (2020)")
    assert [r.status for r in report.results] == ["added"]
    film = next(f for f in await core.corpus.films() if f.name == "Html (2020)")
    texts = [q.text for q in await core.corpus.quotes(film.id)]
    assert texts[0].startswith("This is a wonderful and moving film")
    assert not any("<" in t for t in texts)


def test_prose_mentioning_angle_brackets_is_not_html() -> None:
    assert not looks_like_html("A film where 2 < 3 and love > fear.\nIt is <3 for sure.\n")


def test_no_quote_ever_holds_markup() -> None:
    text = ("A tender, lovely film&nbsp;indeed.\n<p>Marked up excerpt, moving.</p>\n"
            "A dull bore &amp; a mess.\nAnother fine, moving excerpt.\n"
            "Less &lt;div&gt; than it seems, but still fine.\n\n@highlight\n\n<b>Loved</b>.\n")
    doc = parse_document(text)
    texts = [q.text for q in doc.quotes]
    assert texts == ["A tender, lovely film indeed.", "A dull bore & a mess.",
                     "Another fine, moving excerpt."]
    assert doc.consensus is None
    for t in texts:
        assert without_markup(t) == t


def test_web_page_prose_with_stray_tags_keeps_only_clean_sentences() -> None:
    page = ("Posted by: Ann | May 1, 2014\n\nThis film is a tender and wise portrait of love. "
            "It was <a href='x'>released</a> in a cold winter for everyone.\n\n"
            "The performances are wonderful and moving throughout the film.\n")
    texts = [q.text for q in parse_document(page).quotes]
    assert texts and not any("<" in t or "href" in t for t in texts)


# -- names that would break a line ---------------------------------------------------------


def test_file_names_print_as_one_line_with_every_character_visible(tmp_path: Path) -> None:
    name = tmp_path / "evil\nname\u202etxt.exe\x1b[31m"
    line = FileResult(name, "failed", reason="empty").line()
    assert "\n" not in line and "\u202e" not in line and "\x1b" not in line
    assert line == f"{tmp_path}/evil\\nname\\u202etxt.exe\\x1b[31m: skipped, empty"
    assert safe_path("caf\udce9.txt") == "caf\\xe9.txt"  # an undecodable byte
    assert safe_path("Résumé — ok.txt") == "Résumé — ok.txt"


def test_a_cap_larger_than_memory_reads_only_what_is_there(tmp_path: Path) -> None:
    """``read(cap + 1)`` reserves the whole cap first: a terabyte cap was a MemoryError
    (and 2**63 - 1 an OverflowError) at every start, before reading anything."""
    small = tmp_path / "small.txt"
    small.write_text("A fine film, warmly made.\n")
    for cap in (10**12, 2**63 - 1):
        assert read_bytes(small, cap) == b"A fine film, warmly made.\n"


def test_html_sniffing_is_linear_in_the_worst_case() -> None:
    """A line of "<!--" repeated once cost quadratic time (39 s at 160 KB); a 5 MB file
    of it must be answered at once."""
    import time

    started = time.perf_counter()
    assert looks_like_html(("<!--" * 125_000 + "\n") * 10)
    assert time.perf_counter() - started < 5  # generous: linear takes ~10 ms


def test_entities_cannot_decode_to_controls() -> None:
    cleaned = without_markup("Great &#27;]0;title&#7; film &amp; more")
    assert cleaned is not None and "\x1b" not in cleaned and "\x07" not in cleaned
    assert cleaned.endswith("film & more")
