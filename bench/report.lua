-- wrk reporter for bench/run.py: one JSON line with the figures the run needs.
-- Latencies are in microseconds; `bad` counts responses outside 2xx/3xx (run.py
-- checks each endpoint's expected status, 200 or 304, before it measures).
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"timeout": %d, "bad": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
