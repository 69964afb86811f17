//! The calculator's link: the calculator's whole input, [`Scenario`], as readable parameters
//! (`model`, `weights`, `kv`, `ctx`, `users`, `batch_tokens`, `gpu`, `gpus`, `tp`, `pp`,
//! `engine`, `util`, `price`, `hours`, `per_stream`, plus `input`, `output`, `eff`, `block`,
//! `graphs` — CUDA-graph memory in MiB).

use inferlab_calc::{gpu, model, Engine, KvPrecision, Scenario, WeightPrecision};

use crate::{QueryReader, QueryState, QueryWriter};

/// The `model` value meaning "the config.json pasted on the page" (a link cannot carry it).
pub const PASTED_MODEL: &str = "custom";

/// Whether `id` can name a model: a catalog id, [`PASTED_MODEL`], or a Hugging Face repo id
/// (`owner/name`) whose `config.json` the app fetches.
pub fn is_model_ref(id: &str) -> bool {
    if model(id).is_some() || id == PASTED_MODEL {
        return true;
    }
    let mut parts = id.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p.len() <= 96
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

fn choices<T: Copy>(all: &[T], id: impl Fn(T) -> &'static str) -> Vec<(&'static str, T)> {
    all.iter().map(|&t| (id(t), t)).collect()
}

impl QueryState for Scenario {
    fn read(r: &mut QueryReader) -> Self {
        let d = Scenario::default();
        let model_id = match r.text("model") {
            Some(m) if is_model_ref(m.trim()) => m.trim().to_owned(),
            Some(m) => {
                r.invalid(
                    "model",
                    &m,
                    "a catalog id such as llama-3.1-8b, or a Hub repo id owner/name",
                );
                d.model_id.clone()
            }
            None => d.model_id.clone(),
        };
        let gpu_id = match r.text("gpu") {
            Some(g) if gpu(g.trim()).is_some() => g.trim().to_owned(),
            Some(g) => {
                r.invalid("gpu", &g, "a catalog GPU id such as h100-sxm");
                d.gpu_id.clone()
            }
            None => d.gpu_id.clone(),
        };
        Scenario {
            model_id,
            weights: r.choice(
                "weights",
                d.weights,
                &choices(WeightPrecision::ALL, WeightPrecision::id),
            ),
            kv: r.choice("kv", d.kv, &choices(KvPrecision::ALL, KvPrecision::id)),
            ctx: r.number("ctx", d.ctx, 1..=100_000_000),
            users: r.number("users", d.users, 1..=1_000_000),
            batch_tokens: r.optional_number("batch_tokens", 1..=100_000_000),
            input_tokens: r.number("input", d.input_tokens, 1..=100_000_000),
            output_tokens: r.number("output", d.output_tokens, 1..=100_000_000),
            gpu_id,
            gpus: r.number("gpus", d.gpus, 1..=100_000),
            tp: r.number("tp", d.tp, 1..=1024),
            pp: r.number("pp", d.pp, 1..=1024),
            engine: r.choice("engine", d.engine, &choices(Engine::ALL, Engine::id)),
            util: r.optional_number("util", 0.01..=1.0),
            price_per_gpu_hour: r.optional_number("price", 0.0..=100_000.0),
            hours_per_month: r.number("hours", d.hours_per_month, 1.0..=744.0),
            per_stream: r.number("per_stream", d.per_stream, 0.01..=100_000.0),
            efficiency: r.number("eff", d.efficiency, 0.01..=1.0),
            block_size: r.optional_number("block", 1..=4096),
            cuda_graph_reserve: r
                .optional_number::<u64>("graphs", 0..=1024 * 1024)
                .map(|mib| mib << 20),
            ..d
        }
    }

    fn write(&self, w: &mut QueryWriter) {
        let d = Scenario::default();
        w.put_if("model", &self.model_id, &d.model_id);
        w.put_if("weights", &self.weights.id(), &d.weights.id());
        w.put_if("kv", &self.kv.id(), &d.kv.id());
        w.put_if("ctx", &self.ctx, &d.ctx);
        w.put_if("users", &self.users, &d.users);
        w.put_opt("batch_tokens", &self.batch_tokens);
        w.put_if("input", &self.input_tokens, &d.input_tokens);
        w.put_if("output", &self.output_tokens, &d.output_tokens);
        w.put_if("gpu", &self.gpu_id, &d.gpu_id);
        w.put_if("gpus", &self.gpus, &d.gpus);
        w.put_if("tp", &self.tp, &d.tp);
        w.put_if("pp", &self.pp, &d.pp);
        w.put_if("engine", &self.engine.id(), &d.engine.id());
        w.put_opt("util", &self.util);
        w.put_opt("price", &self.price_per_gpu_hour);
        w.put_if("hours", &self.hours_per_month, &d.hours_per_month);
        w.put_if("per_stream", &self.per_stream, &d.per_stream);
        w.put_if("eff", &self.efficiency, &d.efficiency);
        w.put_opt("block", &self.block_size);
        w.put_opt("graphs", &self.cuda_graph_reserve.map(|b| b >> 20));
    }
}
