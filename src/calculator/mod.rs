//! The sizing & cost calculator: the form writes the URL, the URL decodes to a `Scenario`,
//! and every number below is a memo of `inferlab_calc::evaluate`.

pub(crate) mod format;
mod gpu_table;
mod memory_chart;
mod model_source;
mod results;

use inferlab_calc::{
    evaluate, gpu, gpu_table, gpus, models, presets, Engine, KvPrecision, Scenario, WeightPrecision,
};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::{CopyLink, HubTokenField, NumberField, QueryNotice, SelectField};
use crate::browser::query_state::use_query_state;
use gpu_table::GpuTable;
use memory_chart::MemoryChart;
use model_source::{ArchState, ModelSource, PASTED};
use results::Results;

/// `/calculator`.
#[component]
pub fn CalculatorPage() -> impl IntoView {
    let q = use_query_state::<Scenario>();
    let s = q.state;
    let source = ModelSource::new();

    // Hub repo ids are fetched when they appear in the state (typed, or from a link).
    Effect::new(move |_| {
        let id = s.with(|s| s.model_id.clone());
        if inferlab_calc::model(&id).is_none() && id != PASTED {
            source.fetch(id, false);
        }
    });
    let arch = Memo::new(move |_| s.with(|s| source.resolve(&s.model_id)));
    let report = Memo::new(move |_| {
        let s = s.get();
        match (arch.get(), gpu(&s.gpu_id)) {
            (ArchState::Ready(a), Some(g)) => Some(evaluate(&s, &a, g)),
            _ => None,
        }
    });
    let table = Memo::new(move |_| match arch.get() {
        ArchState::Ready(a) => gpu_table(&s.get(), &a),
        _ => Vec::new(),
    });

    // Field helpers: text of a value, and a callback parsing typed text into the state.
    let num = move |f: fn(&Scenario) -> String| Signal::derive(move || s.with(f));
    let set_u64 = move |f: fn(&mut Scenario, u64)| {
        Callback::new(move |v: String| {
            if let Ok(n) = v.trim().parse::<u64>() {
                if n > 0 {
                    q.update(|s| f(s, n));
                }
            }
        })
    };
    let set_f64 = move |f: fn(&mut Scenario, f64), lo: f64, hi: f64| {
        Callback::new(move |v: String| {
            if let Ok(x) = v.trim().parse::<f64>() {
                if x.is_finite() && (lo..=hi).contains(&x) {
                    q.update(|s| f(s, x));
                }
            }
        })
    };
    let set_opt_f64 = move |f: fn(&mut Scenario, Option<f64>), lo: f64, hi: f64| {
        Callback::new(move |v: String| {
            let v = v.trim();
            if v.is_empty() {
                q.update(|s| f(s, None));
            } else if let Ok(x) = v.parse::<f64>() {
                if x.is_finite() && (lo..=hi).contains(&x) {
                    q.update(|s| f(s, Some(x)));
                }
            }
        })
    };

    let model_options: Vec<(String, String)> = models()
        .iter()
        .map(|m| (m.id.to_string(), m.name.to_string()))
        .chain([(PASTED.to_string(), "Pasted config.json…".to_string())])
        .collect();
    let gpu_options: Vec<(String, String)> = gpus()
        .iter()
        .map(|g| (g.id.clone(), g.name.clone()))
        .collect();
    let weight_options = WeightPrecision::ALL
        .iter()
        .map(|w| (w.id().to_string(), w.label().to_string()))
        .collect::<Vec<_>>();
    let kv_options = KvPrecision::ALL
        .iter()
        .map(|k| (k.id().to_string(), k.label().to_string()))
        .collect::<Vec<_>>();
    let engine_options = Engine::ALL
        .iter()
        .map(|e| (e.id().to_string(), e.label().to_string()))
        .collect::<Vec<_>>();
    let hub_input = RwSignal::new(String::new());

    view! {
        <Title text="Sizing & cost · InferLab" />
        <section class="page calculator">
            <div class="page-head">
                <div>
                    <h1>"Sizing & cost"</h1>
                    <p>
                        "GPU memory, fit, speed and cost for serving a model: exact KV cache for GQA, MLA, sliding-window and MoE models, with each engine's memory rules."
                    </p>
                </div>
                <CopyLink />
            </div>
            <QueryNotice problems=q.problems />
            <div class="calc-grid">
                <form class="card calc-form" on:submit=|ev| ev.prevent_default()>
                    <fieldset>
                        <legend>"Model"</legend>
                        <SelectField
                            id="model"
                            label="Catalog model"
                            options=model_options
                            value=Signal::derive(move || {
                                let id = s.with(|s| s.model_id.clone());
                                if inferlab_calc::model(&id).is_some() || id == PASTED { id } else { String::new() }
                            })
                            on_value=Callback::new(move |v: String| q.update(|s| s.model_id = v))
                        />
                        <div class="field hub">
                            <label for="hub-repo">"…or a Hugging Face repo id"</label>
                            <div class="row">
                                <input
                                    id="hub-repo"
                                    type="text"
                                    placeholder="owner/name, e.g. Qwen/Qwen3-8B"
                                    prop:value=move || {
                                        let id = s.with(|s| s.model_id.clone());
                                        if inferlab_calc::model(&id).is_none() && id != PASTED { id } else { hub_input.get() }
                                    }
                                    on:input=move |ev| hub_input.set(event_target_value(&ev))
                                    on:keydown=move |ev| {
                                        if ev.key() == "Enter" {
                                            ev.prevent_default();
                                            let v = hub_input.get_untracked().trim().to_owned();
                                            if inferlab_share::calculator::is_model_ref(&v) {
                                                source.fetch(v.clone(), true);
                                                q.update(|s| s.model_id = v);
                                            }
                                        }
                                    }
                                />
                                <button
                                    type="button"
                                    data-testid="hub-load"
                                    on:click=move |_| {
                                        let v = hub_input.get_untracked().trim().to_owned();
                                        if inferlab_share::calculator::is_model_ref(&v) {
                                            source.fetch(v.clone(), true);
                                            q.update(|s| s.model_id = v);
                                        }
                                    }
                                >
                                    "Load"
                                </button>
                            </div>
                            <HubTokenField hub=source.hub id="hf-token" />
                        </div>
                        {move || (s.with(|s| s.model_id == PASTED)).then(|| view! { <PasteConfig source=source /> })}
                        {move || match arch.get() {
                            ArchState::Loading => Some(view! { <p class="status loading" role="status">"Fetching config.json from the Hub…"</p> }.into_any()),
                            ArchState::Failed(e) => {
                                let id = s.with_untracked(|s| s.model_id.clone());
                                let fetched = source.fetched_text(&id);
                                Some(view! {
                                    <p class="status error" role="alert" data-testid="model-error">
                                        {e}
                                        {fetched.map(|text| view! {
                                            " "
                                            <button type="button" class="link" on:click=move |_| {
                                                source.pasted_text.set(text.clone());
                                                q.update(|s| s.model_id = PASTED.to_string());
                                            }>"Edit this config.json"</button>
                                        })}
                                    </p>
                                }.into_any())
                            }
                            ArchState::Ready(_) => None,
                        }}
                    </fieldset>
                    <fieldset>
                        <legend>"Precision"</legend>
                        <SelectField id="weights" label="Weights" options=weight_options value=Signal::derive(move || s.with(|s| s.weights.id().to_string())) on_value=Callback::new(move |v: String| if let Ok(w) = v.parse() { q.update(|s| s.weights = w) }) />
                        <SelectField id="kv" label="KV cache" options=kv_options value=Signal::derive(move || s.with(|s| s.kv.id().to_string())) on_value=Callback::new(move |v: String| if let Ok(k) = v.parse() { q.update(|s| s.kv = k) }) />
                    </fieldset>
                    <fieldset>
                        <legend>"Workload"</legend>
                        <NumberField id="ctx" label="Context length (tokens)" value=num(|s| s.ctx.to_string()) on_value=set_u64(|s, n| s.ctx = n) step="1" />
                        <NumberField id="users" label="Concurrent sequences" value=num(|s| s.users.to_string()) on_value=set_u64(|s, n| s.users = n) step="1" />
                        <NumberField id="input" label="Prompt tokens per request" value=num(|s| s.input_tokens.to_string()) on_value=set_u64(|s, n| s.input_tokens = n) step="1" />
                        <NumberField id="output" label="Output tokens per request" value=num(|s| s.output_tokens.to_string()) on_value=set_u64(|s, n| s.output_tokens = n) step="1" />
                        <NumberField id="batch_tokens" label="Batched tokens per step" value=num(|s| s.batch_tokens.map(|b| b.to_string()).unwrap_or_default()) on_value=Callback::new(move |v: String| { let v = v.trim().to_owned(); if v.is_empty() { q.update(|s| s.batch_tokens = None) } else if let Ok(n) = v.parse::<u64>() { if n > 0 { q.update(|s| s.batch_tokens = Some(n)) } } }) placeholder="engine default" step="1" />
                    </fieldset>
                    <fieldset>
                        <legend>"Hardware & engine"</legend>
                        <SelectField id="gpu" label="GPU" options=gpu_options value=Signal::derive(move || s.with(|s| s.gpu_id.clone())) on_value=Callback::new(move |v: String| q.update(|s| s.gpu_id = v)) />
                        <p class="muted small gpu-facts" data-testid="gpu-facts">
                            {move || gpu(&s.with(|s| s.gpu_id.clone())).map(|g| {
                                let fp8 = if g.fp8_tflops > 0.0 { format!(", {:.0} fp8", g.fp8_tflops) } else { String::new() };
                                format!(
                                    "{:.0} GB, {:.2} TB/s, {:.0} bf16{fp8} dense TFLOPS, {} {:.0} GB/s",
                                    g.memory_bytes as f64 / 1e9,
                                    g.bandwidth_bytes_per_s / 1e12,
                                    g.bf16_tflops,
                                    g.interconnect.name,
                                    g.interconnect.gb_per_s,
                                )
                            })}
                        </p>
                        <div class="row3">
                            <NumberField id="gpus" label="GPUs" value=num(|s| s.gpus.to_string()) on_value=set_u64(|s, n| s.gpus = n.min(100_000) as u32) step="1" />
                            <NumberField id="tp" label="Tensor parallel" value=num(|s| s.tp.to_string()) on_value=set_u64(|s, n| s.tp = n.min(1024) as u32) step="1" />
                            <NumberField id="pp" label="Pipeline parallel" value=num(|s| s.pp.to_string()) on_value=set_u64(|s, n| s.pp = n.min(1024) as u32) step="1" />
                        </div>
                        <SelectField id="engine" label="Engine" options=engine_options value=Signal::derive(move || s.with(|s| s.engine.id().to_string())) on_value=Callback::new(move |v: String| if let Ok(e) = v.parse() { q.update(|s| s.engine = e) }) />
                        <NumberField id="util" label="Memory fraction" value=num(|s| s.util.map(|u| u.to_string()).unwrap_or_default()) on_value=set_opt_f64(|s, u| s.util = u, 0.01, 1.0) placeholder="engine default" step="0.01" hint="vLLM gpu_memory_utilization, SGLang mem_fraction_static, TRT-LLM free_gpu_memory_fraction" />
                        <NumberField id="block" label="KV block size (tokens)" value=num(|s| s.block_size.map(|b| b.to_string()).unwrap_or_default()) on_value=Callback::new(move |v: String| { let v = v.trim().to_owned(); if v.is_empty() { q.update(|s| s.block_size = None) } else if let Ok(n) = v.parse::<u32>() { if (1..=4096).contains(&n) { q.update(|s| s.block_size = Some(n)) } } }) placeholder="engine default" step="1" />
                        <NumberField id="graphs" label="CUDA-graph memory (MiB)" value=num(|s| s.cuda_graph_reserve.map(|b| (b >> 20).to_string()).unwrap_or_default()) on_value=Callback::new(move |v: String| { let v = v.trim().to_owned(); if v.is_empty() { q.update(|s| s.cuda_graph_reserve = None) } else if let Ok(n) = v.parse::<u64>() { if n <= 1024 * 1024 { q.update(|s| s.cuda_graph_reserve = Some(n << 20)) } } }) placeholder="engine default (vLLM/SGLang 512)" step="64" />
                        <NumberField id="eff" label="Roofline efficiency" value=num(|s| s.efficiency.to_string()) on_value=set_f64(|s, x| s.efficiency = x, 0.01, 1.0) step="0.05" />
                    </fieldset>
                    <fieldset>
                        <legend>"Money"</legend>
                        <div class="field">
                            <label for="preset">"Price preset"</label>
                            <select
                                id="preset"
                                on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    if let Some(p) = inferlab_calc::preset(&v) {
                                        q.update(|s| {
                                            s.gpu_id = p.gpu_id.to_string();
                                            s.gpus = p.count;
                                            s.tp = p.count.min(8);
                                            s.price_per_gpu_hour = Some(p.total_per_hour / f64::from(p.count));
                                        });
                                    }
                                }
                            >
                                <option value="">"—"</option>
                                {presets().iter().map(|p| view! { <option value=p.id>{p.label}</option> }).collect_view()}
                            </select>
                        </div>
                        <NumberField id="price" label="$ per GPU-hour" value=Signal::derive(move || s.with(|s| s.price_per_gpu_hour.map(|p| p.to_string()).unwrap_or_default())) on_value=set_opt_f64(|s, p| s.price_per_gpu_hour = p, 0.0, 100_000.0) placeholder="GPU default" step="0.01" />
                        <div class="row3">
                            <SelectField id="hours" label="Hours / month" options=vec![("730".into(), "730 (24×365/12)".into()), ("720".into(), "720 (30 days)".into())] value=num(|s| s.hours_per_month.to_string()) on_value=set_f64(|s, h| s.hours_per_month = h, 1.0, 744.0) />
                            <NumberField id="per_stream" label="People per stream" value=num(|s| s.per_stream.to_string()) on_value=set_f64(|s, x| s.per_stream = x, 0.01, 100_000.0) step="1" hint="chat users ×10, agents ×4 (rule of thumb)" />
                        </div>
                        <p class="muted small">
                            {move || gpu(&s.with(|s| s.gpu_id.clone())).map(|g| format!("Default {} price: ${:.2}/GPU-hour ({}, {}).", g.name, g.price_per_hour, g.price_source, g.price_date))}
                        </p>
                    </fieldset>
                </form>
                <div class="calc-results">
                    {move || match report.get() {
                        Some(r) => view! {
                            <Results report=r.clone() />
                            <div class="card">
                                <h2>"Memory per GPU"</h2>
                                <MemoryChart report=r />
                            </div>
                        }.into_any(),
                        None => view! { <div class="card muted">"Pick a model to see the numbers."</div> }.into_any(),
                    }}
                    <div class="card">
                        <h2>"Every GPU for this model and workload"</h2>
                        <p class="muted small">"Fewest GPUs that fit (tensor parallel 1, 2, 4, 8; pipeline stages beyond a node), and what they cost. Click a GPU to use it."</p>
                        <GpuTable
                            rows=table
                            on_pick=Callback::new(move |(id, n): (String, u32)| q.update(|s| {
                                s.gpu_id = id;
                                s.gpus = n;
                                s.tp = n.min(8);
                                s.pp = n.div_ceil(8).max(1);
                                s.price_per_gpu_hour = None;
                            }))
                        />
                    </div>
                </div>
            </div>
        </section>
    }
}

