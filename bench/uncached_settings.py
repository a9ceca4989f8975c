"""The production settings with the aggregate cache switched off, so bench/run.py can
measure the aggregates' uncached latency on the same dataset."""

from igr.settings import *  # noqa: F403

AGGREGATE_CACHE_SECONDS = 0
