"""`Project.class_headers`: the same answers whether the rows are searched per question or
read all at once (after `HEADER_QUESTIONS` distinct bases), and fresh after an edit."""

from __future__ import annotations

from pathlib import Path

from cachelint.analysis import project as project_module
from cachelint.analysis.project import Project
from project_files import analysis_project


def _project(root: Path, bases: int) -> Project:
    files = {}
    for i in range(bases):
        # two subclasses of each base in two files, and one class naming two bases
        files[f"a{i:02d}.py"] = f"class A{i}(Base{i}):\n    pass\n\n\nclass Mixed{i}(Base{i}, Other):\n    pass\n"
        files[f"b{i:02d}.py"] = f"class B{i}(pkg.Base{i}):\n    pass\n"
    return analysis_project(root, files)


def test_reading_every_header_at_once_gives_the_same_answers(tmp_path: Path, monkeypatch) -> None:
    bases = project_module.HEADER_QUESTIONS + 6
    first = tmp_path / "one"
    first.mkdir()
    per_question = _project(first, bases)
    monkeypatch.setattr(project_module, "HEADER_QUESTIONS", 10_000)
    expected = {i: per_question.class_headers(f"Base{i}") for i in range(bases)}
    expected_other = per_question.class_headers("Other")
    monkeypatch.undo()

    second = tmp_path / "two"
    second.mkdir()
    at_once = _project(second, bases)
    for i in range(bases):
        got = [(Path(path).name, sub) for path, sub in at_once.class_headers(f"Base{i}")]
        assert got == [(Path(path).name, sub) for path, sub in expected[i]]
        assert sorted(sub for _, sub in got) == [f"A{i}", f"B{i}", f"Mixed{i}"]
    assert at_once._headers_complete
    assert len(at_once.class_headers("Other")) == len(expected_other) == bases
    assert at_once.class_headers("Missing") == []


def test_an_edited_file_is_read_again_after_every_header_was_read(tmp_path: Path) -> None:
    bases = project_module.HEADER_QUESTIONS + 2
    project = _project(tmp_path, bases)
    for i in range(bases):
        project.class_headers(f"Base{i}")
    assert project._headers_complete
    edited = tmp_path / "a00.py"
    edited.write_text("class Renamed(NewBase):\n    pass\n")
    project.content_changed(str(edited))
    assert [sub for _, sub in project.class_headers("NewBase")] == ["Renamed"]
    assert [sub for _, sub in project.class_headers("Base0")] == ["B0"]
