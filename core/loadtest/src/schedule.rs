//! Load models as pure planners: the shell calls [`Scheduler::next_due`] on every tick with
//! the current time and launches what it returns, and reports completions with
//! [`Scheduler::on_finish`]. No clock, no timers, no I/O here, so the plan is testable and
//! the same seed gives the same arrival times.
//!
//! Semantics follow `vllm bench serve`: open-loop arrivals are Poisson (or gamma with
//! `burstiness` as shape, 1 = Poisson, scale = 1/(rate·burstiness) so the mean rate holds),
//! a `max_concurrency` cap delays arrivals until a slot frees, and a linear ramp moves the rate
//! from a start value to the target.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// Inter-arrival distribution of an open-loop run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Arrival {
    /// Evenly spaced.
    Constant,
    /// Exponential gaps.
    Poisson,
    /// Gamma gaps; `burstiness` < 1 is burstier than Poisson, > 1 smoother.
    Gamma {
        /// Gamma shape.
        burstiness: f64,
    },
}

/// How load is generated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum LoadModel {
    /// Closed loop: `users` virtual users, each sending its next request when the previous
    /// one settles (plus `think_ms`). User `i` starts at `i · ramp_up_ms / users`.
    Closed {
        /// Concurrent users.
        users: u32,
        /// Time to bring all users in.
        ramp_up_ms: f64,
        /// Pause between a user's requests.
        think_ms: f64,
    },
    /// Open loop: arrivals at `rate_per_s` regardless of completions.
    Open {
        /// Target requests per second.
        rate_per_s: f64,
        /// Gap distribution.
        arrival: Arrival,
        /// Linear ramp duration (0 = none).
        ramp_up_ms: f64,
        /// Rate at the start of the ramp.
        ramp_start_rps: f64,
        /// Most requests in flight; later arrivals wait for a slot.
        max_concurrency: Option<u32>,
    },
}

/// When a run stops launching.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Limits {
    /// Measured requests (warm-ups not included).
    pub max_requests: Option<u64>,
    /// No launch after `start + max_duration_ms` (warm-up time included).
    pub max_duration_ms: Option<f64>,
    /// Warm-up requests sent first and excluded from statistics.
    pub warmup_requests: u64,
}

/// A complete, validated description of one run's load.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoadPlan {
    /// The load model.
    pub model: LoadModel,
    /// Caps.
    pub limits: Limits,
    /// PRNG seed for random arrivals.
    pub seed: u64,
}

/// Why a plan cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// Zero users.
    #[error("the number of users must be at least 1")]
    NoUsers,
    /// Rate not positive/finite.
    #[error("the request rate must be a positive number, got {0}")]
    BadRate(f64),
    /// Burstiness not positive/finite.
    #[error("burstiness must be a positive number, got {0}")]
    BadBurstiness(f64),
    /// A time that is negative or not finite.
    #[error("{0} must be a finite, non-negative number of milliseconds")]
    BadTime(&'static str),
    /// Neither a request cap nor a duration cap: the run would never end on its own.
    #[error("set a number of requests or a duration, so the run ends on its own")]
    NoCap,
    /// A zero cap.
    #[error("the request cap is 0: nothing would run")]
    ZeroRequests,
}

/// How many requests a run will send, shown before Run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "n", rename_all = "snake_case")]
pub enum RequestCount {
    /// Exactly this many (warm-ups included).
    Exact(u64),
    /// At most this many (a duration cap may end it sooner).
    AtMost(u64),
    /// About this many (rate × duration).
    About(u64),
    /// Depends on server speed (closed loop with only a duration cap).
    Unknown,
}

impl LoadPlan {
    /// Checks the plan.
    pub fn validate(&self) -> Result<(), PlanError> {
        let time_ok = |t: f64| t.is_finite() && t >= 0.0;
        match self.model {
            LoadModel::Closed {
                users,
                ramp_up_ms,
                think_ms,
            } => {
                if users == 0 {
                    return Err(PlanError::NoUsers);
                }
                if !time_ok(ramp_up_ms) {
                    return Err(PlanError::BadTime("ramp-up"));
                }
                if !time_ok(think_ms) {
                    return Err(PlanError::BadTime("think time"));
                }
            }
            LoadModel::Open {
                rate_per_s,
                arrival,
                ramp_up_ms,
                ramp_start_rps,
                max_concurrency,
            } => {
                if !(rate_per_s.is_finite() && rate_per_s > 0.0) {
                    return Err(PlanError::BadRate(rate_per_s));
                }
                if let Arrival::Gamma { burstiness } = arrival {
                    if !(burstiness.is_finite() && burstiness > 0.0) {
                        return Err(PlanError::BadBurstiness(burstiness));
                    }
                }
                if !time_ok(ramp_up_ms) {
                    return Err(PlanError::BadTime("ramp-up"));
                }
                if ramp_up_ms > 0.0 && !(ramp_start_rps.is_finite() && ramp_start_rps > 0.0) {
                    return Err(PlanError::BadRate(ramp_start_rps));
                }
                if max_concurrency == Some(0) {
                    return Err(PlanError::NoUsers);
                }
            }
        }
        if let Some(d) = self.limits.max_duration_ms {
            if !(d.is_finite() && d > 0.0) {
                return Err(PlanError::BadTime("duration"));
            }
        }
        match (self.limits.max_requests, self.limits.max_duration_ms) {
            (None, None) => Err(PlanError::NoCap),
            (Some(0), _) => Err(PlanError::ZeroRequests),
            _ => Ok(()),
        }
    }

