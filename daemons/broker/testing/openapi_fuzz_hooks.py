"""Schemathesis hooks for daemons/broker/api/openapi-fuzz.int.test.ts.

The OpenAPI document states every rule on a single field (patterns, ranges, calendar-exact
times, the replay's namespace by kind). A few rules tie one value to another or to the broker's
clock and settings, which JSON Schema cannot say for query parameters; the document says them in
descriptions and the broker answers 400. Before each request, a case whose fields are each valid
but break one of those rules is brought within it, so a schema-valid request is a request the
broker must accept. A field that is itself invalid is left alone (the case stays a negative one):
  - /audit/summary: `generation` needs `uid`; `window` at most the verdict retention (7 days)
  - /audit/verdicts: `before_id` names a stored verdict (a cursor from the previous page), so a
    well-formed one is dropped: the fuzzer cannot know which ids exist
  - /v1/enforcement: `since` within the verdict retention (7 days) and, when `until` is absent (now),
    before now; `until` after it, an hour ago by default
  - `until` after `since` (verdicts, stream, flows, enforcement)
  - POST /v1/replays: `since` not in the future
  - POST /v1/flows: each flow's node is the batch's, firstSeen within the flow retention and at
    most a day ahead, lastSeen not before firstSeen
"""
import re
from datetime import datetime, timedelta, timezone

import schemathesis

RETENTION = timedelta(days=7)  # the broker's default FLOW_ and VERDICT_RETENTION_DAYS, as the test runs it
# runtime/duration.ts's POSITIVE_DURATION_PATTERN: several parts, decimals, ns to days, more than zero
# (a look-back or a window; a zero one is itself invalid, so its case is left alone).
UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}
_UNIT = r"(?:ns|us|µs|ms|s|m|h|d)"
DURATION = re.compile(
    rf"^(?:0+(?:\.0+)?{_UNIT})*(?:[0-9]*[1-9][0-9]*(?:\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*){_UNIT}(?:[0-9]+(?:\.[0-9]+)?{_UNIT})*$"
)
DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h|d)")
TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def now():
    return datetime.now(timezone.utc)


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def instant(value):
    """The moment an RFC 3339 time names, or None when it is not one (or not a real date)."""
    m = TIME.match(value) if isinstance(value, str) else None
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    try:
        # Python's years start at 1; year 0 has 2000's calendar (both leap) and is older than anything.
        t = datetime(year or 2000, month, day, hour, minute, second, int((m.group(7) or "0")[:6].ljust(6, "0")), tzinfo=timezone.utc)
    except ValueError:
        return None
    if year == 0:
        return datetime.min.replace(tzinfo=timezone.utc)
    if m.group(8) != "Z":
        sign = 1 if m.group(9) == "+" else -1
        offset = timedelta(hours=int(m.group(10)), minutes=int(m.group(11)))
        if offset >= timedelta(hours=24) or int(m.group(11)) > 59:
            return None
        try:
            t -= sign * offset
        except OverflowError:
            return None
    return t


def look_back(value):
    if not isinstance(value, str) or DURATION.match(value) is None:
        return None
    seconds = sum(float(n) * UNITS[unit] for n, unit in DURATION_PART.findall(value))
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        return timedelta.max


def query_time(value):
    """A query time: RFC 3339 or a look-back from now."""
    back = look_back(value)
    if back is not None:
        try:
            return now() - back
        except OverflowError:
            return datetime.min.replace(tzinfo=timezone.utc)
    return instant(value)


def fix_query(path, query):
    if path == "/audit/summary":
        if "generation" in query and "uid" not in query:
            query["uid"] = "fuzz-uid"
        window = look_back(query.get("window"))
        if window is not None and window > RETENTION:
            query["window"] = "1h"
    if path == "/audit/verdicts" and isinstance(query.get("before_id"), (int, str)) and re.match(r"^[1-9]\d{0,15}$", str(query["before_id"])):
        del query["before_id"]
    if path == "/v1/enforcement":
        since = query_time(query.get("since"))
        if since is not None and since < now() - RETENTION + timedelta(minutes=1):
            query["since"] = "1h"
        # Its until defaults to now: a since of now or later leaves no span.
        if since is not None and "until" not in query and since > now() - timedelta(minutes=1):
            query["since"] = "1h"
    since, until = query_time(query.get("since")), query_time(query.get("until"))
    if path == "/v1/enforcement" and "since" not in query:
        since = now() - timedelta(hours=1, minutes=-1)  # its default since: an hour ago
    if since is not None and until is not None and until <= since:
        del query["until"]


def fix_flow(flow, node, at):
    if not isinstance(flow, dict):
        return
    if isinstance(node, str) and DNS_SUBDOMAIN.match(node) and isinstance(flow.get("node"), str) and DNS_SUBDOMAIN.match(flow["node"]):
        flow["node"] = node
    first, last = instant(flow.get("firstSeen")), instant(flow.get("lastSeen"))
    if first is not None:
        flow["firstSeen"] = rfc3339(at)
    if last is not None:
        flow["lastSeen"] = rfc3339(at)


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    path = case.operation.path
    if isinstance(case.query, dict):
        fix_query(path, case.query)
    body = case.body
    if case.method.upper() == "POST" and path == "/v1/replays" and isinstance(body, dict):
        since = instant(body.get("since"))
        if since is not None and since > now() - timedelta(minutes=1):
            body["since"] = "2000-01-01T00:00:00Z"
    if case.method.upper() == "POST" and path == "/v1/flows" and isinstance(body, dict) and isinstance(body.get("flows"), list):
        at = now() - timedelta(hours=1)
        for flow in body["flows"]:
            fix_flow(flow, body.get("node"), at)
