//! Multi-step runs: sweeps over users or rates (the users-vs-tokens/s table) and ISL × OSL
//! matrices (the TensorRT-LLM style table), plus the list syntaxes used in URLs.

use serde::{Deserialize, Serialize};

use crate::schedule::{LoadModel, LoadPlan, PlanError};

/// What a sweep varies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "axis", content = "values", rename_all = "snake_case")]
pub enum SweepAxis {
    /// Closed-loop user counts.
    Users(Vec<u32>),
    /// Open-loop request rates (requests/s).
    Rates(Vec<f64>),
}

/// Why a list could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    /// An item is not a number.
    #[error("item {index} ({item:?}) is not a valid number")]
    BadItem {
        /// 1-based position.
        index: usize,
        /// The text.
        item: String,
    },
    /// An ISL|OSL pair is malformed.
    #[error("item {index} ({item:?}) is not of the form ISL|OSL, e.g. 2048|128")]
    BadPair {
        /// 1-based position.
        index: usize,
        /// The text.
        item: String,
    },
    /// Nothing in the list.
    #[error("the list is empty")]
    Empty,
}

/// 1, 2, 4, … up to and including `max` (and `max` itself if not a power of two).
pub fn doubling(max: u32) -> Vec<u32> {
    let mut v = Vec::new();
    let mut x = 1u32;
    while x <= max {
        v.push(x);
        match x.checked_mul(2) {
            Some(n) => x = n,
            None => break,
        }
    }
    if max > 0 && v.last() != Some(&max) {
        v.push(max);
    }
    v
}

fn items(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.split([',', ';', ' '])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .enumerate()
        .map(|(i, x)| (i + 1, x))
}

/// Parses `1,2,4,8` (users).
pub fn parse_u32_list(s: &str) -> Result<Vec<u32>, ListError> {
    parse_list(s, |n: &u32| *n > 0)
}

/// Parses `0.5,1,2` (rates).
pub fn parse_f64_list(s: &str) -> Result<Vec<f64>, ListError> {
    parse_list(s, |n: &f64| n.is_finite() && *n > 0.0)
}

/// A non-empty list of items that parse as `T` and pass `valid`, naming the first bad one.
fn parse_list<T: std::str::FromStr>(s: &str, valid: fn(&T) -> bool) -> Result<Vec<T>, ListError> {
    let v = items(s)
        .map(|(index, item)| {
            item.parse::<T>()
                .ok()
                .filter(valid)
                .ok_or_else(|| ListError::BadItem {
                    index,
                    item: item.to_owned(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if v.is_empty() {
        return Err(ListError::Empty);
    }
    Ok(v)
}

/// One cell of an ISL × OSL matrix: input and output length in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IslOsl {
    /// Input sequence length (prompt tokens).
    pub isl: u32,
    /// Output sequence length (`max_tokens`, with `ignore_eos` to make it exact).
    pub osl: u32,
}

/// Parses `2048|128, 32768|2048` (also `2048x128`, `2048:128`).
pub fn parse_matrix(s: &str) -> Result<Vec<IslOsl>, ListError> {
    let v = items(s)
        .map(|(index, item)| {
            let bad = || ListError::BadPair {
                index,
                item: item.to_owned(),
            };
            let (a, b) = item.split_once(['|', 'x', 'X', ':']).ok_or_else(bad)?;
            let isl = a
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(bad)?;
            let osl = b
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(bad)?;
            Ok(IslOsl { isl, osl })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if v.is_empty() {
        return Err(ListError::Empty);
    }
    Ok(v)
}

/// The plan of each sweep step, with its x value, from a template plan (whose limits and
/// seed every step shares).
pub fn sweep_steps(
    template: &LoadPlan,
    axis: &SweepAxis,
) -> Result<Vec<(f64, LoadPlan)>, PlanError> {
    let steps: Vec<(f64, LoadPlan)> = match axis {
        SweepAxis::Users(users) => users
            .iter()
            .map(|&u| {
                let model = match template.model {
                    LoadModel::Closed {
                        ramp_up_ms,
                        think_ms,
                        ..
                    } => LoadModel::Closed {
                        users: u,
                        ramp_up_ms,
                        think_ms,
                    },
                    LoadModel::Open { .. } => LoadModel::Closed {
                        users: u,
                        ramp_up_ms: 0.0,
                        think_ms: 0.0,
                    },
                };
                (f64::from(u), LoadPlan { model, ..*template })
            })
            .collect(),
        SweepAxis::Rates(rates) => rates
            .iter()
            .map(|&r| {
                let model = match template.model {
                    LoadModel::Open {
                        arrival,
                        ramp_up_ms,
                        ramp_start_rps,
                        max_concurrency,
                        ..
                    } => LoadModel::Open {
                        rate_per_s: r,
                        arrival,
                        ramp_up_ms,
                        ramp_start_rps,
                        max_concurrency,
                    },
                    LoadModel::Closed { .. } => LoadModel::Open {
                        rate_per_s: r,
                        arrival: crate::schedule::Arrival::Poisson,
                        ramp_up_ms: 0.0,
                        ramp_start_rps: 0.0,
                        max_concurrency: None,
                    },
                };
                (r, LoadPlan { model, ..*template })
            })
            .collect(),
    };
    for (_, p) in &steps {
        p.validate()?;
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{Arrival, Limits, RequestCount};

    #[test]
    fn doubling_lists() {
        assert_eq!(doubling(32), vec![1, 2, 4, 8, 16, 32]);
        assert_eq!(doubling(20), vec![1, 2, 4, 8, 16, 20]);
        assert_eq!(doubling(0), Vec::<u32>::new());
    }

    #[test]
    fn lists() {
        assert_eq!(parse_u32_list("1, 2,4 8"), Ok(vec![1, 2, 4, 8]));
        assert_eq!(
            parse_u32_list("1,x"),
            Err(ListError::BadItem {
                index: 2,
                item: "x".into()
            })
        );
        assert_eq!(parse_u32_list(" "), Err(ListError::Empty));
        assert_eq!(parse_f64_list("0.5,2"), Ok(vec![0.5, 2.0]));
        assert!(parse_f64_list("-1").is_err());
        assert_eq!(
            parse_matrix("2048|128, 32768x2048"),
            Ok(vec![
                IslOsl {
                    isl: 2048,
                    osl: 128
                },
                IslOsl {
                    isl: 32768,
                    osl: 2048
                }
            ])
        );
        assert!(matches!(
            parse_matrix("2048"),
            Err(ListError::BadPair { index: 1, .. })
        ));
    }

    #[test]
    fn steps() {
        let t = LoadPlan {
            model: LoadModel::Closed {
                users: 1,
                ramp_up_ms: 0.0,
                think_ms: 0.0,
            },
            limits: Limits {
                max_requests: Some(8),
                ..Limits::default()
            },
            seed: 3,
        };
        let s = sweep_steps(&t, &SweepAxis::Users(doubling(4))).unwrap_or_default();
        assert_eq!(s.len(), 3);
        assert_eq!(s[2].0, 4.0);
        assert_eq!(s[2].1.total_requests(), RequestCount::Exact(8));
        let r = sweep_steps(&t, &SweepAxis::Rates(vec![1.0, 2.0])).unwrap_or_default();
        assert!(matches!(
            r[1].1.model,
            LoadModel::Open { rate_per_s, arrival: Arrival::Poisson, .. } if rate_per_s == 2.0
        ));
        assert!(sweep_steps(&t, &SweepAxis::Users(vec![0])).is_err());
    }
}
