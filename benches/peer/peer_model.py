#!/usr/bin/env python3
"""A SimPy model of dorasim's embedded default scenario, written for the peer comparison.

It mirrors the mechanisms of docs/model.md (and src/model/) with the default parameters of
`dorasim params` and the scenario's adoption ramp (0.3 -> 0.5 over the measured horizon, in daily
steps). Where it is simpler than dorasim is listed in benches/peer/README.md.

SimPy style throughout: developers and reviewers are `PriorityResource`s, every change, pull
request, deployment, incident and bug report is a process, and the release train, the week ends
and the adoption ramp are processes of their own. Non-attributable incidents are drawn by
thinning, as in dorasim: each candidate time is a process of its own.

Usage: peer_model.py [--runs N] [--seed S] [--json]
"""

import argparse
import json
import math
import random
import sys
import time

import simpy

# --- Parameters: dorasim's defaults (`dorasim params`) and scenarios/default.toml ------------

HOURS_PER_WEEK = 168.0
HOURS_PER_DAY = 24.0
WARMUP = 6 * HOURS_PER_WEEK
END = WARMUP + 26 * HOURS_PER_WEEK
HORIZON_WEEKS = 26.0

# Working calendar: Monday-Friday 09:00-17:00, time 0 = Monday 00:00.
CAL_START, CAL_HOURS, CAL_DAYS = 9.0, 8.0, 5

FEATURE_SHARE, BUGFIX_SHARE = 0.55, 0.30
DEVELOPERS, WIP_LIMIT = 34, 3
CODING_OVERHEAD, CODING_PER_LOC = 3.0, 0.05
MAINTENANCE = 0.1
ADOPTION_START, ADOPTION_END = 0.3, 0.5
AI_WRITTEN_TESTS = 0.7
AI_DEFECT_RATE, AI_INTEGRATION_SHARE, AI_DUPLICATION = 0.25, 0.4, 0.02
PER_KLOC, INTEGRATION_SHARE, FAILURE_SHARE, BUG_SHARE = 15.0, 0.3, 0.05, 0.12
PR_MAX_LOC, REVIEW_OVERHEAD = 400.0, 0.25
REVIEWERS, LOC_PER_HOUR, SKIM_LOC_PER_HOUR, MAX_SESSION = 6, 300.0, 1500.0, 1.0
AI_EXTRA_EFFORT = 0.5
DESCRIBED_REVIEW, INTEGRATION_REVIEW, AI_VISIBILITY = 0.6, 0.25, 0.7
PRESSURE_THRESHOLD, PRESSURE_SENSITIVITY, MIN_DEPTH, MAX_ROUNDS = 1.0, 0.3, 0.2, 4
PICKUP_BREAKS, FREE_BLOCK = 0.5, 0.4
COVERAGE, DESCRIBED_TEST_MAX, COVERAGE_STEEPNESS = 0.7, 0.6, 3.0
INTEGRATION_TEST, BLIND_SPOT = 0.25, 0.3
FLAKY, MAX_RETRIES = 0.05, 2
TRAIN_FIRST, TRAIN_INTERVAL, URGENT_BUG_FIX = 10.0, 24.0, 0.2
MANIFEST_P = 0.8
OBSERVABILITY, OBS_EFFECT, OBS_AI_EFFECT = 0.3, 2.0, 1.0
AI_DIAGNOSIS = 1.8
ROLLBACK_P, REVIEWER_PULL = 0.7, 0.5
FRAG_SHALLOW, FRAG_UNTESTED = 0.05, 0.02
FRAG_DECAY = 0.05 + 1.0 * MAINTENANCE  # per week, with maintenance
FRAG_PER_UNIT, INTERACTION_WINDOW, INTERACTION_PER_WEEK, INTERACTION_FREE = 0.05, 24.0, 0.02, 15.0

Z90 = 1.2815515655446004


def lognormal(median, p90):
    """(mu, sigma) of a log-normal given by its median and 90th percentile, as dorasim does."""
    return math.log(median), math.log(p90 / median) / Z90


