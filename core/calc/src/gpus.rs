//! GPU catalog: memory, bandwidth, *dense* (not 2:4-sparse) tensor throughput, interconnect and
//! a default price. Throughputs are vendor datasheet figures halved where the datasheet quotes
//! sparsity. Prices are editable defaults: the seeds' quotes where the seeds give one, else a
//! typical on-demand list price (marked unverified in `price_source`).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;

/// GPU-to-GPU link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interconnect {
    /// e.g. "NVLink 4", "PCIe 4.0 x16".
    pub name: String,
    /// Vendor bandwidth per GPU in GB/s (bidirectional where the vendor quotes it so).
    pub gb_per_s: f64,
}

/// One accelerator model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gpu {
    /// Catalog id used in URLs (`gpu=h100-sxm`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Device memory in bytes (binary sizes where the part is binary, e.g. 80 GiB).
    pub memory_bytes: u64,
    /// Memory bandwidth in bytes per second.
    pub bandwidth_bytes_per_s: f64,
    /// Dense bf16 tensor TFLOPS (fp16 for V100S, which has no bf16).
    pub bf16_tflops: f64,
    /// Dense fp8 tensor TFLOPS; 0 when the GPU has no fp8.
    pub fp8_tflops: f64,
    /// Dense int8 tensor TOPS.
    pub int8_tops: f64,
    /// Fastest GPU-to-GPU link.
    pub interconnect: Interconnect,
    /// Default price in USD per GPU-hour.
    pub price_per_hour: f64,
    /// Where the price comes from.
    pub price_source: String,
    /// When the price was taken.
    pub price_date: String,
    /// Datasheet the hardware figures come from.
    pub source: String,
}

impl Gpu {
    /// True for A100 parts (vLLM picks smaller defaults for them).
    pub fn is_a100(&self) -> bool {
        self.id.starts_with("a100")
    }
}

#[allow(clippy::too_many_arguments)]
fn g(
    id: &str,
    name: &str,
    memory_bytes: u64,
    tb_per_s: f64,
    bf16: f64,
    fp8: f64,
    int8: f64,
    link: (&str, f64),
    price: (f64, &str, &str),
    source: &str,
) -> Gpu {
    Gpu {
        id: id.into(),
        name: name.into(),
        memory_bytes,
        bandwidth_bytes_per_s: tb_per_s * 1e12,
        bf16_tflops: bf16,
        fp8_tflops: fp8,
        int8_tops: int8,
        interconnect: Interconnect {
            name: link.0.into(),
            gb_per_s: link.1,
        },
        price_per_hour: price.0,
        price_source: price.1.into(),
        price_date: price.2.into(),
        source: source.into(),
    }
}

const UNVERIFIED: &str = "typical on-demand list price [unverified, from memory; edit]";

