"""A project with a trained feedback model classifies its tickets during ``accord build``,
and its online profiles carry each customer's feedback dimensions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from accord.clock import FixedClock
from accord.online import open_online
from accord.pipeline import build, online_path
from accord.progress import SilentProgress
from accord.project.template import state_dir, store_path
from accord.testing.demo import AS_OF, built_demo

pytest.importorskip("sklearn", reason="the feedback extra is not installed "
                    "(pip install -e '.[feedback]')")


def test_a_build_classifies_the_tickets_and_profiles_carry_the_feedback(
        tmp_path: Path) -> None:
    from accord.feedback.dataset import LabelledTexts
    from accord.feedback.persistence import save
    from accord.feedback.project import TOPIC_MODEL
    from accord.feedback.registry import create

    demo = built_demo(tmp_path / "retailer", customers=400)
    assert demo.built.feedback is None  # no model yet: the step does not run
    with duckdb.connect(str(store_path(demo.directory)), read_only=True) as db:
        tickets = db.execute("SELECT text, topic FROM tickets WHERE text IS NOT NULL "
                             "AND topic IS NOT NULL").fetchall()
    assert len({topic for _, topic in tickets}) >= 2
    model = create("tfidf")
    model.fit(LabelledTexts(tuple(t for t, _ in tickets), tuple(c for _, c in tickets)))
    save(model, state_dir(demo.directory) / TOPIC_MODEL)

    clock = FixedClock(dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time(6),
                                           dt.UTC))
    report = build(demo.directory, as_of=AS_OF, clock=clock, progress=SilentProgress())
    assert report.feedback is not None and report.feedback.texts == len(tickets)
    assert "feedback" in report.seconds
    with duckdb.connect(str(store_path(demo.directory)), read_only=True) as db:
        customer, count = db.execute(
            "SELECT customer_id, feedback_count FROM feedback_dimensions "
            "ORDER BY feedback_count DESC, customer_id LIMIT 1").fetchone() or (None, None)
        without = db.execute("SELECT customer_id FROM profiles WHERE customer_id NOT IN "
                             "(SELECT customer_id FROM feedback_dimensions) LIMIT 1"
                             ).fetchone()
    assert customer is not None and without is not None
    online = open_online("sqlite", online_path(demo.directory), read_only=True)
    try:
        document = online.get(str(customer))
        assert document is not None
        feedback = document["feedback"]
        assert feedback["feedback_count"] == count
        assert feedback["last_sentiment"] is not None
        assert isinstance(feedback["open_complaints"], dict)
        bare = online.get(str(without[0]))
        assert bare is not None and bare["feedback"] is None
    finally:
        online.close()
