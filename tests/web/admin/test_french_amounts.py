"""Amounts typed in the settings screens read as people type them ("1 234,56", "1234.56")."""

from __future__ import annotations

from decimal import Decimal

from tests.web.admin.conftest import AdminApp, sign_in
from tests.web.admin.test_settings import _scenario_fields

from encours.dunning.scenarios import load_scenarios

SCENARIO = "/admin/settings/scenarios/default_fr_b2b"


def test_a_steps_minimum_amount_accepts_french_amounts_and_says_what_is_wrong(admin_app: AdminApp) -> None:
    with admin_app.client() as client:
        csrf = sign_in(client, "credit_manager")
        fields = {**_scenario_fields(client.get(SCENARIO).text), "csrf_token": csrf}
        bad = client.post(SCENARIO, data={**fields, "steps-1-min_amount": "12,3,4"})
        assert bad.status_code == 422 and "Un montant, par exemple 1 234,56." in bad.text
        assert (
            'name="steps-1-min_amount" value="12,3,4" size="6" inputmode="decimal" aria-invalid="true"'
            in bad.text
        )
        assert not (admin_app.data_dir / "scenarios").exists()
        for typed, meant in (("1 234,56", "1234.56"), ("1234,5", "1234.5"), ("1 234.56", "1234.56")):
            saved = client.post(
                SCENARIO, data={**fields, "steps-1-min_amount": typed}, follow_redirects=False
            )
            assert saved.status_code == 303, saved.text
            steps = {
                s.key: s
                for s in load_scenarios(data_dir=admin_app.data_dir).scenarios["default_fr_b2b"].steps
            }
            assert steps["reminder"].min_amount == Decimal(meant), typed