/// Every catalog GPU.
pub fn gpus() -> &'static [Gpu] {
    static CATALOG: OnceLock<Vec<Gpu>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        vec![
            g("h100-sxm", "NVIDIA H100 SXM 80GB", 80 * GIB, 3.35, 989.4, 1978.9, 1978.9, ("NVLink 4", 900.0),
              (33.50 / 8.0, "seed: 8×H100 node $33.50/h", "2025"),
              "https://www.nvidia.com/en-us/data-center/h100/ (datasheet, sparse ÷ 2)"),
            g("h100-pcie", "NVIDIA H100 PCIe 80GB", 80 * GIB, 2.0, 756.0, 1513.0, 1513.0, ("NVLink bridge", 600.0),
              (5.98 / 2.0, "seed: 2×H100 PCIe $5.98/h", "2025"),
              "https://www.nvidia.com/en-us/data-center/h100/ (datasheet, sparse ÷ 2)"),
            g("h100-nvl", "NVIDIA H100 NVL 94GB", 94 * GIB, 3.9, 835.5, 1670.5, 1670.5, ("NVLink bridge", 600.0),
              (3.50, UNVERIFIED, "2025"),
              "https://www.nvidia.com/en-us/data-center/h100/ (datasheet, sparse ÷ 2)"),
            g("h200", "NVIDIA H200 SXM 141GB", 143_771 * MIB, 4.8, 989.4, 1978.9, 1978.9, ("NVLink 4", 900.0),
              (3.80, UNVERIFIED, "2025"),
              "https://www.nvidia.com/en-us/data-center/h200/ (datasheet, sparse ÷ 2; memory as nvidia-smi reports)"),
            g("b200", "NVIDIA B200 180GB", 183_359 * MIB, 8.0, 2250.0, 4500.0, 4500.0, ("NVLink 5", 1800.0),
              (5.99, UNVERIFIED, "2025"),
              "https://www.nvidia.com/en-us/data-center/hgx/ (HGX B200 8-GPU figures ÷ 8, sparse ÷ 2)"),
            g("a100-80gb", "NVIDIA A100 SXM 80GB", 80 * GIB, 2.039, 312.0, 0.0, 624.0, ("NVLink 3", 600.0),
              (1.79, UNVERIFIED, "2025"),
              "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf"),
            g("a100-40gb", "NVIDIA A100 SXM 40GB", 40 * GIB, 1.555, 312.0, 0.0, 624.0, ("NVLink 3", 600.0),
              (1.29, UNVERIFIED, "2025"),
              "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf"),
            g("l40s", "NVIDIA L40S 48GB", 48 * GIB, 0.864, 362.05, 733.0, 733.0, ("PCIe 4.0 x16", 64.0),
              (0.99, UNVERIFIED, "2025"),
              "https://www.nvidia.com/en-us/data-center/l40s/ (datasheet, sparse ÷ 2)"),
            g("l40", "NVIDIA L40 48GB", 48 * GIB, 0.864, 181.05, 362.1, 362.1, ("PCIe 4.0 x16", 64.0),
              (3.96 / 4.0, "seed: 4×L40 $3.96/h", "2025"),
              "https://www.nvidia.com/en-us/data-center/l40/ (datasheet, sparse ÷ 2)"),
            g("rtx-a6000", "NVIDIA RTX A6000 48GB", 48 * GIB, 0.768, 154.8, 0.0, 309.7, ("NVLink bridge", 112.5),
              (2.50 / 4.0, "seed: 4×A6000 $2.50/h", "2025"),
              "https://www.nvidia.com/en-us/design-visualization/rtx-a6000/ (datasheet, sparse ÷ 2)"),
            g("a30", "NVIDIA A30 24GB", 24 * GIB, 0.933, 165.0, 0.0, 330.0, ("NVLink bridge", 200.0),
              (2.00 / 8.0, "seed: 8×A30 $2.00/h", "2025"),
              "https://www.nvidia.com/en-us/data-center/products/a30-gpu/ (datasheet, sparse ÷ 2)"),
            g("v100s", "NVIDIA V100S PCIe 32GB", 32 * GIB, 1.134, 130.0, 0.0, 0.0, ("PCIe 3.0 x16", 32.0),
              (1.91 / 2.0, "seed: 2×V100S $1.91/h", "2025"),
              "https://images.nvidia.com/content/technologies/volta/pdf/volta-v100-datasheet-update-us-1165301-r5.pdf (fp16 tensor; no bf16/int8 tensor cores)"),
            g("rtx-4090", "NVIDIA GeForce RTX 4090 24GB", 24 * GIB, 1.008, 165.2, 330.3, 660.6, ("PCIe 4.0 x16", 64.0),
              (0.69, UNVERIFIED, "2025"),
              "NVIDIA Ada Lovelace architecture whitepaper (fp32-accumulate rates, dense)"),
            g("rtx-5090", "NVIDIA GeForce RTX 5090 32GB", 32 * GIB, 1.792, 209.5, 419.0, 838.0, ("PCIe 5.0 x16", 128.0),
              (0.89, UNVERIFIED, "2025"),
              "NVIDIA RTX Blackwell GPU architecture whitepaper (fp32-accumulate rates, dense) [unverified]"),
            g("mi300x", "AMD Instinct MI300X 192GB", 192 * GIB, 5.3, 1307.4, 2614.9, 2614.9, ("Infinity Fabric", 896.0),
              (2.49, UNVERIFIED, "2025"),
              "https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html (dense)"),
            g("mi325x", "AMD Instinct MI325X 256GB", 256 * GIB, 6.0, 1307.4, 2614.9, 2614.9, ("Infinity Fabric", 896.0),
              (2.99, UNVERIFIED, "2025"),
              "https://www.amd.com/en/products/accelerators/instinct/mi300/mi325x.html (dense)"),
            g("l4", "NVIDIA L4 24GB", 24 * GIB, 0.3, 121.0, 242.5, 242.5, ("PCIe 4.0 x16", 64.0),
              (0.71, UNVERIFIED, "2025"),
              "https://www.nvidia.com/en-us/data-center/l4/ (datasheet, sparse ÷ 2)"),
            g("a10", "NVIDIA A10 24GB", 24 * GIB, 0.6, 125.0, 0.0, 250.0, ("PCIe 4.0 x16", 64.0),
              (0.75, UNVERIFIED, "2025"),
              "https://www.nvidia.com/en-us/data-center/products/a10-gpu/ (datasheet, sparse ÷ 2)"),
        ]
    })
}

/// Look a GPU up by catalog id (case-insensitive).
pub fn gpu(id: &str) -> Option<&'static Gpu> {
    let id = id.trim();
    gpus().iter().find(|g| g.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_has_required_ids() {
        for id in [
            "h100-sxm",
            "h100-pcie",
            "h200",
            "b200",
            "a100-80gb",
            "a100-40gb",
            "l40s",
            "l40",
            "rtx-a6000",
            "a30",
            "v100s",
            "rtx-4090",
            "rtx-5090",
            "mi300x",
            "l4",
        ] {
            assert!(gpu(id).is_some(), "{id}");
        }
        assert!(gpus().len() >= 15);
        assert!((gpu("h100-sxm").unwrap().price_per_hour - 4.1875).abs() < 1e-9);
    }
}
