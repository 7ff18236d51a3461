"""Every question of every exercise set: its reference passes, typical mistakes fail."""

import numpy as np
import pytest

from actlab import exercises
from actlab.exercises import ExerciseNotPassed, ExerciseSet, Incorrect, Question

QUESTIONS = [(nb, q.qid) for nb in exercises.available() for q in exercises.load(nb)]


def _question(nb, qid):
    return getattr(exercises.load(nb), qid)


def test_every_notebook_with_exercises_has_at_least_two_questions():
    """Each exercise set has two or more questions, each with >= 2 typical wrong answers."""
    assert exercises.available(), "no exercise sets found"
    for nb in exercises.available():
        ex = exercises.load(nb)
        assert len(ex) >= 2, nb
        for q in ex:
            assert len(q.wrong_answers) >= 2, (nb, q.qid)
            assert q.hint_text and q.solution_text and q.solution_code, (nb, q.qid)


@pytest.mark.parametrize(("nb", "qid"), QUESTIONS)
def test_reference_answer_passes(nb, qid, capsys):
    """The reference solution is accepted with a confirmation."""
    q = _question(nb, qid)
    assert q.check(q.reference()).passed is True
    assert f"{qid}: correct!" in capsys.readouterr().out


@pytest.mark.parametrize(("nb", "qid"), QUESTIONS)
def test_typical_wrong_answers_get_their_message(nb, qid, capsys):
    """Each typical mistake is refused with its specific message."""
    q = _question(nb, qid)
    for make_answer, fragment in q.wrong_answers:
        result = q.check(make_answer())
        passed = None if result is None else result.passed
        out = capsys.readouterr().out
        assert passed is not True and fragment in out, (fragment, out)
        # only an untouched widget counts as "not attempted"; anything else is "not quite"
        untouched = fragment == "where the notebook put it"
        assert passed is (None if untouched else False), (fragment, out)
        assert ("not attempted yet" if untouched else "not quite") in out, (fragment, out)


@pytest.mark.parametrize(("nb", "qid"), QUESTIONS)
def test_unattempted_starter_does_not_raise(nb, qid, capsys):
    """The `...` starter prints "not attempted yet" and returns None."""
    assert _question(nb, qid).check(...) is None
    assert "not attempted yet" in capsys.readouterr().out


def _toy() -> Question:
    def checker(answer):
        if answer != 4:
            raise Incorrect(f"2 + 2 is not {answer!r}.")
        return "Well done."

    return Question(qid="q1", prompt="What is 2 + 2?", checker=checker, hint_text="Count.",
                    solution_text="It is 4.", solution_code="answer = 4", reference=lambda: 4,
                    wrong_answers=[(lambda: 5, "not 5")])


def test_strict_mode_raises_on_missing_and_wrong(monkeypatch):
    """With ACTLAB_STRICT_EXERCISES=1 a missing or wrong answer raises."""
    monkeypatch.setenv(exercises.STRICT_ENV, "1")
    q = _toy()
    with pytest.raises(ExerciseNotPassed, match="not attempted"):
        q.check(...)
    with pytest.raises(ExerciseNotPassed, match="2 \\+ 2 is not 5"):
        q.check(5)
    assert q.check(4).passed is True


def test_hint_and_solution_print(capsys):
    """hint() and solution() print the texts and the solution code."""
    q = _toy()
    q.hint()
    q.solution()
    out = capsys.readouterr().out
    assert "Count." in out and "It is 4." in out and "answer = 4" in out


def test_load_accepts_int_and_rejects_unknown():
    """load(1) == load("01"); an unknown set lists what exists."""
    first = exercises.available()[0]
    assert exercises.load(int(first)) is exercises.load(first)
    with pytest.raises(ValueError, match="Available:"):
        exercises.load("99")


def test_duplicate_question_ids_are_refused():
    """An exercise set cannot have two q1s."""
    with pytest.raises(ValueError, match="duplicate"):
        ExerciseSet("xx", "t", [_toy(), _toy()])


# ----------------------------------------------------------------------- the framework


def test_question_takes_keyword_arguments_only():
    """Question(...) refuses positional arguments: every field is named at the call."""
    with pytest.raises(TypeError):
        Question("q1", "What is 2 + 2?", lambda a: None, "Count.", "It is 4.", "answer = 4",
                 lambda: 4)


