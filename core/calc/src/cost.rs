//! Cost arithmetic (field notes A5): hourly and monthly price of the GPUs, per concurrent
//! user, per million output tokens.

/// Default hours per month (24 × 365 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Cost figures in USD.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    /// All GPUs, per hour.
    pub per_hour: f64,
    /// All GPUs, per month.
    pub per_month: f64,
    /// Month cost ÷ (concurrent streams × people per stream); infinite when nobody is served.
    pub per_user_month: f64,
    /// USD per million output tokens at the system decode rate; infinite at zero throughput.
    pub per_million_tokens: f64,
}

/// Compute costs. `people_per_stream`: the seeds' rule of thumb is 10 chat users or 4 agents
/// per concurrent stream.
pub fn cost(
    price_per_gpu_hour: f64,
    gpus: u32,
    hours_per_month: f64,
    streams: u64,
    people_per_stream: f64,
    tokens_per_s: f64,
) -> Cost {
    let per_hour = price_per_gpu_hour.max(0.0) * f64::from(gpus);
    let per_month = per_hour * hours_per_month.max(0.0);
    let people = streams as f64 * people_per_stream.max(0.0);
    Cost {
        per_hour,
        per_month,
        per_user_month: if people > 0.0 {
            per_month / people
        } else {
            f64::INFINITY
        },
        per_million_tokens: if tokens_per_s > 0.0 {
            per_hour / (tokens_per_s * 3600.0) * 1e6
        } else {
            f64::INFINITY
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_node_costs() {
        // 8×H100 at $33.50/h, 720 h: $24,120/month; 5 streams × 10 chat users = $482.40;
        // 5 streams × 4 agents = $1,206.
        let c = cost(33.50 / 8.0, 8, 720.0, 5, 10.0, 1000.0);
        assert!((c.per_month - 24_120.0).abs() < 1e-6);
        assert!((c.per_user_month - 482.4).abs() < 1e-6);
        let a = cost(33.50 / 8.0, 8, 720.0, 5, 4.0, 1000.0);
        assert!((a.per_user_month - 1206.0).abs() < 1e-6);
        assert!((c.per_million_tokens - 33.5 / 3.6).abs() < 1e-6);
    }
}