    /// The number of requests the run will make, for the confirmation step.
    pub fn total_requests(&self) -> RequestCount {
        let w = self.limits.warmup_requests;
        match (self.limits.max_requests, self.limits.max_duration_ms) {
            (Some(n), None) => RequestCount::Exact(n + w),
            (Some(n), Some(_)) => RequestCount::AtMost(n + w),
            (None, Some(d)) => match self.model {
                LoadModel::Closed { .. } => RequestCount::Unknown,
                LoadModel::Open {
                    rate_per_s,
                    ramp_up_ms,
                    ramp_start_rps,
                    ..
                } => {
                    // Area under the rate curve: a linear ramp, then the target rate.
                    let ramp = ramp_up_ms.min(d);
                    let rate_at_ramp_end = if ramp_up_ms > 0.0 {
                        ramp_start_rps + (rate_per_s - ramp_start_rps) * (ramp / ramp_up_ms)
                    } else {
                        rate_per_s
                    };
                    let n = (ramp_start_rps + rate_at_ramp_end) / 2.0 * ramp / 1000.0
                        + rate_per_s * (d - ramp) / 1000.0;
                    RequestCount::About(n.round().max(0.0) as u64)
                }
            },
            (None, None) => RequestCount::Unknown,
        }
    }
}

/// One request to start now.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Launch {
    /// Unique, increasing id (also the prompt index).
    pub id: u64,
    /// Virtual user (closed loop), else 0.
    pub user: u32,
    /// When it was due (≤ now).
    pub due_ms: f64,
    /// Excluded from statistics.
    pub warmup: bool,
}

/// The stateful planner for one run.
#[derive(Debug, Clone)]
pub struct Scheduler {
    plan: LoadPlan,
    rng: Rng,
    start: Option<f64>,
    launched: u64,
    stopped: bool,
    in_flight: BTreeMap<u64, u32>,
    /// Closed loop: when each user is next ready (`None` while busy).
    user_ready: Vec<Option<f64>>,
    /// Open loop: next arrival time and arrivals waiting for a concurrency slot.
    next_arrival: f64,
    backlog: VecDeque<f64>,
    last_wake: Option<f64>,
    max_tick_lag: f64,
}

impl Scheduler {
    /// A scheduler for a validated plan.
    pub fn new(plan: LoadPlan) -> Result<Self, PlanError> {
        plan.validate()?;
        Ok(Self {
            plan,
            rng: Rng::new(plan.seed),
            start: None,
            launched: 0,
            stopped: false,
            in_flight: BTreeMap::new(),
            user_ready: Vec::new(),
            next_arrival: 0.0,
            backlog: VecDeque::new(),
            last_wake: None,
            max_tick_lag: 0.0,
        })
    }

    /// The plan.
    pub fn plan(&self) -> &LoadPlan {
        &self.plan
    }

    /// Starts the run clock at `now` (done implicitly by the first `next_due`).
    pub fn start(&mut self, now: f64) {
        if self.start.is_some() {
            return;
        }
        self.start = Some(now);
        match self.plan.model {
            LoadModel::Closed {
                users, ramp_up_ms, ..
            } => {
                let n = users as usize;
                self.user_ready = (0..n)
                    .map(|i| Some(now + ramp_up_ms * i as f64 / n as f64))
                    .collect();
            }
            LoadModel::Open { .. } => self.next_arrival = now,
        }
    }

    fn remaining(&self) -> u64 {
        match self.plan.limits.max_requests {
            Some(n) => (n + self.plan.limits.warmup_requests).saturating_sub(self.launched),
            None => u64::MAX,
        }
    }

