-- What bench/server.py reads from a wrk run, on one line once the run ends: latency percentiles
-- in microseconds (wrk's own --latency table stops at 50, 75, 90 and 99), requests, bytes, and
-- every kind of error wrk counts.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "bench-result p50=%.0f p95=%.0f p99=%.0f max=%.0f requests=%d bytes=%d duration_us=%d"
      .. " connect=%d read=%d write=%d status=%d timeout=%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    summary.requests, summary.bytes, summary.duration,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout
  ))
end