FEATURE_SIZE = lognormal(80, 400)
BUGFIX_SIZE = lognormal(25, 120)
CONFIG_SIZE = lognormal(8, 30)
EFFORT_NOISE = lognormal(1, 2)
REWORK = lognormal(0.75, 3)
SIZE_MULTIPLIER = lognormal(2.4, 5)
REVIEW_NOISE = lognormal(1, 2)
CI_HOURS = lognormal(0.4, 1.0)
DEPLOY_HOURS = lognormal(0.25, 0.6)
MANIFEST_DELAY = lognormal(12, 96)
BUG_REPORT_DELAY = lognormal(8, 48)
BUG_FIX_HOURS = lognormal(2, 8)
DETECTION = lognormal(0.5, 4)
DIAGNOSIS = lognormal(1.5, 8)
ROLLBACK_HOURS = lognormal(0.3, 1)
HOTFIX_HOURS = lognormal(2, 8)

PLANNED, BUGFIX, HOTFIX = 0, 1, 2
DESCRIBED, INTEGRATION = 0, 1
FAILURE, BUG, HARMLESS = 0, 1, 2

# --- Working calendar (src/engine/calendar.rs) -----------------------------------------------


def window_at(t):
    day = math.floor(t / HOURS_PER_DAY)
    for _ in range(8):
        opens = day * HOURS_PER_DAY + CAL_START
        closes = opens + CAL_HOURS
        if day % 7 < CAL_DAYS and t < closes:
            return max(t, opens), closes
        day += 1
    return t, t + HOURS_PER_DAY


def next_open(t):
    return window_at(t)[0]


def is_open(t):
    day = math.floor(t / HOURS_PER_DAY)
    hour = t - day * HOURS_PER_DAY
    return day % 7 < CAL_DAYS and CAL_START <= hour < CAL_START + CAL_HOURS


def finish(t, work):
    """When `work` working hours started (or queued) at `t` are done."""
    if work <= 0.0:
        return t
    weekly = CAL_HOURS * CAL_DAYS
    if work > weekly:
        weeks = math.floor(work / weekly) - 1
        if weeks > 0:
            t += weeks * HOURS_PER_WEEK
            work -= weeks * weekly
    while True:
        opens, closes = window_at(t)
        if work <= closes - opens or closes <= t:
            return opens + work
        work -= closes - opens
        t = closes


# --- Review and test formulas (src/model/review.rs, testing.rs) ------------------------------


def review_effort(loc, ai, target_depth):
    full = (REVIEW_OVERHEAD + loc / LOC_PER_HOUR) * (1.0 + AI_EXTRA_EFFORT if ai else 1.0)
    minimum = min(full, REVIEW_OVERHEAD + loc / SKIM_LOC_PER_HOUR)
    effort = min(minimum + target_depth * (full - minimum), max(MAX_SESSION, minimum))
    return effort, (min(1.0, effort / full) if full > 0 else 1.0)


P_DESCRIBED_TEST = DESCRIBED_TEST_MAX * (1.0 - math.exp(-COVERAGE_STEEPNESS * COVERAGE))


class Change:
    __slots__ = (
        "origin", "ai", "ai_tests", "loc", "hand_loc", "effort", "effort_factor", "split_draw",
        "defects", "unseen", "first_commit", "merged", "deployed", "depth", "prs", "incident",
    )


class Deployment:
    __slots__ = ("started", "finished", "rollback", "failed_at")