def test_exercise_not_passed_is_exported():
    """ExerciseNotPassed is public (in __all__) and an AssertionError."""
    assert "ExerciseNotPassed" in exercises.__all__
    assert issubclass(exercises.ExerciseNotPassed, AssertionError)


@pytest.mark.parametrize(
    ("kind", "label", "plain"),
    [
        ("correct", "Correct", "q1: correct!"),
        ("incorrect", "Not quite", "q1: not quite."),
        ("not_attempted", "Not attempted yet", "q1: not attempted yet."),
        ("hint", "Hint", "Hint (q1):"),
        ("solution", "Solution", "Solution (q1):"),
    ],
)
def test_feedback_has_a_text_label_in_html_and_plain_text(kind, label, plain):
    """The box says its verdict in words (not colour only), with an ARIA role and label."""
    fb = exercises.Feedback(kind, "q1", "Use `x < 0` & <b>not</b> this.", code="a = 1")
    page = fb._repr_html_()
    assert "<strong" in page and f"{label}:</strong>" in page
    assert "role='status'" in page or "role='note'" in page
    assert f"aria-label='q1: {label}'" in page
    assert "<code>x &lt; 0</code>" in page and "&lt;b&gt;" in page  # escaped, code marked
    assert "<pre" in page and "a = 1" in page
    text = str(fb)
    assert text.startswith(plain) and "Use `x < 0`" in text and text.endswith("a = 1")
    assert repr(fb) == text


def test_check_prints_plain_text_outside_jupyter(capsys):
    """In a terminal (no IPython kernel) the feedback is printed as plain text."""
    assert _toy().check(4).passed is True
    out = capsys.readouterr().out
    assert out.startswith("q1: correct! Well done.") and "<div" not in out


def test_check_displays_the_box_in_a_kernel(monkeypatch):
    """In a Jupyter kernel the feedback goes through IPython.display (HTML + plain text)."""
    import IPython
    import IPython.display

    shown = []

    class Shell:
        kernel = object()

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    assert _toy().check(5).passed is False
    assert len(shown) == 1 and shown[0].kind == "incorrect"
    assert "Not quite:" in shown[0]._repr_html_() and "2 + 2 is not 5" in str(shown[0])


def test_hints_come_one_after_another(capsys):
    """hint() shows the next hint on each call, hint(n) a given one; the last one stays."""
    q = Question(qid="q1", prompt="p", checker=lambda a: None, hint_text=["nudge", "nearly"],
                 solution_text="s", solution_code="c", reference=lambda: 1)
    q.hint()
    q.hint()
    q.hint()
    q.hint(1)
    out = capsys.readouterr().out.splitlines()
    assert out == ["Hint (q1): (1/2) nudge", "Hint (q1): (2/2) nearly",
                   "Hint (q1): (2/2) nearly", "Hint (q1): (1/2) nudge"]


def test_a_checker_that_crashes_does_not_raise_in_normal_mode(capsys, monkeypatch):
    """An unexpected error in a checker is reported as feedback; strict mode re-raises it."""
    def checker(answer):
        return 1 / answer

    q = Question(qid="q1", prompt="p", checker=checker, hint_text="h", solution_text="s",
                 solution_code="c", reference=lambda: 1)
    assert q.check(0).passed is False
    assert "could not evaluate this answer: ZeroDivisionError" in capsys.readouterr().out
    monkeypatch.setenv(exercises.STRICT_ENV, "1")
    with pytest.raises(ZeroDivisionError):
        q.check(0)


def test_a_correct_check_records_progress(monkeypatch, tmp_path):
    """A correct check writes (notebook, question) to the progress file; a wrong one does not."""
    import actlab

    monkeypatch.setenv("ACTLAB_PROGRESS_FILE", str(tmp_path / "progress.json"))
    ExerciseSet("07", "t", [q := _toy()])
    q.check(5)
    assert actlab.progress().solved("07") == ()
    q.check(4)
    assert actlab.progress().solved("07") == ("q1",)


