"""Foresight: payment-date prediction, cash-in forecast, risk scores and honest backtests."""