    fn deadline(&self) -> f64 {
        match (self.start, self.plan.limits.max_duration_ms) {
            (Some(s), Some(d)) => s + d,
            _ => f64::INFINITY,
        }
    }

    /// The absolute time after which nothing is launched (for aborting stragglers).
    pub fn deadline_ms(&self) -> Option<f64> {
        self.deadline().is_finite().then(|| self.deadline())
    }

    fn rate_at(&self, t: f64) -> f64 {
        match self.plan.model {
            LoadModel::Open {
                rate_per_s,
                ramp_up_ms,
                ramp_start_rps,
                ..
            } => {
                let elapsed = t - self.start.unwrap_or(t);
                if ramp_up_ms > 0.0 && elapsed < ramp_up_ms {
                    ramp_start_rps + (rate_per_s - ramp_start_rps) * (elapsed / ramp_up_ms)
                } else {
                    rate_per_s
                }
            }
            LoadModel::Closed { .. } => 1.0,
        }
    }

    fn gap_ms(&mut self, t: f64) -> f64 {
        let mean = 1000.0 / self.rate_at(t).max(1e-9);
        match self.plan.model {
            LoadModel::Open { arrival, .. } => match arrival {
                Arrival::Constant => mean,
                Arrival::Poisson => self.rng.exponential(mean),
                Arrival::Gamma { burstiness } => self.rng.gamma(burstiness, mean / burstiness),
            },
            LoadModel::Closed { .. } => mean,
        }
    }

    fn launch(&mut self, user: u32, due_ms: f64, out: &mut Vec<Launch>) {
        let id = self.launched;
        self.launched += 1;
        self.in_flight.insert(id, user);
        out.push(Launch {
            id,
            user,
            due_ms,
            warmup: id < self.plan.limits.warmup_requests,
        });
    }

