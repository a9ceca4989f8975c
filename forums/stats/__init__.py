"""Derived figures: the aggregates the pages and API show, and the stored figures behind them."""
