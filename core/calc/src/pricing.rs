//! Price presets quoted in the seed conversations (total $/h for a node), converted to
//! $/GPU-hour. Presets are editable starting points, not market data.

use serde::{Deserialize, Serialize};

/// A node price from the seeds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PricePreset {
    /// Stable id for URLs / selects.
    pub id: &'static str,
    /// Display label, e.g. "8×H100 — $33.50/h".
    pub label: &'static str,
    /// Catalog GPU id.
    pub gpu_id: &'static str,
    /// GPUs in the node.
    pub count: u32,
    /// Whole-node price in USD per hour.
    pub total_per_hour: f64,
}

impl PricePreset {
    /// USD per GPU-hour.
    pub fn per_gpu_hour(&self) -> f64 {
        self.total_per_hour / f64::from(self.count.max(1))
    }
}

const PRESETS: &[PricePreset] = &[
    PricePreset {
        id: "8xh100",
        label: "8×H100 — $33.50/h",
        gpu_id: "h100-sxm",
        count: 8,
        total_per_hour: 33.50,
    },
    PricePreset {
        id: "1xh100",
        label: "H100 — $3.24/h",
        gpu_id: "h100-sxm",
        count: 1,
        total_per_hour: 3.24,
    },
    PricePreset {
        id: "2xv100s",
        label: "2×V100S — $1.91/h",
        gpu_id: "v100s",
        count: 2,
        total_per_hour: 1.91,
    },
    PricePreset {
        id: "8xa30",
        label: "8×A30 — $2.00/h",
        gpu_id: "a30",
        count: 8,
        total_per_hour: 2.00,
    },
    PricePreset {
        id: "4xa6000",
        label: "4×A6000 — $2.50/h",
        gpu_id: "rtx-a6000",
        count: 4,
        total_per_hour: 2.50,
    },
    PricePreset {
        id: "4xl40",
        label: "4×L40 — $3.96/h",
        gpu_id: "l40",
        count: 4,
        total_per_hour: 3.96,
    },
    PricePreset {
        id: "2xh100-pcie",
        label: "2×H100 PCIe — $5.98/h",
        gpu_id: "h100-pcie",
        count: 2,
        total_per_hour: 5.98,
    },
];

/// All seed presets.
pub fn presets() -> &'static [PricePreset] {
    PRESETS
}

/// Look a preset up by id.
pub fn preset(id: &str) -> Option<&'static PricePreset> {
    PRESETS
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(id.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_point_at_catalog_gpus() {
        for p in presets() {
            assert!(crate::gpus::gpu(p.gpu_id).is_some(), "{}", p.id);
        }
        assert!((preset("8xh100").unwrap().per_gpu_hour() - 4.1875).abs() < 1e-12);
    }
}