class Replication:
    """The state of one replication and its processes."""

    def __init__(self, seed, replication):
        self.rng = random.Random(seed * 1_000_003 + replication)
        self.env = simpy.Environment()
        self.devs = simpy.PriorityResource(self.env, DEVELOPERS)
        self.reviewers = simpy.PriorityResource(self.env, REVIEWERS)
        self.adoption = ADOPTION_START
        self.in_flight = 0
        self.wip_freed = self.env.event()
        self.prs_waiting = 0
        self.merged_waiting = []
        self.deploying = False
        self.fragility = 0.0
        self.fragility_inflow = 0.0
        self.recent = []  # (time, changes) of recent deployments, oldest first
        self.recent_changes = 0
        # Thinning of non-attributable incidents (docs/model.md): fragility at `fragility_at`, the
        # candidates' rate, the next candidate's time and its generation.
        self.fragility_at = 0.0
        self.bound = 0.0
        self.check_at = math.inf
        self.generation = 0
        self.changes = []
        self.deployments = []
        self.incidents = []  # (started, restored, deployment or None)
        self.reviews_started = 0
        self.review_wait_sum = 0.0
        # Model-level events (the events dorasim's queue would pop) and pending ones.
        self.events = 0
        self.pending = 0
        self.pending_sum = 0

    # Every model event is a timeout: counted when it fires, as dorasim counts popped events.
    def hold(self, delay):
        self.pending += 1
        return self.env.timeout(max(0.0, delay))

    def fired(self):
        self.pending -= 1
        self.events += 1
        self.pending_sum += self.pending

    def ln(self, params):
        return self.rng.lognormvariate(*params)

    def poisson(self, lam):
        limit, k, p = math.exp(-lam), 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k

    # --- Changes ------------------------------------------------------------------------------

    def new_change(self, origin):
        r = self.rng
        c = Change()
        u_kind = r.random()
        if origin != PLANNED:
            size = BUGFIX_SIZE
        elif u_kind < FEATURE_SHARE:
            size = FEATURE_SIZE
        elif u_kind < FEATURE_SHARE + BUGFIX_SHARE:
            size = BUGFIX_SIZE
        else:
            size = CONFIG_SIZE
        hand_loc = max(1.0, self.ln(size))
        ai = r.random() < self.adoption
        ai_tests_draw = r.random()
        speedup = r.triangular(-0.2, 0.55, 0.2)
        multiplier = max(0.1, self.ln(SIZE_MULTIPLIER))
        noise = self.ln(EFFORT_NOISE)
        c.split_draw = r.random()
        c.origin, c.ai, c.ai_tests = origin, ai, ai and ai_tests_draw < AI_WRITTEN_TESTS
        c.hand_loc = hand_loc
        c.loc = hand_loc * multiplier if ai else hand_loc
        expected = PER_KLOC / 1000.0 * c.loc * (AI_DEFECT_RATE if ai else 1.0)
        share = AI_INTEGRATION_SHARE if ai else INTEGRATION_SHARE
        # defects[class][severity]
        c.defects = [[0, 0, 0], [0, 0, 0]]
        for _ in range(self.poisson(expected)):
            cls = INTEGRATION if r.random() < share else DESCRIBED
            u = r.random()
            sev = FAILURE if u < FAILURE_SHARE else BUG if u < FAILURE_SHARE + BUG_SHARE else HARMLESS
            c.defects[cls][sev] += 1
        c.unseen = [[0, 0, 0], [0, 0, 0]]
        c.effort_factor = max(0.05, 1.0 - speedup) if ai else 1.0
        c.effort = (CODING_OVERHEAD + hand_loc * CODING_PER_LOC) * max(0.0, noise) * c.effort_factor
        c.first_commit = c.merged = c.deployed = None
        c.depth, c.prs, c.incident = 1.0, 0, None
        self.changes.append(c)
        return c

    def developer_work(self, effort, priority, req=None):
        """A developer task of `effort` hours on the calendar (maintenance on top)."""
        if req is None:
            req = self.devs.request(priority=priority)
            yield req
        yield self.hold(finish(self.env.now, effort / (1.0 - MAINTENANCE)) - self.env.now)
        self.fired()
        self.devs.release(req)

    def rework_effort(self, c, defects):
        return sum(max(0.0, self.ln(REWORK)) for _ in range(defects)) * c.effort_factor

    def backlog(self):
        """The backlog never empties: a free developer under the WIP limit starts a new change."""
        cap = DEVELOPERS * WIP_LIMIT
        while True:
            while self.in_flight >= cap:
                yield self.wip_freed
            req = self.devs.request(priority=2)
            yield req
            self.in_flight += 1
            self.env.process(self.planned_change(req))

    def planned_change(self, req):
        c = self.new_change(PLANNED)
        c.first_commit = next_open(self.env.now)
        yield from self.developer_work(c.effort, 2, req)
        yield from self.deliver(c)

    def bug_report(self, delay):
        yield self.hold(delay)
        self.fired()
        c = self.new_change(BUGFIX)
        effort = max(0.0, self.ln(BUG_FIX_HOURS))
        req = self.devs.request(priority=0)
        yield req
        c.first_commit = next_open(self.env.now)
        yield from self.developer_work(effort, 0, req)
        yield from self.deliver(c)

    def deliver(self, c):
        """Pull requests, review, tests, merge, and the way to production."""
        n = max(1, math.ceil(c.hand_loc / PR_MAX_LOC))
        c.prs = n
        pr_defects = [[[0, 0, 0], [0, 0, 0]] for _ in range(n)]
        for cls in (DESCRIBED, INTEGRATION):
            for sev in (FAILURE, BUG, HARMLESS):
                for _ in range(c.defects[cls][sev]):
                    k = 0 if n == 1 else self.rng.randrange(n)
                    pr_defects[k][cls][sev] += 1
        c.defects = [[0, 0, 0], [0, 0, 0]]
        expedited = c.origin != PLANNED
        reviews = [self.env.process(self.pull_request(c, c.loc / n, d, expedited)) for d in pr_defects]
        yield self.env.all_of(reviews)
        yield from self.tests(c)
        self.merge(c)

    # --- Review -------------------------------------------------------------------------------

    def pull_request(self, c, loc, defects, expedited):
        rounds = 0
        while True:
            now = self.env.now
            if not expedited:
                planned, _ = review_effort(loc, c.ai, 1.0)
                sitting = min(planned * (1.0 if rounds == 0 else 0.5), MAX_SESSION)
                rate = PICKUP_BREAKS * math.exp(-sitting / FREE_BLOCK)
                at = finish(now, self.rng.expovariate(rate))
                if now >= WARMUP:
                    self.review_wait_sum += at - now
                yield self.hold(at - now)
                self.fired()
            enqueued = self.env.now
            req = self.reviewers.request(priority=0 if expedited else 1)
            self.prs_waiting += 1
            yield req
            self.prs_waiting -= 1
            now = self.env.now
            excess = max(0.0, self.prs_waiting / REVIEWERS - PRESSURE_THRESHOLD)
            target = min(1.0, max(MIN_DEPTH, 1.0 / (1.0 + PRESSURE_SENSITIVITY * excess)))
            effort, depth = review_effort(loc, c.ai, target)
            effort *= (1.0 if rounds == 0 else 0.5) * max(0.0, self.ln(REVIEW_NOISE))
            if now >= WARMUP:
                self.reviews_started += 1
                self.review_wait_sum += next_open(now) - enqueued
            c.depth = min(c.depth, depth)
            yield self.hold(finish(now, effort) - now)
            self.fired()
            self.reviewers.release(req)
            rounds += 1
            last = rounds >= MAX_ROUNDS
            p_described = min(1.0, DESCRIBED_REVIEW * depth)
            p_integration = min(1.0, INTEGRATION_REVIEW * (AI_VISIBILITY if c.ai else 1.0) * depth)
            found = 0
            for cls, p in ((DESCRIBED, p_described), (INTEGRATION, p_integration)):
                row = defects[cls]
                for sev in (FAILURE, BUG, HARMLESS):
                    hits = sum(1 for _ in range(row[sev]) if self.rng.random() < p)
                    if not last:
                        row[sev] -= hits
                    found += hits
            if found == 0 or last:
                for cls in (DESCRIBED, INTEGRATION):
                    for sev in (FAILURE, BUG, HARMLESS):
                        c.defects[cls][sev] += defects[cls][sev]
                return
            yield from self.developer_work(self.rework_effort(c, found), 1)

    # --- Tests, merge and deployment ----------------------------------------------------------

    def tests(self, c):
        p_integration = INTEGRATION_TEST * ((1.0 - BLIND_SPOT) if c.ai and c.ai_tests else 1.0)
        while True:
            hours = max(0.0, self.ln(CI_HOURS))
            retries = 0
            while retries < MAX_RETRIES and self.rng.random() < FLAKY:
                hours += max(0.0, self.ln(CI_HOURS))
                retries += 1
            yield self.hold(hours)
            self.fired()
            found = 0
            # A defect the suite missed stays missed on every re-run.
            for cls, p in ((DESCRIBED, P_DESCRIBED_TEST), (INTEGRATION, p_integration)):
                for sev in (FAILURE, BUG, HARMLESS):
                    n = c.defects[cls][sev]
                    fresh = max(0, n - c.unseen[cls][sev])
                    hits = sum(1 for _ in range(fresh) if self.rng.random() < p)
                    c.defects[cls][sev] -= hits
                    c.unseen[cls][sev] = n - hits
                    found += hits
            if found == 0:
                return
            yield from self.developer_work(self.rework_effort(c, found), 1)

    def merge(self, c):
        now = self.env.now
        c.merged = now
        added = FRAG_SHALLOW * max(0.0, 1.0 - c.depth) + FRAG_UNTESTED * (1.0 - COVERAGE)
        added += AI_DUPLICATION if c.ai else 0.0
        self.settle()
        self.fragility += added
        self.raise_bound()
        if WARMUP - 2 * HOURS_PER_WEEK <= now < WARMUP:
            self.fragility_inflow += added
        if c.origin == PLANNED:
            self.in_flight -= 1
            if not self.wip_freed.triggered:
                self.wip_freed.succeed()
                self.wip_freed = self.env.event()
            self.merged_waiting.append(c)
        elif c.origin == BUGFIX and c.split_draw >= URGENT_BUG_FIX:
            self.merged_waiting.append(c)  # rides the next train
        else:
            self.env.process(self.deploy([c], planned=False))

    def train(self):
        yield self.hold(TRAIN_FIRST)
        while True:
            self.fired()
            if self.merged_waiting and not self.deploying and is_open(self.env.now):
                batch, self.merged_waiting = self.merged_waiting, []
                self.deploying = True
                self.env.process(self.deploy(batch, planned=True))
            yield self.hold(TRAIN_INTERVAL)

    def deploy(self, changes, planned):
        d = Deployment()
        d.started, d.finished, d.rollback, d.failed_at = self.env.now, None, False, None
        self.deployments.append(d)
        yield self.hold(max(0.0, self.ln(DEPLOY_HOURS)))
        self.fired()
        now = self.env.now
        d.finished = now
        for c in changes:
            c.deployed = now
            for cls in (DESCRIBED, INTEGRATION):
                for sev in (FAILURE, BUG):
                    for _ in range(c.defects[cls][sev]):
                        if self.rng.random() >= MANIFEST_P:
                            continue
                        delay = max(0.0, self.ln(MANIFEST_DELAY))
                        if now + delay <= END:
                            ai_integration = cls == INTEGRATION and c.ai
                            self.env.process(self.manifest(d, sev, ai_integration, delay))
        self.recent.append((now, len(changes)))
        self.recent_changes += len(changes)
        if changes:
            self.raise_bound()
        if planned:
            self.deploying = False
        for c in changes:
            if c.incident is not None:  # a hotfix restores service when deployed
                c.incident.succeed()

    # --- Production ---------------------------------------------------------------------------

    def manifest(self, deployment, severity, ai_integration, delay):
        yield self.hold(delay)
        self.fired()
        if severity == FAILURE:
            self.env.process(self.incident(deployment, ai_integration))
        else:
            self.env.process(self.bug_report(max(0.0, self.ln(BUG_REPORT_DELAY))))

    def incident(self, deployment, ai_integration):
        record = [self.env.now, None, deployment]
        self.incidents.append(record)
        self.rng.triangular(0.0, 0.12, 0.01)  # impact (drawn, not used by the compared metrics)
        speed = 1.0 + OBS_EFFECT * OBSERVABILITY
        yield self.hold(max(0.0, self.ln(DETECTION)) / speed)
        self.fired()
        # A responder is taken from the next free developer (ahead of all other work), and
        # sometimes a reviewer for the diagnosis.
        responder = self.devs.request(priority=-1)
        reviewer = self.reviewers.request(priority=-1) if self.rng.random() < REVIEWER_PULL else None
        multiplier, speed_ai = (AI_DIAGNOSIS, speed + OBS_AI_EFFECT * OBSERVABILITY) if ai_integration else (1.0, speed)
        yield self.hold(max(0.0, self.ln(DIAGNOSIS)) * multiplier / speed_ai)
        self.fired()
        if reviewer is not None:
            free(self.reviewers, reviewer)
        if deployment is None:
            yield self.hold(max(0.0, self.ln(ROLLBACK_HOURS)))  # mitigation
            self.fired()
        elif self.rng.random() < ROLLBACK_P:
            started = self.env.now
            yield self.hold(max(0.0, self.ln(ROLLBACK_HOURS)))
            self.fired()
            rollback = Deployment()
            rollback.started, rollback.finished, rollback.rollback = started, self.env.now, True
            self.deployments.append(rollback)
        else:
            c = self.new_change(HOTFIX)
            c.first_commit = self.env.now
            c.incident = self.env.event()
            yield self.hold(max(0.0, self.ln(HOTFIX_HOURS)))  # coded by the responder
            self.fired()
            self.env.process(self.hotfix_pipeline(c))
            yield c.incident  # restored when the hotfix is deployed
        record[1] = self.env.now
        free(self.devs, responder)

    def hotfix_pipeline(self, c):
        yield from self.tests(c)  # no review, no staging
        self.merge(c)

    def settle(self):
        """Fragility decays continuously: bring it to now."""
        dt = self.env.now - self.fragility_at
        if dt > 0.0:
            self.fragility *= math.exp(-FRAG_DECAY / HOURS_PER_WEEK * dt)
            self.fragility_at = self.env.now

    def hazard(self):
        self.settle()
        now = self.env.now
        while self.recent and self.recent[0][0] < now - INTERACTION_WINDOW:
            self.recent_changes -= self.recent.pop(0)[1]
        h_f = self.fragility * FRAG_PER_UNIT / HOURS_PER_WEEK
        h_i = max(0.0, self.recent_changes - INTERACTION_FREE) * INTERACTION_PER_WEEK / HOURS_PER_WEEK
        return h_f + h_i

    def raise_bound(self):
        """The hazard may have jumped: raise the candidates' rate to it (thinning)."""
        h = self.hazard()
        if h <= self.bound:
            return
        extra, self.bound = h - self.bound, h
        at = self.env.now + self.rng.expovariate(extra)
        if at < self.check_at:
            self.schedule_check(at)

    def schedule_check(self, at):
        self.generation += 1
        self.check_at = at
        if at <= END:
            self.env.process(self.check(self.generation, at - self.env.now))

    def check(self, generation, delay):
        """A candidate: an incident with probability hazard / rate, unless superseded."""
        yield self.hold(delay)
        self.fired()
        if generation != self.generation:
            return
        h = self.hazard()
        accept = self.rng.random() * self.bound < h
        self.bound, self.check_at = h, math.inf
        if h > 0.0:
            self.schedule_check(self.env.now + self.rng.expovariate(h))
        if accept:
            self.rng.random()  # cause: fragility or interaction (both are mitigated alike)
            self.env.process(self.incident(None, False))

    def week_ends(self):
        yield self.hold(WARMUP)
        while True:
            self.fired()
            if self.env.now <= WARMUP + 1e-9:
                # Warm start: fragility at the level the warm-up's inflow sustains.
                self.settle()
                self.fragility = self.fragility_inflow / 2.0 / FRAG_DECAY
                self.raise_bound()
            if self.env.now + HOURS_PER_WEEK > END + 1e-9:
                return
            yield self.hold(HOURS_PER_WEEK)

    def adoption_ramp(self):
        """The timeline: adoption from 0.3 to 0.5 over the measured horizon, in daily steps."""
        t = WARMUP
        yield self.hold(WARMUP)
        while True:
            self.fired()
            self.adoption = ADOPTION_START + (ADOPTION_END - ADOPTION_START) * min(1.0, (t - WARMUP) / (END - WARMUP))
            if t >= END:
                return
            step = min(24.0, END - t)
            t += step
            yield self.hold(step)

    # --- Run and metrics ----------------------------------------------------------------------

    def run(self):
        env = self.env
        env.process(self.backlog())
        env.process(self.train())
        env.process(self.week_ends())
        env.process(self.adoption_ramp())
        # Events at the horizon itself still run (dorasim pops events up to and including it).
        env.run(until=END + 1e-9)
        return self.metrics()

    def metrics(self):
        counted = [d for d in self.deployments if not d.rollback and d.finished is not None and WARMUP <= d.finished < END]
        failed = {}
        for started, restored, d in self.incidents:
            if d is not None and d not in failed:
                failed[d] = (started, restored)
        lead = sorted(c.deployed - c.first_commit for c in self.changes if c.deployed is not None and WARMUP <= c.deployed < END)
        recovery = sorted(
            failed[d][1] - failed[d][0] for d in counted if d in failed and failed[d][1] is not None
        )
        merged = [c for c in self.changes if c.merged is not None and WARMUP <= c.merged < END]
        planned_deployed = sum(1 for c in self.changes if c.origin == PLANNED and c.deployed is not None and WARMUP <= c.deployed < END)
        return {
            "deploys_per_week": len(counted) / HORIZON_WEEKS,
            "pull_requests_per_week": sum(c.prs for c in merged) / HORIZON_WEEKS,
            "throughput_per_week": planned_deployed / HORIZON_WEEKS,
            "review_wait_mean_hours": self.review_wait_sum / self.reviews_started if self.reviews_started else float("nan"),
            "lead_time_p50_hours": quantile(lead, 0.5),
            "lead_time_mean_hours": sum(lead) / len(lead) if lead else float("nan"),
            "change_fail_rate": sum(1 for d in counted if d in failed) / len(counted) if counted else float("nan"),
            "recovery_p50_hours": quantile(recovery, 0.5),
            "incidents": sum(1 for s, _, _ in self.incidents if WARMUP <= s < END),
        }


