"""Bad input: one clear line naming the file and the reason; the other documents are built."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError
from kg.ingest import read_document
from kg.ingest.decode import decode

from helpers import SAMPLES

SEED = SAMPLES / "000_55d5c5f876b887b2.txt"

BAD = {
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b"  \n\n \t\n", "empty file"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary file"),
    "controls.txt": (bytes(range(1, 9)) * 40, "binary file"),
    "broken-utf8.txt": ("Almaty – Astana, ".encode() * 20 + b"\xff\xfe\xfd" + "Shymkent".encode(),
                        "invalid UTF-8 at byte"),
    "utf16.txt": ("Trafficking report".encode("utf-16"), "UTF-16"),
    "numbers.txt": (b"1 2 3\n\n4, 5; 6\n", "no readable text"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_gets_one_clear_reason(tmp_path, name):
    data, reason = BAD[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        read_document(path)
    assert reason in err.value.reason
    assert str(path) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("data, encoding", [
    ("Kyrgyzstan – Osh\n".encode("utf-8"), "utf-8"),
    ("\ufeffKyrgyzstan – Osh\n".encode("utf-8"), "utf-8-sig"),
    ("Kyrgyzstan – Osh\n".encode("cp1252"), "cp1252"),
    ("Kyrgyzstan ± Osh\n".encode("latin-1"), "cp1252"),
])
def test_encodings_are_detected(data, encoding):
    text, found = decode(data, "x.txt")
    assert found == encoding
    assert text.startswith("Kyrgyzstan") and "Osh" in text


def test_bad_files_are_reported_and_the_rest_built(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (data, _) in BAD.items():
        (folder / name).write_bytes(data)
    shutil.copy(SEED, folder / "good.txt")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")   # another kind of file in a folder: skipped
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(folder), "--out", str(out), "--quiet"])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("kg: failed:")]
    assert len(lines) == len(BAD)
    for name in BAD:
        assert any(str(folder / name) in line for line in lines)
    assert (out / "documents.csv").read_text().count("07ASTANA1925") == 1


@pytest.mark.parametrize("args, message", [
    (["missing-folder"], "no such file or folder"),
    (["report.pdf"], "unsupported file type '.pdf'"),
])
def test_bad_paths_are_named(tmp_path, args, message):
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    paths = [str(tmp_path / a) for a in args]
    result = CliRunner().invoke(main, ["build", *paths, str(SEED), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 1
    assert f"{paths[0]}: {message}" in result.stderr


def test_symlink_loop_and_odd_names_are_handled(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    shutil.copy(SEED, folder / "sub" / "a cable 'quoted' – é.txt")
    result = CliRunner().invoke(main, ["build", str(folder), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 0, result.output
    assert "a cable 'quoted' – é.txt" in (tmp_path / "o" / "documents.csv").read_text()


def test_same_cable_in_two_files_is_read_once(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    shutil.copy(SEED, folder / "b.txt")
    (folder / "c.txt").write_text(SEED.read_text().replace("MILAS", "MILAS\n\n"))  # same cable id
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(folder), "--out", str(out), "-q"])
    assert result.exit_code == 0
    rows = (out / "documents.csv").read_text().splitlines()
    assert len(rows) == 2
    import json
    statuses = [i["status"] for i in json.loads((out / "manifest.json").read_text())["inputs"]]
    assert sorted(statuses) == ["duplicate", "duplicate", "ok"]


def test_two_texts_with_one_name_keep_both(tmp_path):
    for sub, text in (("x", "First report.\n"), ("y", "Second report.\n")):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "report.txt").write_text(text)
    out = tmp_path / "out"
    CliRunner().invoke(main, ["build", str(tmp_path / "x"), str(tmp_path / "y"), "--out", str(out), "-q"])
    ids = [line.split(",")[0] for line in (out / "documents.csv").read_text().splitlines()[1:]]
    assert ids == ["report", "report-2"]


def test_a_file_read_as_cp1252_gets_a_line_on_stderr_even_with_q(tmp_path):
    """The README promised a line for a file that is not valid UTF-8; it was read in silence."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder)
    (folder / "memo.txt").write_bytes("Victims from Kyrgyzstan were trafficked to Osh – caf\xe9.\n"
                                      .encode("cp1252"))
    result = CliRunner().invoke(main, ["build", str(folder), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 0, result.output
    assert "memo.txt: not valid UTF-8, read as cp1252" in result.stderr
    assert "re-save it as UTF-8" in result.stderr


def test_q_keeps_the_warnings_a_user_must_see(tmp_path):
    """-q hid "correction matched nothing"; it hides the summary only."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder)
    (tmp_path / "kg.corrections.toml").write_text('[[retype]]\nentity = "Atlantis"\ntype = "NGO"\n',
                                                 encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(folder), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 0, result.output
    assert "correction matched nothing" in result.stderr and "Atlantis" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("errno_, where, message", [
    (30, "lock", "Read-only file system"),
    (28, "spool", "No space left on device"),
])
def test_an_output_that_cannot_be_written_is_one_line_and_status_1(tmp_path, monkeypatch, errno_,
                                                                   where, message):
    """A read-only output folder (EROFS from the lock file) and a full disk (ENOSPC from the
    spool) ended in a traceback; now one line naming the file, status 1, and the previous
    outputs as they were."""
    import os

    from kg.pipeline import spool
    out = tmp_path / "o"
    first = CliRunner().invoke(main, ["build", str(SEED), "--out", str(out), "-q"])
    assert first.exit_code == 0, first.output
    before = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}

    def fail(path, *args, **kwargs):
        raise OSError(errno_, os.strerror(errno_), str(path))
    if where == "lock":
        real_open = open

        def guarded(path, *args, **kwargs):
            if str(path).endswith(".kg-lock"):
                fail(path)
            return real_open(path, *args, **kwargs)
        monkeypatch.setattr("builtins.open", guarded)
    else:
        monkeypatch.setattr(spool.Spool, "write", lambda self, data: fail(self.path))
    result = CliRunner().invoke(main, ["build", str(SEED), "--out", str(out), "-q", "--no-cache"])
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: cannot write ") and message in lines[0]
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == before
    assert not list(tmp_path.glob(".kg-build-*"))


def test_a_document_over_the_time_limit_is_skipped_and_the_build_goes_on(tmp_path, monkeypatch):
    """One pathological document (a long paragraph with no full stop) stalled the whole build;
    now it is skipped with a line naming it (kg build --doc-timeout)."""
    import time

    from kg import worker
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES, folder)
    real = worker.extract

    def stalls(doc, **kwargs):
        if doc.id == "07ASTANA614":
            time.sleep(600)
        return real(doc, **kwargs)
    monkeypatch.setattr(worker, "extract", stalls)
    out = tmp_path / "o"
    result = CliRunner().invoke(main, ["build", str(folder), "--out", str(out), "-q", "--no-cache",
                                       "--doc-timeout", "1"])
    assert result.exit_code == 1, result.output
    lines = [x for x in result.stderr.splitlines() if x.startswith("kg: failed: ")]
    assert len(lines) == 1 and "002_1fc1b373a221f2c3.txt" in lines[0] and "07ASTANA614" in lines[0]
    assert "longer than 1 s" in lines[0] and "--doc-timeout" in lines[0]
    documents = (out / "documents.csv").read_text(encoding="utf-8")
    assert "07ASTANA614" not in documents and documents.count("\n") == 5    # the header and 4
