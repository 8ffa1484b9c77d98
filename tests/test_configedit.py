"""Config edits keep everything the operator wrote, and only a config that loads is written."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from claimwatch.atomicfile import replace_file
from claimwatch.configedit import add_feed_tables, add_opml_file, save_config
from claimwatch.errors import InputError

NEW = {"name": "new", "url": "https://example.org/new.xml", "title": "New"}
SPLIT = """\
# feeds first
[[feeds]]  # the wire
name = "a"
url = "https://example.org/a.xml"

# the client
[http]
max_per_host = 2

# more feeds, later on
[[feeds]]
name = "b"  # bee
url = "https://example.org/b.xml"

# where alerts go
[alerts.log]
path = "-"
"""


def test_tables_split_around_others_stay_where_they_are() -> None:
    edited = add_feed_tables(SPLIT, [NEW])
    assert edited.startswith(SPLIT)  # nothing moved: the new table is appended
    assert [f["name"] for f in tomllib.loads(edited)["feeds"]] == ["a", "b", "new"]
    with pytest.raises(InputError, match=r"add 'f\.opml' to opml"):
        add_opml_file(SPLIT, "f.opml")  # tomlkit would move tables: refused, not mangled


def test_windows_line_ends_and_inline_arrays_are_kept() -> None:
    crlf = '# c\r\nstate = "x"  # s\r\n[[feeds]]\r\nname = "a"\r\nurl = "https://e.org/a"\r\n'
    edited = add_opml_file(add_feed_tables(crlf, [NEW]), "f.opml")
    assert "\n" not in edited.replace("\r\n", "")
    assert edited.startswith('# c\r\nstate = "x"  # s\r\nopml = ["f.opml"]\r\n[[feeds]]\r\n')
    inline = 'feeds = [{ name = "a", url = "https://e.org/a" }]  # one\n[http]\nmax_per_host = 2\n'
    data = tomllib.loads(add_feed_tables(inline, [NEW]))
    assert [f["name"] for f in data["feeds"]] == ["a", "new"]
    assert data["http"] == {"max_per_host": 2}


def test_an_existing_opml_list_is_extended_with_its_comments() -> None:
    text = 'opml = [\n  "a.opml",  # from the reader\n]\n\n[http]\nmax_per_host = 2\n'
    edited = add_opml_file(text, "b.opml")
    assert '"a.opml",  # from the reader' in edited
    assert tomllib.loads(edited)["opml"] == ["a.opml", "b.opml"]


def test_only_a_config_that_loads_is_written_and_its_mode_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "claimwatch.toml"
    original = '# mine\nbaselines = []\n[[feeds]]\nname = "a"\nurl = "https://e.org/a"\n'
    path.write_text(original, encoding="utf-8")
    path.chmod(0o640)
    with pytest.raises(InputError, match="would not load") as caught:
        save_config(path, add_feed_tables(original, [{**NEW, "interval": "5s"}]))
    assert "feeds[1].interval: must be between 30 seconds" in str(caught.value)
    assert path.read_text(encoding="utf-8") == original

    link = tmp_path / "link.toml"
    link.symlink_to(path)
    config = save_config(link, add_feed_tables(original, [NEW]))
    assert [f.name for f in config.feeds] == ["a", "new"]
    assert link.is_symlink() and path.read_text(encoding="utf-8").startswith(original)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["claimwatch.toml", "link.toml"]  # no leftovers


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "claimwatch.toml"
    with pytest.raises(InputError, match="cannot write"):
        replace_file(missing, "x = 1\n")
    assert not (tmp_path / "gone").exists()
