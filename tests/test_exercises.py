"""Every question of every exercise set: its reference passes, typical mistakes fail."""

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
    assert q.check(q.reference()) is True
    assert f"{qid}: correct!" in capsys.readouterr().out


@pytest.mark.parametrize(("nb", "qid"), QUESTIONS)
def test_typical_wrong_answers_get_their_message(nb, qid, capsys):
    """Each typical mistake is refused with its specific message."""
    q = _question(nb, qid)
    for make_answer, fragment in q.wrong_answers:
        assert q.check(make_answer()) is False, fragment
        out = capsys.readouterr().out
        assert "not quite" in out and fragment in out, (fragment, out)


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

    return Question("q1", "What is 2 + 2?", checker, "Count.", "It is 4.", "answer = 4",
                    lambda: 4, [(lambda: 5, "not 5")])


def test_strict_mode_raises_on_missing_and_wrong(monkeypatch):
    """With ACTLAB_STRICT_EXERCISES=1 a missing or wrong answer raises."""
    monkeypatch.setenv(exercises.STRICT_ENV, "1")
    q = _toy()
    with pytest.raises(ExerciseNotPassed, match="not attempted"):
        q.check(...)
    with pytest.raises(ExerciseNotPassed, match="2 \\+ 2 is not 5"):
        q.check(5)
    assert q.check(4) is True


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
