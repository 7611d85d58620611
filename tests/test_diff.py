"""`jaxbatch-tui diff A.json B.json`: two saved reports of one model, made with other flags."""

import contextlib
import copy
import io
import json

import pytest

from jaxbatch.cli import main
from jaxbatch.lab.judging import LOOP_PROGRAM_CAP
from jaxbatch.media.diff import diff, diff_lines, within_noise
from jaxbatch.results.report import Report
from jaxbatch.results.timing import Timing

from conftest import on_the_ticking_clock


def diff_saved(a: dict, b: dict) -> dict:
    """`diff` of two saved reports' JSON, as `jaxbatch-tui diff` reads them."""
    return diff(Report.from_json(a), Report.from_json(b))


def saved_report(folder, name: str, flags: list[str]):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.MonkeyPatch.context() as monkeypatch:
        on_the_ticking_clock(monkeypatch)
        assert main(["report", "--json", *flags]) == 0
    path = folder / f"{name}.json"
    path.write_text(buffer.getvalue())
    return path


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Two reports of tanh-dense at batch 8: the default chunk, untimed; chunks of 3, timed."""
    folder = tmp_path_factory.mktemp("reports")
    return {name: saved_report(folder, name, ["--batch", "8", *flags])
            for name, flags in (("a", ["--no-timings"]), ("b", ["--chunk", "3"]))}


@pytest.fixture(scope="module")
def past_the_cap(tmp_path_factory):
    """tanh-dense at the largest batch whose loop is traced, chunks of 64, and at twice that
    batch, chunks of 16: the loop traced on one side only."""
    folder = tmp_path_factory.mktemp("cap")
    return [json.loads(saved_report(folder, name, ["--batch", str(n), "--chunk", str(k), "--no-timings"]).read_text())
            for name, n, k in (("at", LOOP_PROGRAM_CAP, 64), ("past", 2 * LOOP_PROGRAM_CAP, 16))]


def test_the_changes_as_json(saved, capsys):
    assert main(["diff", str(saved["a"]), str(saved["b"]), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    a, b = (json.loads(saved[k].read_text()) for k in "ab")
    assert d["model"] == "tanh-dense" and d["same_code"] is True
    assert d["identity"] == {"selection.chunk": [64, 3], "timed": [False, True]}
    assert d["primitives"]["chunked"]["appeared"]["scan"] == 1 and "vmap" not in d["primitives"]
    assert d["hlo"]["chunked"]["ops"]["while"] == [0, 1]
    peak = d["memory"]["chunked"]
    assert peak["a"] == a["memory"]["chunked"]["peak_bytes"] and peak["b"] == b["memory"]["chunked"]["peak_bytes"]
    assert peak["ratio"] == peak["b"] / peak["a"]
    assert d["outputs"] == {} and d["alignment"] is None and d["timings"] == {}  # a has none to compare


def test_the_changes_in_words(saved, capsys):
    assert main(["diff", str(saved["a"]), str(saved["b"])]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"jaxbatch-tui diff: tanh-dense, {saved['a']} → {saved['b']}\n")
    assert "  selection.chunk: 64 → 3\n" in out and "the model's code is the same" in out
    assert "\nPrimitives\n  chunked k=64 → k=3  appeared " in out and "while 0 → 1" in out
    assert main(["diff", str(saved["a"]), str(saved["a"])]) == 0
    assert "nothing else changed" in capsys.readouterr().out


def test_what_is_not_two_reports_of_one_model_is_one_line_and_status_2(saved, tmp_path, capsys):
    other = tmp_path / "mlp.json"
    other.write_text(json.dumps({**json.loads(saved["a"].read_text()), "model": "mlp"}))
    not_json, not_report = tmp_path / "notes.txt", tmp_path / "list.json"
    not_json.write_text("hello")
    not_report.write_text("[1, 2]")
    cases = [([str(saved["a"]), str(other)], "two models, tanh-dense and mlp"),
             ([str(saved["a"]), str(tmp_path / "missing.json")], "No such file or directory"),
             ([str(not_json), str(saved["a"])], "is not JSON"),
             ([str(not_report), str(saved["a"])], "is not a jaxbatch-tui report"),
             (["--model", "mlp", str(saved["a"]), str(saved["b"])], "unrecognized arguments")]
    for args, says in cases:
        with pytest.raises(SystemExit) as exit_:
            main(["diff", *args])
        err = capsys.readouterr().err
        assert exit_.value.code == 2 and says in err and err.count("\n") == 1, (args, err)
    with pytest.raises(SystemExit):
        main(["--model", "mlp", "diff", str(saved["a"]), str(saved["b"])])
    assert "--model does not apply to `diff`, which compares two saved reports" in capsys.readouterr().err


async def test_compare_shows_the_saved_report_against_this_run_in_pane_6(saved):
    from textual.widgets import TabbedContent

    from jaxbatch.commands import commands
    from jaxbatch.results.selection import Selection
    from jaxbatch.widgets.compare_view import CompareView

    from app_helpers import make_test_app, settle, shown_text

    saved_a = Report.from_json(json.loads(saved["a"].read_text()))
    app = make_test_app(Selection(batch_shape=(8,), chunk=3), compare=("a.json", saved_a))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Show the compare pane" in [c.title for c in commands(app)]
        await pilot.press("6")
        assert app.query_one(TabbedContent).active == "compare"
        text = shown_text(app.query_one(CompareView))
        assert "Saved a.json against this run" in text and "selection.chunk: 64 → 3" in text
        assert "chunked k=64 → k=3  appeared " in text
        view = app.query_one(CompareView)
        assert view.max_scroll_x > 0  # a change longer than the pane: the pane scrolls to its end
        await pilot.press("right", "right")
        await pilot.pause(0.3)
        assert view.scroll_x == 2
        app.choose("#model", "mlp")
        await settle(pilot)
        assert "two models, tanh-dense and mlp" in shown_text(app.query_one(CompareView))
    plain = make_test_app()
    async with plain.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        assert plain.query_one(TabbedContent).active == "outputs" and not plain.query(CompareView)
        assert "Show the compare pane" not in [c.title for c in commands(plain)]


def test_compare_is_checked_before_the_app_opens(tmp_path, capsys):
    (tmp_path / "bad.json").write_text("{}")
    for args, says in ((["--compare", str(tmp_path / "bad.json")], "is not a jaxbatch-tui report"),
                       (["--compare", str(tmp_path / "none.json")], "No such file or directory"),
                       (["report", "--compare", "x.json"], "unrecognized arguments"),
                       (["--compare", "x.json", "report"], "--compare applies to the app, not to `report`")):
        with pytest.raises(SystemExit) as exit_:
            main(args)
        err = capsys.readouterr().err
        assert exit_.value.code == 2 and says in err and err.count("\n") == 1, (args, err)


def test_a_loop_traced_on_one_side_only_is_not_compared_primitive_by_primitive(past_the_cap):
    at, past = past_the_cap
    note = past["strategies"]["loop"]["program_note"]
    assert "loop" in at["primitives"] and "loop" not in past["primitives"] and note  # the premise
    d = diff_saved(at, past)
    assert d["primitives"]["loop"] == {"no_program": [None, note]}
    text = "\n".join(diff_lines(d, "at.json", "past.json"))
    assert f"  loop                 not compared: no program in past.json ({note})" in text
    assert "vanished" not in text
    assert diff_saved(past, at)["primitives"]["loop"] == {"no_program": [note, None]}


def test_each_side_keeps_its_own_label_and_the_loop_trip_counts_show(past_the_cap):
    at, past = past_the_cap
    d = diff_saved(at, past)
    assert d["labels"]["chunked"] == ["chunked k=64", "chunked k=16"] and d["labels"]["vmap"] == ["vmap", "vmap"]
    trips = 2 * LOOP_PROGRAM_CAP // 16
    assert d["hlo"]["chunked"]["loops"] == [[], [trips]] and "loops" not in d["hlo"]["vmap"]
    lines = diff_lines(d, "at.json", "past.json")
    hlo = lines[lines.index("HLO") + 1:]
    assert any(line.startswith("  chunked k=64 → k=16 ") and f"; loop trip counts none → {trips};" in line
               for line in hlo)
    assert not any("chunked k=16 " in line and "k=64" not in line for line in lines)


def test_a_flops_figure_per_iteration_is_said_to_be_and_has_no_ratio(saved):
    a = json.loads(saved["a"].read_text())
    b = copy.deepcopy(a)
    b["hlo"]["vmap"].update(flops=None, flops_xla=100.0, cost_note="per iteration; trip count unknown")
    full = a["hlo"]["vmap"]["flops"]
    assert full is not None and full != 100.0
    d = diff_saved(a, b)
    assert d["hlo"]["vmap"]["flops"] == {"a": full, "b": 100.0, "ratio": None, "per_iteration": [False, True]}
    assert f"flops {full:,.0f} → 100 (per iteration; trip count unknown)\n" in "\n".join(diff_lines(d)) + "\n"
    both = diff_saved(b, {**copy.deepcopy(b), "hlo": {**b["hlo"], "vmap": {**b["hlo"]["vmap"], "flops_xla": 200.0}}})
    assert both["hlo"]["vmap"]["flops"]["ratio"] == 2.0
    assert "flops (per iteration; trip count unknown) 100 → 200 (2x)" in "\n".join(diff_lines(both))


def test_fits_up_to_shows_where_it_reads_differently(saved):
    a = json.loads(saved["a"].read_text())
    up_to = a["fits_up_to"]["vmap"]["up_to"]
    b = copy.deepcopy(a)
    b["fits_up_to"]["vmap"]["never"] = True
    b["fits_up_to"]["chunked"]["up_to"] += 1  # the memory free moved a little: the same words
    d = diff_saved(a, b)
    assert d["fits_up_to"] == {"vmap": [{"up_to": up_to, "never": False}, {"up_to": up_to, "never": True}]}
    lines = diff_lines(d)
    at = lines.index("Out of memory from batch")
    assert lines[at + 1].startswith("  vmap ") and lines[at + 1].endswith(" → never") and "≈ " in lines[at + 1]


def test_within_noise_is_overlapping_interquartile_ranges():
    def t(q1, q3):
        return Timing(None, 1.0, None, 1, 7, 1.0, False, None, False, q1, q3)

    assert within_noise(t(1.0, 2.0), t(1.5, 3.0)) and within_noise(t(1.0, 2.0), t(2.0, 3.0))  # touching
    assert within_noise(t(1.0, 3.0), t(1.5, 2.0))  # one inside the other
    assert within_noise(t(1.0, 2.0), t(2.1, 3.0)) is False and within_noise(t(2.1, 3.0), t(1.0, 2.0)) is False
    assert within_noise(t(None, None), t(1.0, 2.0)) is None  # one round: no spread


def test_timings_say_within_noise_where_the_spreads_overlap(saved):
    b = json.loads(saved["b"].read_text())
    again = copy.deepcopy(b)
    for key, scale, q1 in (("vmap", 1.2, 0.99), ("chunked", 1.2, 0.99), ("manual", 3.0, 1.5)):
        old = b["timings"][key]  # a middle half from just inside the old one's top, or beyond it
        again["timings"][key].update(median_s=old["median_s"] * scale, q1_s=old["q3_s"] * q1,
                                     q3_s=old["q3_s"] * 4)
    d = diff_saved(b, again)
    assert d["timings"]["vmap"]["within_noise"] is True and d["timings"]["manual"]["within_noise"] is False
    lines = diff_lines(d)
    head = next(i for i, line in enumerate(lines) if line.startswith("Timings, per call"))
    assert "interquartile ranges overlap" in lines[head]
    rows = {line.split()[0]: line for line in lines[head + 1:head + 4]}
    assert rows["vmap"].endswith("(1.2x, within noise)") and rows["einsum"].endswith("(3x)")
    assert not any("nothing else changed" in line for line in lines)
    del again["timings"]["manual"]
    said = "  nothing else changed: outputs, programs and memory are the same; timings differ only within noise"
    assert said in diff_lines(diff_saved(b, again))


def test_a_report_read_back_diffs_as_no_change_and_a_changed_fact_is_found(saved):
    from jaxbatch.media.json_report import report_json

    b = json.loads(saved["b"].read_text())
    again = json.loads(json.dumps(report_json(Report.from_json(b))))
    d = diff_saved(b, again)
    assert d["identity"] == {} and d["alignment"] is None and d["hlo_verdict"] is None
    assert not any(d[k] for k in ("outputs", "primitives", "hlo", "memory", "fits_up_to", "timings"))
    assert "  nothing else changed: outputs, programs, memory and timings are the same" in diff_lines(d)
    again["strategies"]["vmap"]["output"][0] += 1.0
    again["timings"]["vmap"]["median_s"] *= 2
    changed = diff_saved(b, again)
    assert changed["outputs"] == {"vmap": {"output": "changed"}} and changed["timings"]["vmap"]["ratio"] == 2.0