    /// Everything due at `now`, in due order. Call it on every tick.
    pub fn next_due(&mut self, now: f64) -> Vec<Launch> {
        self.start(now);
        if let Some(w) = self.last_wake.take() {
            self.max_tick_lag = self.max_tick_lag.max(now - w);
        }
        let mut out = Vec::new();
        if self.stopped {
            return out;
        }
        let deadline = self.deadline();
        match self.plan.model {
            LoadModel::Closed { .. } => {
                let mut ready: Vec<(f64, u32)> = self
                    .user_ready
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| {
                        r.filter(|t| *t <= now && *t < deadline)
                            .map(|t| (t, i as u32))
                    })
                    .collect();
                ready.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                for (t, user) in ready {
                    if self.remaining() == 0 {
                        break;
                    }
                    if let Some(slot) = self.user_ready.get_mut(user as usize) {
                        *slot = None;
                    }
                    self.launch(user, t, &mut out);
                }
            }
            LoadModel::Open {
                max_concurrency, ..
            } => {
                // Generate arrivals up to now (bounded by what can still be launched).
                while self.next_arrival <= now
                    && self.next_arrival < deadline
                    && (self.backlog.len() as u64) < self.remaining()
                {
                    let t = self.next_arrival;
                    self.backlog.push_back(t);
                    self.next_arrival = t + self.gap_ms(t);
                }
                let cap = max_concurrency.map_or(u64::MAX, u64::from);
                while (self.in_flight.len() as u64) < cap && self.remaining() > 0 {
                    let Some(t) = self.backlog.pop_front() else {
                        break;
                    };
                    self.launch(0, t, &mut out);
                }
            }
        }
        self.last_wake = self.next_wake();
        out
    }

    /// When the next launch may become due without a completion (for the shell's timer);
    /// `None` when only a completion (or nothing) can trigger one.
    pub fn next_wake(&self) -> Option<f64> {
        if self.stopped || self.remaining() == 0 {
            return None;
        }
        let deadline = self.deadline();
        let t = match self.plan.model {
            LoadModel::Closed { .. } => self
                .user_ready
                .iter()
                .flatten()
                .copied()
                .filter(|t| *t < deadline)
                .min_by(f64::total_cmp)?,
            LoadModel::Open {
                max_concurrency, ..
            } => {
                let full =
                    max_concurrency.is_some_and(|c| self.in_flight.len() as u64 >= u64::from(c));
                if full || self.next_arrival >= deadline {
                    return None;
                }
                self.next_arrival
            }
        };
        Some(t)
    }

    /// Request `id` settled at `now`: frees its user / concurrency slot.
    pub fn on_finish(&mut self, now: f64, id: u64) {
        let Some(user) = self.in_flight.remove(&id) else {
            return;
        };
        if let LoadModel::Closed { think_ms, .. } = self.plan.model {
            if let Some(slot) = self.user_ready.get_mut(user as usize) {
                *slot = Some(now + think_ms);
            }
        }
    }

    /// Stop pressed: nothing more is launched; in-flight requests are the shell's to abort.
    pub fn stop(&mut self) {
        self.stopped = true;
        self.backlog.clear();
    }

    /// Requests in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Requests launched so far (warm-ups included).
    pub fn launched(&self) -> u64 {
        self.launched
    }

    /// True when nothing more will be launched and nothing is in flight.
    pub fn is_done(&self, now: f64) -> bool {
        if !self.in_flight.is_empty() {
            return false;
        }
        if self.stopped || self.remaining() == 0 {
            return true;
        }
        let started = self.start.is_some();
        match self.plan.model {
            LoadModel::Closed { .. } => {
                started && self.next_wake().is_none_or(|_| now >= self.deadline())
            }
            LoadModel::Open { .. } => {
                started
                    && self.backlog.is_empty()
                    && (now >= self.deadline() || self.next_arrival >= self.deadline())
            }
        }
    }

    /// Worst lateness of a tick versus the wake time it was asked for, ms. Hundreds of ms
    /// mean timers are being throttled (background tab) and the arrival process is distorted.
    pub fn max_tick_lag_ms(&self) -> f64 {
        self.max_tick_lag
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn closed(users: u32, n: u64) -> LoadPlan {
        LoadPlan {
            model: LoadModel::Closed {
                users,
                ramp_up_ms: 0.0,
                think_ms: 0.0,
            },
            limits: Limits {
                max_requests: Some(n),
                ..Limits::default()
            },
            seed: 1,
        }
    }

    fn open(rate: f64, arrival: Arrival, limits: Limits) -> LoadPlan {
        LoadPlan {
            model: LoadModel::Open {
                rate_per_s: rate,
                arrival,
                ramp_up_ms: 0.0,
                ramp_start_rps: 0.0,
                max_concurrency: None,
            },
            limits,
            seed: 42,
        }
    }

    fn sched(p: LoadPlan) -> Scheduler {
        Scheduler::new(p).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn validation() {
        assert_eq!(closed(0, 1).validate(), Err(PlanError::NoUsers));
        assert_eq!(closed(1, 0).validate(), Err(PlanError::ZeroRequests));
        let mut p = closed(1, 1);
        p.limits.max_requests = None;
        assert_eq!(p.validate(), Err(PlanError::NoCap));
        assert!(matches!(
            open(
                -1.0,
                Arrival::Poisson,
                Limits {
                    max_requests: Some(1),
                    ..Limits::default()
                }
            )
            .validate(),
            Err(PlanError::BadRate(_))
        ));
    }

    #[test]
    fn closed_loop_keeps_n_in_flight() {
        let mut s = sched(LoadPlan {
            limits: Limits {
                max_requests: Some(10),
                warmup_requests: 2,
                ..Limits::default()
            },
            ..closed(4, 10)
        });
        let first = s.next_due(0.0);
        assert_eq!(first.len(), 4);
        assert!(first[0].warmup && first[1].warmup && !first[2].warmup);
        assert!(s.next_due(1.0).is_empty());
        s.on_finish(5.0, first[1].id);
        let next = s.next_due(5.0);
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].user, first[1].user);
        let mut total = 5;
        let mut t = 5.0;
        while !s.is_done(t) {
            t += 1.0;
            let ids: Vec<u64> = (0..s.launched()).collect();
            for id in ids {
                s.on_finish(t, id);
            }
            total += s.next_due(t).len();
        }
        assert_eq!(total, 12);
        assert_eq!(s.plan().total_requests(), RequestCount::Exact(12));
    }

    #[test]
    fn closed_ramp_up_and_duration() {
        let mut p = closed(4, 100);
        p.model = LoadModel::Closed {
            users: 4,
            ramp_up_ms: 400.0,
            think_ms: 0.0,
        };
        p.limits.max_duration_ms = Some(250.0);
        let mut s = sched(p);
        assert_eq!(s.next_due(0.0).len(), 1);
        assert_eq!(s.next_wake(), Some(100.0));
        assert_eq!(s.next_due(150.0).len(), 1);
        assert_eq!(
            s.next_due(1000.0).len(),
            1,
            "user 3 at 300 ms is past the deadline"
        );
        assert!(!s.is_done(1000.0));
        for id in 0..3 {
            s.on_finish(1000.0, id);
        }
        assert!(s.is_done(1000.0));
        assert_eq!(s.plan().total_requests(), RequestCount::AtMost(100));
    }

    #[test]
    fn constant_rate_spacing_and_cap() {
        let mut s = sched(open(
            10.0,
            Arrival::Constant,
            Limits {
                max_requests: Some(5),
                ..Limits::default()
            },
        ));
        let a = s.next_due(0.0);
        assert_eq!(a.len(), 1);
        assert_eq!(s.next_wake(), Some(100.0));
        let b = s.next_due(350.0);
        assert_eq!(
            b.iter().map(|l| l.due_ms).collect::<Vec<_>>(),
            vec![100.0, 200.0, 300.0]
        );
        assert_eq!(s.max_tick_lag_ms(), 250.0);
        assert_eq!(s.next_due(10_000.0).len(), 1);
        assert!(s.next_due(20_000.0).is_empty());
        assert!(!s.is_done(20_000.0));
        for id in 0..5 {
            s.on_finish(20_000.0, id);
        }
        assert!(s.is_done(20_000.0));
    }

    #[test]
    fn max_concurrency_queues_arrivals() {
        let mut p = open(
            100.0,
            Arrival::Constant,
            Limits {
                max_requests: Some(10),
                ..Limits::default()
            },
        );
        if let LoadModel::Open {
            max_concurrency, ..
        } = &mut p.model
        {
            *max_concurrency = Some(2);
        }
        let mut s = sched(p);
        assert_eq!(s.next_due(0.0).len(), 1);
        assert_eq!(s.next_due(50.0).len(), 1);
        assert_eq!(s.next_wake(), None, "full: only a completion frees a slot");
        s.on_finish(60.0, 0);
        let l = s.next_due(60.0);
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].due_ms, 20.0, "queued arrival keeps its due time");
    }

    #[test]
    fn poisson_rate_matches_and_is_seeded() {
        let lim = Limits {
            max_duration_ms: Some(100_000.0),
            ..Limits::default()
        };
        let p = open(20.0, Arrival::Poisson, lim);
        assert_eq!(p.total_requests(), RequestCount::About(2000));
        let run = |p: LoadPlan| {
            let mut s = sched(p);
            let mut n = Vec::new();
            let mut t = 0.0;
            while t <= 100_000.0 {
                n.extend(s.next_due(t).into_iter().map(|l| l.due_ms));
                t += 10.0;
            }
            n
        };
        let a = run(p);
        assert!((a.len() as f64 - 2000.0).abs() < 150.0, "{}", a.len());
        assert_eq!(a, run(p));
        let g = run(open(20.0, Arrival::Gamma { burstiness: 0.5 }, lim));
        assert!((g.len() as f64 - 2000.0).abs() < 250.0, "{}", g.len());
    }

    #[test]
    fn ramp_counts() {
        let p = LoadPlan {
            model: LoadModel::Open {
                rate_per_s: 10.0,
                arrival: Arrival::Constant,
                ramp_up_ms: 10_000.0,
                ramp_start_rps: 2.0,
                max_concurrency: None,
            },
            limits: Limits {
                max_duration_ms: Some(20_000.0),
                ..Limits::default()
            },
            seed: 0,
        };
        // 10 s ramp averaging 6 rps + 10 s at 10 rps.
        assert_eq!(p.total_requests(), RequestCount::About(160));
        let mut s = sched(p);
        let mut n = 0;
        let mut t = 0.0;
        while t < 20_000.0 {
            n += s.next_due(t).len();
            t += 5.0;
        }
        assert!((n as i64 - 160).abs() <= 3, "{n}");
    }

    #[test]
    fn stop_stops() {
        let mut s = sched(closed(2, 100));
        let l = s.next_due(0.0);
        s.stop();
        s.on_finish(1.0, l[0].id);
        assert!(s.next_due(2.0).is_empty());
        assert!(!s.is_done(2.0));
        s.on_finish(2.0, l[1].id);
        assert!(s.is_done(2.0));
    }

    proptest! {
        #[test]
        fn never_exceeds_cap(users in 1u32..20, n in 1u64..50, warm in 0u64..5, steps in 1usize..200) {
            let mut p = closed(users, n);
            p.limits.warmup_requests = warm;
            let mut s = sched(p);
            let mut t = 0.0;
            let mut total = 0u64;
            for i in 0..steps {
                total += s.next_due(t).len() as u64;
                prop_assert!(s.in_flight() <= users as usize);
                if i % 2 == 0 {
                    let ids: Vec<u64> = (0..s.launched()).collect();
                    for id in ids { s.on_finish(t, id); }
                }
                t += 1.0;
            }
            prop_assert!(total <= n + warm);
        }
    }
}
