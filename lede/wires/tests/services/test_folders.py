"""Which files of a folder tree a folder walk treats as wires."""

from __future__ import annotations

from pathlib import Path

from lede.wires.services.folders import DROP_FOLDER_ARCHIVES, is_wire_candidate, iter_wire_files


def test_pictures_hidden_and_partial_files_are_not_wires() -> None:
    for name in ("photo.JPG", "scan.tiff", ".DS_Store", "~lock.xml", "story.xml~", "up.part"):
        assert not is_wire_candidate(Path(name)), name
    for name in ("story.xml", "item.json", "fil.rss", "no-suffix"):
        assert is_wire_candidate(Path(name)), name


def test_walk_is_in_name_order_and_skips_hidden_and_excluded_folders(tmp_path: Path) -> None:
    for relative in ("b.xml", "a.json", "2026/03/c.xml", ".git/d.xml", "processed/e.xml"):
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x", encoding="utf-8")
    (tmp_path / "a.jpg").write_bytes(b"\xff\xd8")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_wire_files(tmp_path)]
    assert found == ["a.json", "b.xml", "2026/03/c.xml", "processed/e.xml"]
    found = [
        p.relative_to(tmp_path).as_posix()
        for p in iter_wire_files(tmp_path, exclude=DROP_FOLDER_ARCHIVES)
    ]
    assert found == ["a.json", "b.xml", "2026/03/c.xml"]
