"""memory: RSS over the limit blocks entries; the real RSS of this process is a valid metric value."""
import resource

from components.types.metric_names import MEMORY_RSS_MB


def test_trip_and_no_trip(build, say, snap, metrics):
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # Linux: KiB
    sw = build("memory", limit_mb=rss_mb * 2)
    assert sw.check(metrics({MEMORY_RSS_MB: rss_mb}), snap(), 0) is None
    sw = build("memory", limit_mb=rss_mb / 2)
    trip = sw.check(metrics({MEMORY_RSS_MB: rss_mb}), snap(), 0)
    assert trip.action == "block_entries" and "MiB > limit" in say(trip)
