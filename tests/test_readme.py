"""The README's own-model example works as written: its file, both its commands."""

import re
import shlex
from pathlib import Path

from jaxbatch.cli import main

README = (Path(__file__).parent.parent / "README.md").read_text()
SECTION = README[README.index("## Your own model"):README.index("## How it is built")]


def test_the_example_file_and_both_commands_run(tmp_path, monkeypatch, capsys):
    code = "\n".join(re.findall(r"```python\n# my_model\.py.*?\n(.*?)```", SECTION, re.S))
    (tmp_path / "my_model.py").write_text(code)
    commands = re.findall(r"```sh\n(jaxbatch-tui --model my_model\.py.*?)\n```", SECTION, re.S)
    assert len(commands) == 2
    monkeypatch.chdir(tmp_path)
    for command in commands:
        argv = shlex.split(command)[1:]
        assert main(["report", *argv, "--no-timings"]) == 0
        out = capsys.readouterr().out
        assert len(re.findall(r"^  (model_batched|matmul|vmap) +agrees", out, re.M)) == 2  # by hand and vmap