def test_progress_that_fails_never_breaks_a_check(monkeypatch, capsys):
    """A progress module that raises on record leaves the check's verdict alone."""
    from actlab import _progress

    def broken(notebook, question):
        raise OSError("disk full")

    monkeypatch.setattr(_progress, "record", broken)
    assert _toy().check(4).passed is True
    assert "correct!" in capsys.readouterr().out


def test_a_missing_progress_module_never_breaks_a_check(monkeypatch, capsys):
    """Without actlab._progress (an older install) a check still answers."""
    import sys

    monkeypatch.setitem(sys.modules, "actlab._progress", None)  # import raises ImportError
    assert _toy().check(4).passed is True
    assert "correct!" in capsys.readouterr().out


def test_solution_apply_on_a_question_without_widget(capsys, monkeypatch):
    """solution(apply=...) on a typed-answer question says there is no widget to set."""
    _toy().solution(apply=object())
    assert "not a slider exercise" in capsys.readouterr().out
    monkeypatch.setenv(exercises.STRICT_ENV, "1")
    with pytest.raises(ExerciseNotPassed, match="not a slider exercise"):
        _toy().solution(apply=object())


# ----------------------------------------------------------------------- slider exercises

SLIDERS = [(nb, q.qid) for nb in exercises.available() for q in exercises.load(nb)
           if isinstance(q, exercises.SliderQuestion)]


def test_at_least_ten_slider_exercises_two_in_each_of_01_02_08_09():
    """The course has >= 10 slider exercises, >= 2 in each of notebooks 01, 02, 08 and 09."""
    assert len(SLIDERS) >= 10, SLIDERS
    for nb in ("01", "02", "08", "09"):
        assert sum(n == nb for n, _ in SLIDERS) >= 2, (nb, SLIDERS)


def test_slider_questions_show_their_prompt():
    """ex.qN and the set's listing show "qN: prompt" for slider questions too."""
    nb, qid = SLIDERS[0]
    q = _question(nb, qid)
    assert repr(q) == f"{qid}: {q.prompt}"
    assert f"  {qid}: {q.prompt}" in repr(exercises.load(nb))


@pytest.mark.parametrize(("nb", "qid"), SLIDERS)
def test_slider_checker_rejects_the_default_state(nb, qid, capsys):
    """The untouched widget is "not attempted", and its state fails the criterion itself."""
    q = _question(nb, qid)
    widget = q.make_widget()
    assert q.check(widget) is None
    out = capsys.readouterr().out
    assert "not attempted yet" in out and "where the notebook put it" in out
    with pytest.raises(Incorrect):
        q.checker(exercises.Setting(widget.state(), widget))


@pytest.mark.parametrize(("nb", "qid"), SLIDERS)
def test_slider_solution_apply_moves_the_widget_to_a_passing_state(nb, qid, capsys):
    """solution(apply=widget) moves the question's controls; the check then passes."""
    q = _question(nb, qid)
    widget = q.make_widget()
    before = widget.state()
    renders = widget.render_count
    q.solution(apply=widget)
    assert "now shows a correct setting" in capsys.readouterr().out
    assert any(widget.state()[c] != before[c] for c in q.controls)
    assert widget.render_count > renders and widget.up_to_date()  # it redrew
    assert q.check(widget).passed is True
    assert f"{qid}: correct!" in capsys.readouterr().out


@pytest.mark.parametrize(("nb", "qid"), SLIDERS)
def test_slider_wrong_answers_cover_untouched_and_moved_widgets(nb, qid):
    """Each slider question's typical wrong answers include the untouched widget and moves."""
    q = _question(nb, qid)
    fragments = [fragment for _, fragment in q.wrong_answers]
    assert "where the notebook put it" in fragments
    assert len(fragments) >= 4


@pytest.mark.parametrize(("nb", "qid"), SLIDERS)
def test_slider_check_refuses_a_stale_or_wrong_kind_of_widget(nb, qid, capsys):
    """A widget still computing, or one of another kind, gets a one-line message, no raise."""
    q = _question(nb, qid)
    widget = q.make_widget()
    widget.busy = True
    assert q.check(widget).passed is False
    out = capsys.readouterr().out
    assert "still computing" in out and len(out.strip().splitlines()) == 1
    widget.busy = False
    widget.last_error = RuntimeError("boom")
    assert q.check(widget).passed is False
    assert "last update failed (RuntimeError: boom)" in capsys.readouterr().out

    class Other:
        controls = {}

        def state(self):
            return {}

    assert q.check(Other()).passed is False
    out = capsys.readouterr().out
    assert f"answered with an {q.widget_class}" in out or f"with a {q.widget_class}" in out
    q.solution(apply=Other())
    assert q.widget_class in capsys.readouterr().out


