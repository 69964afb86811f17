//! Absolute, seeded send deadlines for token chunks.
//!
//! Deadlines are computed from the token index (`base + ttft + t * itl + jitter`) rather than by
//! adding up sleeps, so timer lateness never accumulates along a stream.

use std::time::Duration;

use tokio::time::Instant;

use crate::behavior::Behavior;

/// Longest offset from the base instant (30 days); keeps `Instant` arithmetic from overflowing.
const MAX_OFFSET_MS: f64 = 30.0 * 24.0 * 3_600_000.0;

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA
/// 2014; constants from Vigna's reference `splitmix64.c`): tiny, seedable, good enough for jitter.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)` (53 random mantissa bits).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// FNV-1a 64-bit hash (offset basis and prime from the FNV reference, isthe.com/chongo/tech/comp/fnv),
/// used to mix the prompt into the jitter seed.
pub fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// Whether request number `seq` gets the configured faults, given `fault_rate`.
pub fn fault_selected(b: &Behavior, seq: u64) -> bool {
    if b.fault_rate >= 1.0 {
        return true;
    }
    SplitMix64::new(b.seed ^ seq.rotate_left(32)).next_f64() < b.fault_rate
}

/// Deadlines of one stream's token chunks.
#[derive(Debug, Clone)]
pub struct Schedule {
    base: Instant,
    ttft_ms: f64,
    itl_ms: f64,
    jitter_ms: f64,
    rng: SplitMix64,
    last: Instant,
}

impl Schedule {
    /// Deadlines relative to `base` (the header release), jitter seeded by `seed` and `prompt`.
    pub fn new(base: Instant, b: &Behavior, prompt: &str) -> Self {
        Self {
            base,
            ttft_ms: b.ttft_ms,
            itl_ms: b.itl_ms,
            jitter_ms: b.jitter_ms,
            rng: SplitMix64::new(b.seed ^ fnv1a(prompt)),
            last: base,
        }
    }

    /// Deadline of the chunk whose first token has index `token`; call with increasing `token`.
    /// Never earlier than the previous deadline nor than `base`.
    pub fn deadline(&mut self, token: u32) -> Instant {
        let jitter = if self.jitter_ms > 0.0 {
            (self.rng.next_f64() * 2.0 - 1.0) * self.jitter_ms
        } else {
            0.0
        };
        let offset =
            (self.ttft_ms + f64::from(token) * self.itl_ms + jitter).clamp(0.0, MAX_OFFSET_MS);
        let at = self.base + Duration::from_secs_f64(offset / 1000.0);
        self.last = self.last.max(at);
        self.last
    }

    /// Deadline of the last token of an `n`-token output (for non-streaming answers).
    pub fn last_token_deadline(&mut self, n: u32) -> Instant {
        self.deadline(n.saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ms(base: Instant, t: Instant) -> f64 {
        (t - base).as_secs_f64() * 1000.0
    }

    #[test]
    fn deadlines_without_jitter_are_exact() {
        let base = Instant::now();
        let b = Behavior {
            ttft_ms: 20.0,
            itl_ms: 5.0,
            ..Behavior::default()
        };
        let mut s = Schedule::new(base, &b, "p");
        let got: Vec<f64> = [0, 1, 4].iter().map(|&t| ms(base, s.deadline(t))).collect();
        for (g, want) in got.iter().zip([20.0, 25.0, 40.0]) {
            assert!((g - want).abs() < 1e-6, "{g} vs {want}");
        }
    }

    #[test]
    fn fault_rate_picks_about_that_fraction() {
        let b = Behavior {
            fault_rate: 0.25,
            seed: 9,
            ..Behavior::default()
        };
        let hits = (0..4000).filter(|&s| fault_selected(&b, s)).count();
        assert!((800..1200).contains(&hits), "{hits}");
        let none = Behavior {
            fault_rate: 0.0,
            ..b
        };
        assert!(!(0..100).any(|s| fault_selected(&none, s)));
    }

    proptest! {
        #[test]
        fn jittered_deadlines_are_monotonic_seeded_and_bounded(
            ttft in 0.0f64..100.0, itl in 0.0f64..20.0, jitter in 0.0f64..10.0, seed: u64, n in 1u32..200,
        ) {
            let base = Instant::now();
            let b = Behavior { ttft_ms: ttft, itl_ms: itl, jitter_ms: jitter, seed, ..Behavior::default() };
            let mut s1 = Schedule::new(base, &b, "x");
            let mut s2 = Schedule::new(base, &b, "x");
            let mut prev = base;
            for t in 0..n {
                let d = s1.deadline(t);
                prop_assert_eq!(d, s2.deadline(t));
                prop_assert!(d >= prev);
                let nominal = ttft + f64::from(t) * itl;
                // Within the jitter band, or pushed later by the monotonic clamp.
                prop_assert!(ms(base, d) >= nominal - jitter - 1e-6);
                prev = d;
            }
        }
    }
}
