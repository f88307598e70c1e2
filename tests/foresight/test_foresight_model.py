"""The hazard model: person-period expansion, censoring, calibration, cold start, persistence."""

from __future__ import annotations

import numpy as np
from tests.foresight.conftest import FAST

from encours.foresight.calibration import Platt, auc
from encours.foresight.features import FEATURES, Pairs, feature_matrix
from encours.foresight.history import NEVER, History
from encours.foresight.model import PaymentModel
from encours.foresight.service import Ledger
from encours.foresight.survival import N_BINS, bin_of, distribution, expand


def test_person_periods_keep_censored_invoices() -> None:
    start = np.array([-30, -30, -30])
    lateness = np.array([5, 0, 0])
    observed = np.array([0, 10, -29])
    settled = np.array([True, False, False])
    periods = expand(start, lateness, observed, settled)
    rows = np.bincount(periods.row, minlength=3)
    assert rows[0] == bin_of(np.array([5]))[0] - bin_of(np.array([-30]))[0] + 1
    assert periods.event[periods.row == 0][-1] == 1 and periods.event.sum() == 1
    assert rows[1] > 0 and periods.event[periods.row == 1].sum() == 0  # censored: at risk, no event
    assert rows[2] == 0  # nothing fully observed yet


def test_distribution_sums_to_one_and_conditions_on_being_unpaid() -> None:
    hazard = np.full((2, N_BINS), 0.15)
    start = np.array([-30, -30])
    plain = distribution(hazard, start)
    assert np.allclose(plain.mass.sum(axis=1) + plain.tail, 1.0)
    later = distribution(hazard, start, unpaid_through=np.array([-31, 12]))
    assert np.allclose(later.mass.sum(axis=1) + later.tail, 1.0)
    assert later.quantile(0.1)[1] >= 13  # nothing can be paid on a day already known unpaid
    assert np.isclose(later.quantile(0.5)[0], plain.quantile(0.5)[0])


def _drop_open(history: History, knowledge_before: int) -> History:
    return history.take((history.settled < knowledge_before) | (history.issue >= knowledge_before))


def test_censored_invoices_change_the_model(ar: Ledger) -> None:
    """Keeping invoices still open at the cutoff (censored) predicts later payment than dropping them."""
    h = ar.history
    k = int(np.quantile(h.issue, 0.6))
    features = feature_matrix(Pairs.at_issue(h), h)
    kept = PaymentModel.train(h, features, k, FAST)
    dropped_history = _drop_open(h, k)
    dropped = PaymentModel.train(
        dropped_history, feature_matrix(Pairs.at_issue(dropped_history), dropped_history), k, FAST
    )
    assert not kept.is_prior and not dropped.is_prior
    recent = (h.issue < k) & (h.issue >= k - 60)
    start = (h.issue - h.due)[recent]
    with_censoring = kept.predict(features[recent], start).lateness(0.5)
    without = dropped.predict(features[recent], start).lateness(0.5)
    assert with_censoring.mean() > without.mean()  # dropping open invoices biases towards early payment
    # survival sanity: the hazards alone (before calibration) expect as many invoices paid by
    # the due date as really were
    old = (h.issue < k - 120) & (h.settled < NEVER)
    raw = PaymentModel(k, kept.booster, Platt(), 0, 0)
    predicted_on_time = 1 - raw.predict(features[old], (h.issue - h.due)[old]).p_late.mean()
    observed_on_time = (h.settled[old] <= h.due[old]).mean()
    assert abs(predicted_on_time - observed_on_time) < 0.1


def test_cold_start_uses_terms_based_prior(ar: Ledger) -> None:
    h = ar.history
    first = int(h.issue.min()) + 20  # almost nothing settled yet
    features = feature_matrix(Pairs.at_issue(h), h)
    model = PaymentModel.train(h, features, first, FAST)
    assert model.is_prior
    rows = slice(0, 20)
    prediction = model.predict(features[rows], (h.issue - h.due)[rows])
    lateness = prediction.lateness(0.5)
    assert np.all((lateness > -10) & (lateness < 30))  # around the due date, not absurd
    assert np.all((prediction.p_late > 0.05) & (prediction.p_late < 0.95))
    assert np.all(prediction.lateness(0.1) <= prediction.lateness(0.9))


def test_model_round_trips_through_json(ar: Ledger) -> None:
    h = ar.history
    features = feature_matrix(Pairs.at_issue(h), h)
    k = int(np.quantile(h.issue, 0.7))
    model = PaymentModel.train(h, features, k, FAST)
    again = PaymentModel.from_json(model.to_json())
    assert again is not None
    rows = h.issue >= k
    a = model.predict(features[rows], (h.issue - h.due)[rows])
    b = again.predict(features[rows], (h.issue - h.due)[rows])
    assert np.array_equal(a.p_late, b.p_late) and np.array_equal(a.lateness(0.5), b.lateness(0.5))


def test_platt_keeps_order_and_auc_counts_ties() -> None:
    p = np.linspace(0.01, 0.99, 200)
    outcome = np.random.default_rng(1).random(200) < p
    platt = Platt.fit(p, outcome)
    assert np.all(np.diff(platt.apply(p)) >= 0)
    assert auc(np.array([0.5, 0.5]), np.array([True, False])) == 0.5
    assert auc(np.array([0.1, 0.9]), np.array([False, True])) == 1.0


def test_feature_columns_are_the_declared_ones(ar: Ledger) -> None:
    h = ar.history.take(np.arange(10))
    assert feature_matrix(Pairs.at_issue(h), ar.history).shape == (10, len(FEATURES))


def test_reminders_count_only_before_the_knowledge_date(ar: Ledger) -> None:
    from encours.foresight.history import Reminders

    h = ar.history.take(np.arange(3))
    pk = int(h.customer_pk[0])
    k = int(h.issue[0])
    reminders = Reminders(np.array([pk, pk, pk, pk + 10_000]), np.array([k - 200, k - 10, k, k - 1]))
    features = feature_matrix(Pairs.at(h, k), ar.history, reminders)
    row = int(np.flatnonzero(h.customer_pk == pk)[0])
    assert features[row, FEATURES.index("reminders_n")] == 2  # the one dated k is not known yet
    assert features[row, FEATURES.index("reminders_recent")] == 1


def test_training_keeps_the_most_recent_invoices_on_big_ledgers(ar: Ledger) -> None:
    import encours.foresight.model as model_module
    from encours.foresight.model import training_rows

    h = ar.history
    features = feature_matrix(Pairs.at_issue(h), h)
    k = int(h.issue.max()) + 1
    full, _, _ = training_rows(h, features, k)
    model_module.MAX_TRAINING_INVOICES, saved = 100, model_module.MAX_TRAINING_INVOICES
    try:
        capped, events, _ = training_rows(h, features, k)
    finally:
        model_module.MAX_TRAINING_INVOICES = saved
    newest = np.sort(np.argsort(h.issue, kind="stable")[-100:])
    expected, expected_events, _ = training_rows(h.take(newest), features[newest], k)
    assert 0 < capped.shape[0] < full.shape[0]
    assert np.array_equal(capped, expected, equal_nan=True) and np.array_equal(events, expected_events)