def test_slider_solution_apply_raises_in_strict_mode_on_a_wrong_widget(monkeypatch):
    """In strict mode (the solutions run) solution(apply=...) on a wrong widget fails loudly."""
    nb, qid = SLIDERS[0]
    monkeypatch.setenv(exercises.STRICT_ENV, "1")
    with pytest.raises(ExerciseNotPassed, match="answered with"):
        _question(nb, qid).solution(apply=object())


# ----------------------------------------------------------------------- widget state


def test_explorer_state_apply_and_up_to_date():
    """state() lists settings (no buttons), apply() moves them and redraws, bad values refused."""
    from actlab import widgets

    w = widgets.softmax_explorer()
    assert w.state() == {"temperature": 1.0} == w.initial_state
    assert w.up_to_date()
    renders = w.render_count
    assert w.apply(temperature=2.5) is w
    assert w.render_count == renders + 1 and w.state()["temperature"] == 2.5
    assert w.up_to_date() and w.initial_state == {"temperature": 1.0}
    with pytest.raises(ValueError, match="has no control 'beta'. Its controls: temperature"):
        w.apply(beta=1.0)
    with pytest.raises(ValueError, match=r"temperature must be between 0.01 and 100"):
        w.apply(temperature=1000.0)
    w.last_error = RuntimeError("boom")
    assert not w.up_to_date()


def test_lab_apply_refuses_an_unknown_option():
    """A dropdown takes only its options; the message lists them."""
    from actlab import widgets

    lab = widgets.gradient_flow_lab(depth=3)
    with pytest.raises(ValueError, match="init must be one of 'glorot_uniform'"):
        lab.apply(init="he_uniform")
    assert "train" not in lab.state()  # buttons are not settings (none here, none listed)


def test_gradient_flow_measure_equals_what_the_lab_plots():
    """lab.measure recomputes exactly the plotted norms for the current setting."""
    from actlab import widgets

    lab = widgets.gradient_flow_lab(activation="relu", depth=5)
    assert lab.measure("relu", 5, "glorot_uniform") == lab.norms
    with pytest.raises(ValueError, match="activation must be one of"):
        lab.measure("softmax", 5, "glorot_uniform")


def test_dying_relu_measure_recomputes_the_bars_and_leaves_the_display_alone():
    """lab.measure gives the bars' dead fractions from the trained network; model unchanged."""
    import numpy as np

    from actlab import widgets

    lab = widgets.dying_relu_lab(depth=3, width=8, steps=20)
    shown = [w.copy() for w in lab.model.get_weights()]
    same = lab.measure("relu", lab.setting[1], 0.0)
    assert list(same["after"].values()) == pytest.approx([b.get_height() for b in lab.bars_after])
    other = lab.measure("relu", 0.5, -0.5)  # trains a new setting, now cached
    assert (("relu", 0.5, -0.5)) in lab._cache and "after" in other
    assert all(np.array_equal(a, b) for a, b in zip(shown, lab.model.get_weights(), strict=True))
    before_only = lab.measure("relu", 0.5, -3.0, trained=False)
    assert set(before_only) == {"before"} and ("relu", 0.5, -3.0) not in lab._cache


def test_dying_relu_q4_accepts_leaky_relu_at_the_q3_rate_with_bias_0(capsys):
    """Leaky ReLU keeps a gradient for x < 0: at lr 0.1, bias 0 its units are not dead."""
    from actlab.exercises._lab_dying_relu import make_lab

    q = _question("08", "q4")
    lab = make_lab().apply(learning_rate=0.1, activation="leaky_relu", bias_init=0.0)
    assert max(lab.result["after"].values()) == 0.0  # its derivative is never 0
    assert q.check(lab).passed is True
    assert "q4: correct!" in capsys.readouterr().out
    assert q.check(lab.apply(activation="relu", bias_init=0.5)).passed is False  # ReLU + bias: no
    assert "bias init alone does not save ReLU" in capsys.readouterr().out