def free(resource, request):
    """Releases a granted request, or withdraws one still waiting (the incident ended first)."""
    if request.triggered:
        resource.release(request)
    else:
        request.cancel()


def quantile(sorted_values, q):
    """Linear interpolation between order statistics (dorasim's `stats::quantile`)."""
    if not sorted_values:
        return float("nan")
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    args = parser.parse_args()
    sums, events, pending_sum = {}, 0, 0.0
    kernel_events = 0
    started = time.perf_counter()
    for rep in range(args.runs):
        replication = Replication(args.seed, rep)
        for key, value in replication.run().items():
            if not math.isnan(value):
                n, s = sums.get(key, (0, 0.0))
                sums[key] = (n + 1, s + value)
        events += replication.events
        pending_sum += replication.pending_sum / max(1, replication.events)
        kernel_events += next(replication.env._eid)  # every event SimPy scheduled, internal ones included
    wall = time.perf_counter() - started
    summary = {
        "tool": "simpy peer model",
        "simpy": simpy.__version__,
        "python": sys.version.split()[0],
        "seed": args.seed,
        "runs": args.runs,
        "events": events,
        "kernel_events": kernel_events,
        # Mean, over popped events, of the model events still pending: dorasim's queue holds the
        # same events (both queue the ramp's phase changes one at a time).
        "mean_pending_events": pending_sum / args.runs,
        "timing": {"wall_seconds": wall, "replications_per_second": args.runs / wall},
        "metrics": {key: s / n for key, (n, s) in sums.items()},
    }
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
        print()
    else:
        print(f"{args.runs} replications in {wall:.2f} s ({args.runs / wall:.2f}/s), {events / args.runs:.0f} events each")
        for key, value in summary["metrics"].items():
            print(f"  {key:28} {value:10.3f}")


if __name__ == "__main__":
    main()
