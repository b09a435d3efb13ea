"""Benchmark: logging a 100,000-line segment with campaigns against the same without.

Campaigns must not make logging slower than 1.2 times plain logging (issue 15): the
campaign entries are written once per distinct campaign, the entries' campaign columns
by the same ``INSERT ... SELECT``. "ours" logs a segment whose header carries a campaign
(campaign target on) and whose every tenth line overrides it with a second campaign and
"campaign response"; the baseline logs an identical segment without campaigns, before and
after ours, and the faster of the two counts.

    .venv/bin/python bench/campaign_log.py [--lines N]
    scripts/with-postgres.sh .venv/bin/python bench/campaign_log.py
"""

import sys
from pathlib import Path

# Run as a script, sys.path[0] is bench/ itself, where bench/segments.py would hide the
# project's segments app: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.harness import report, result, setup_django  # noqa: E402
from bench.log_segment import build_segment, seed  # noqa: E402


def with_campaigns(segment, user):
    """Give ``segment`` a campaign (targets) and every tenth line another (responses)."""
    from django.db.models import Value
    from django.db.models.functions import Mod

    from interactions.models import Campaign
    from segments.models import Segment, SegmentLine

    spring = Campaign.objects.create(description="Spring fair", created_by=user)
    reply = Campaign.objects.create(description="Reply card", created_by=user)
    Segment.objects.filter(pk=segment.pk).update(campaign=spring, campaign_target=True)
    SegmentLine.objects.filter(segment=segment).annotate(tenth=Mod("contact_id", Value(10))).filter(
        tenth=0
    ).update(campaign=reply, campaign_response=True)
    segment.refresh_from_db()
    return spring, reply


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    # seed() stores the template's letters: in a folder of this run, not the project's media.
    os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-media-"))
    vendor = setup_django("campaign_log")

    from interactions.models import CampaignEntry, InteractionLogEntry
    from segments import services

    user, template = seed(args.lines)
    first, ours, second = (build_segment(no, user, template) for no in ("PLAIN1", "CAMP", "PLAIN2"))
    spring, reply = with_campaigns(ours, user)
    timings = []
    for segment in (first, ours, second):
        start = time.perf_counter()
        logged = services.log_segment(segment, user=user)
        timings.append(time.perf_counter() - start)
        if segment is ours:
            campaign_logged = logged
    baseline_1, ours_s, baseline_2 = timings
    row = result(
        "campaign_log",
        vendor,
        ours_s,
        min(baseline_1, baseline_2),
        lines=args.lines,
        baseline_runs_s=[round(baseline_1, 4), round(baseline_2, 4)],
    )
    # The work was done: two campaign entries shared by every entry of their campaign.
    entries = InteractionLogEntry.objects.filter(logged_segment=campaign_logged)
    row["campaign_entries"] = CampaignEntry.objects.filter(logged_segment=campaign_logged).count()
    row["responses"] = entries.filter(campaign=reply, campaign_response=True).count()
    row["targets"] = entries.filter(campaign=spring, campaign_target=True).count()
    report(row)
    if row["campaign_entries"] != 2 or row["targets"] + row["responses"] != args.lines:
        sys.exit("logging with campaigns did not write what it should")


if __name__ == "__main__":
    main()
