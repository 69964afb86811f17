//! Bounded-memory streaming distributions: percentiles from an HDR histogram, exact
//! count/mean/min/max on the side. Adding a value is O(1) and reading percentiles costs
//! the same whatever the run length, so the live table can refresh every frame.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Values are stored in units of 1/`SCALE` (1 µs for millisecond inputs, 0.001 token/s for
/// throughput), with 3 significant digits: a relative error ≤ 0.1 %, well inside the 2 %
/// accuracy goal of the issue.
const SCALE: f64 = 1000.0;
const SIGFIG: u8 = 3;

/// The summary row a table cell reads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Percentiles {
    /// Number of values.
    pub count: u64,
    /// Exact arithmetic mean.
    pub mean: f64,
    /// Exact minimum.
    pub min: f64,
    /// Exact maximum.
    pub max: f64,
    /// Median (histogram, ≤ 0.1 % error).
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// One bar of a histogram chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    /// Lower edge (inclusive).
    pub lo: f64,
    /// Upper edge (exclusive, inclusive for the last bin).
    pub hi: f64,
    /// Values in the bin.
    pub count: u64,
}

/// A streaming distribution of non-negative values (ms, tokens, tokens/s).
#[derive(Debug, Clone)]
pub struct Distribution {
    /// `None` only if the histogram could not be created (cannot happen for SIGFIG = 3);
    /// kept as an `Option` so there is no panic path at all.
    hist: Option<Histogram<u64>>,
    count: u64,
    sum: f64,
    min: f64,
    max: f64,
}

impl Default for Distribution {
    fn default() -> Self {
        Self::new()
    }
}

impl Distribution {
    /// An empty distribution (auto-resizing, so no upper bound needs guessing).
    pub fn new() -> Self {
        let hist = Histogram::new(SIGFIG).ok().map(|mut h| {
            h.auto(true);
            h
        });
        Self {
            hist,
            count: 0,
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Adds a value; negative or non-finite values are ignored (clock glitches).
    pub fn add(&mut self, v: f64) {
        if !v.is_finite() || v < 0.0 {
            return;
        }
        let scaled = (v * SCALE).round().min(u64::MAX as f64 / 8.0) as u64;
        match self.hist.as_mut().map(|h| h.record(scaled)) {
            Some(Ok(())) => {}
            _ => return,
        }
        self.count += 1;
        self.sum += v;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Merges another distribution into this one (e.g. runs of a sweep step).
    pub fn merge(&mut self, other: &Distribution) {
        if other.count == 0 {
            return;
        }
        let added = match (self.hist.as_mut(), other.hist.as_ref()) {
            (Some(a), Some(b)) => a.add(b).is_ok(),
            _ => false,
        };
        if added {
            self.count += other.count;
            self.sum += other.sum;
            self.min = self.min.min(other.min);
            self.max = self.max.max(other.max);
        }
    }

    /// Value at quantile `q` in [0, 1], clamped to the exact min/max; `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let v = self.hist.as_ref()?.value_at_quantile(q.clamp(0.0, 1.0)) as f64 / SCALE;
        // hdrhistogram reports the highest value equivalent to the bucket; clamp into the
        // exact range so p0/p100 equal min/max.
        Some(v.clamp(self.min, self.max))
    }

    /// The table row; `None` when empty.
    pub fn percentiles(&self) -> Option<Percentiles> {
        Some(Percentiles {
            count: self.count,
            mean: self.sum / self.count.max(1) as f64,
            min: if self.count > 0 {
                self.min
            } else {
                return None;
            },
            max: self.max,
            p50: self.quantile(0.5)?,
            p90: self.quantile(0.9)?,
            p95: self.quantile(0.95)?,
            p99: self.quantile(0.99)?,
        })
    }

    /// `bins` equal-width bins from min to `upper` (e.g. the p99, to keep the tail from
    /// flattening the chart; values above land in the last bin).
    pub fn linear_bins(&self, bins: usize, upper: Option<f64>) -> Vec<Bin> {
        let Some(hist) = self.hist.as_ref().filter(|_| self.count > 0 && bins > 0) else {
            return Vec::new();
        };
        let lo = self.min;
        let hi = upper.unwrap_or(self.max).max(lo);
        let width = ((hi - lo) / bins as f64).max(f64::MIN_POSITIVE);
        let mut out: Vec<Bin> = (0..bins)
            .map(|i| Bin {
                lo: lo + width * i as f64,
                hi: lo + width * (i + 1) as f64,
                count: 0,
            })
            .collect();
        for v in hist.iter_recorded() {
            let x = (v.value_iterated_to() as f64 / SCALE).clamp(self.min, self.max);
            let idx = (((x - lo) / width) as usize).min(bins - 1);
            if let Some(b) = out.get_mut(idx) {
                b.count += v.count_at_value();
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty() {
        let d = Distribution::new();
        assert_eq!(d.percentiles(), None);
        assert!(d.linear_bins(10, None).is_empty());
    }

    #[test]
    fn known_values() {
        let mut d = Distribution::new();
        for i in 1..=1000 {
            d.add(i as f64);
        }
        d.add(-1.0);
        d.add(f64::NAN);
        let p = d.percentiles().unwrap_or_default();
        assert_eq!(p.count, 1000);
        assert_eq!(p.min, 1.0);
        assert_eq!(p.max, 1000.0);
        assert!((p.mean - 500.5).abs() < 1e-9);
        assert!((p.p50 - 500.0).abs() / 500.0 < 0.002, "{}", p.p50);
        assert!((p.p99 - 990.0).abs() / 990.0 < 0.002, "{}", p.p99);
        let bins = d.linear_bins(10, None);
        assert_eq!(bins.iter().map(|b| b.count).sum::<u64>(), 1000);
    }

    #[test]
    fn merge_adds_up() {
        let mut a = Distribution::new();
        let mut b = Distribution::new();
        a.add(1.0);
        b.add(3.0);
        a.merge(&b);
        assert_eq!(a.count(), 2);
        assert_eq!(a.percentiles().map(|p| p.max), Some(3.0));
    }

    proptest! {
        #[test]
        fn percentiles_close_to_exact(mut xs in prop::collection::vec(0.01f64..100_000.0, 1..400)) {
            let mut d = Distribution::new();
            for x in &xs { d.add(*x); }
            xs.sort_by(f64::total_cmp);
            for q in [0.5, 0.9, 0.99] {
                // Nearest-rank definition, as hdrhistogram uses.
                let rank = ((q * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
                let exact = xs[rank - 1];
                let got = d.quantile(q).unwrap_or(f64::NAN);
                prop_assert!((got - exact).abs() <= exact * 0.002 + 0.002, "q={} got={} exact={}", q, got, exact);
            }
        }
    }
}