/// The paste / upload box for a config.json; its text is kept even when invalid.
#[component]
fn PasteConfig(source: ModelSource) -> impl IntoView {
    let on_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            match text.ok().and_then(|t| t.as_string()) {
                Some(t) => source.pasted_text.set(t),
                None => source
                    .pasted_text
                    .set("(the file could not be read as text)".into()),
            }
        });
    };
    view! {
        <div class="field">
            <label for="config-json">"config.json"</label>
            <textarea
                id="config-json"
                rows="8"
                spellcheck="false"
                placeholder="{ \"hidden_size\": 4096, … }"
                prop:value=move || source.pasted_text.get()
                on:input=move |ev| source.pasted_text.set(event_target_value(&ev))
            ></textarea>
            <label for="config-file">"or upload a file"</label>
            <input id="config-file" type="file" accept=".json,application/json" data-testid="config-file" on:change=on_file />
        </div>
    }
}

/// What one input change costs: `evaluate` and the GPU table, `n` times with varying users.
pub fn bench(n: u32) -> f64 {
    let Some(perf) = web_sys::window().and_then(|w| w.performance()) else {
        return f64::NAN;
    };
    let Some(m) = inferlab_calc::model("llama-3.1-70b") else {
        return f64::NAN;
    };
    let Some(g) = gpu("h100-sxm") else {
        return f64::NAN;
    };
    let mut s = Scenario {
        model_id: m.id.into(),
        gpus: 4,
        tp: 4,
        ..Scenario::default()
    };
    let t0 = perf.now();
    for i in 0..n.max(1) {
        s.users = u64::from(1 + i % 256);
        std::hint::black_box(evaluate(&s, &m.arch, g));
        std::hint::black_box(gpu_table(&s, &m.arch));
    }
    (perf.now() - t0) / f64::from(n.max(1))
}