def test_dying_relu_lab_dead_fraction_of_relu_is_dead_units():
    """For ReLU, 'no gradient at any training point' is actlab.dead_units on the same weights."""
    import actlab
    from actlab import widgets

    lab = widgets.dying_relu_lab(depth=4, width=16, steps=40)
    checked = 0
    for lr, bias in [(0.01, 0.0), (1.0, 0.0), (0.1, -0.5), (0.01, -2.0)]:
        result = lab.measure("relu", lr, bias)
        for weights, key in [(lab.initial_weights("relu", bias), "before"),
                             (result["weights"], "after")]:
            lab.model.set_weights(weights)
            assert lab.no_gradient_fractions(weights, "relu") == result[key]
            assert result[key] == actlab.dead_units(lab.model, lab.x)
            checked += any(result[key].values())
    assert checked >= 2, "the settings must include some dead ReLU units"
    with pytest.raises(ValueError, match="activation must be one of"):
        lab.no_gradient_fractions(result["weights"], "sigmoid")
    with pytest.raises(ValueError, match="weights must be the lab's 10 arrays"):
        lab.no_gradient_fractions(result["weights"][:-2], "relu")


@pytest.mark.parametrize(
    ("nb", "qid", "convert"),
    [
        ("02", "q3", float),
        ("02", "q4", np.float32),
        ("09", "q3", np.float32),
        ("09", "q3", np.float64),
    ],
)
def test_a_whole_number_typed_as_a_float_is_a_typed_width_or_depth(nb, qid, convert, capsys):
    """A width or depth typed as 4.0 (Python or NumPy float) counts like 4; 4.5 does not."""
    q = _question(nb, qid)
    assert q.check(convert(q.reference())).passed is True
    assert f"{qid}: correct!" in capsys.readouterr().out
    assert q.check(convert(q.reference()) + convert(0.5)).passed is False
    assert "whole number" in capsys.readouterr().out


def test_notebook_09_names_the_question_whose_recipe_is_mnist():
    """The lab section says which exercise uses the MNIST recipe; that question's code does."""
    import re
    from pathlib import Path

    import nbformat

    path = Path(__file__).parents[1] / "notebooks" / "09_gradient_flow.ipynb"
    text = "\n".join(c.source for c in nbformat.read(path, 4).cells if c.cell_type == "markdown")
    named = re.findall(r"MNIST recipe of (q\d)", text)
    assert named, "the lab section no longer names the MNIST question"
    for qid in named:
        assert "deep_mlp((28, 28)" in _question("09", qid).solution_code, qid


def test_check_returns_a_verdict_that_acts_as_a_bool_and_is_not_echoed():
    from IPython.core.formatters import DisplayFormatter

    from actlab.exercises import Verdict

    right, wrong = _toy().check(4), _toy().check(5)
    assert isinstance(right, Verdict) and isinstance(wrong, Verdict)
    assert right and not wrong
    assert right == True and wrong == False  # noqa: E712 (the bool comparison is the point)
    assert repr(right) == "True" and repr(wrong) == "False"
    assert right != wrong and right == Verdict(True) and hash(right) == hash(True)
    # As a cell's last line: the feedback box was shown, no "True" echo follows.
    assert DisplayFormatter().format(right) == ({}, {})
    # Control: a plain bool would be echoed.
    assert DisplayFormatter().format(True)[0] == {"text/plain": "True"}
    assert _toy().check() is None  # not attempted: still None


def test_slider_messages_name_controls_by_their_on_screen_labels(capsys):
    """Messages say "learning rate" and "bias init" (the slider labels), not learning_rate."""
    q = _question("08", "q3")
    lab = q.make_widget()
    assert q.check(lab) is None
    out = capsys.readouterr().out
    assert "learning rate = 0.01" in out and "Move the learning rate control," in out, out
    assert "learning_rate" not in out
    lab.apply(learning_rate=0.1, bias_init=-1.0)
    assert q.check(lab).passed is False
    out = capsys.readouterr().out
    assert "keeps bias init at 0 and asks you to move the learning rate control" in out, out
    assert "Set bias init back to 0" in out, out
    assert "bias_init" not in out
