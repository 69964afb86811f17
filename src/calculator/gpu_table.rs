//! Every catalog GPU for the current model and workload: minimum GPUs and cost, sortable.

use inferlab_calc::{gpu, GpuRow};
use leptos::prelude::*;

use super::format;

#[derive(Clone, Copy, PartialEq, Eq)]
enum SortKey {
    Name,
    Memory,
    MinGpus,
    PerHour,
}

/// The sortable GPU table; clicking a row's GPU selects it.
#[component]
pub fn GpuTable(
    #[prop(into)] rows: Signal<Vec<GpuRow>>,
    on_pick: Callback<(String, u32)>,
) -> impl IntoView {
    let sort = RwSignal::new((SortKey::PerHour, true));
    let sorted = Memo::new(move |_| {
        let (key, asc) = sort.get();
        let mut rows = rows.get();
        rows.sort_by(|a, b| {
            let ord = match key {
                SortKey::Name => a.gpu_id.cmp(&b.gpu_id),
                SortKey::Memory => mem(a).cmp(&mem(b)),
                SortKey::MinGpus => a
                    .min_gpus
                    .unwrap_or(u32::MAX)
                    .cmp(&b.min_gpus.unwrap_or(u32::MAX)),
                SortKey::PerHour => {
                    let ca = if a.min_gpus.is_some() {
                        a.cost_per_hour
                    } else {
                        f64::INFINITY
                    };
                    let cb = if b.min_gpus.is_some() {
                        b.cost_per_hour
                    } else {
                        f64::INFINITY
                    };
                    ca.total_cmp(&cb)
                }
            };
            if asc {
                ord
            } else {
                ord.reverse()
            }
        });
        rows
    });
    let header = move |key: SortKey, label: &'static str, num: bool| {
        let aria = move || match sort.get() {
            (k, true) if k == key => "ascending",
            (k, false) if k == key => "descending",
            _ => "none",
        };
        view! {
            <th class:num=num aria-sort=aria>
                <button
                    type="button"
                    class="sort"
                    data-testid=format!("sort-{}", label.to_lowercase().replace([' ', '/'], "-"))
                    on:click=move |_| sort.update(|(k, asc)| if *k == key { *asc = !*asc } else { *k = key; *asc = true })
                >
                    {label}
                </button>
            </th>
        }
    };
    view! {
        <div class="table-wrap">
            <table class="gpu-table" data-testid="gpu-table">
                <thead>
                    <tr>
                        {header(SortKey::Name, "GPU", false)}
                        {header(SortKey::Memory, "Memory", true)}
                        {header(SortKey::MinGpus, "Min GPUs", true)}
                        {header(SortKey::PerHour, "$/hour", true)}
                        <th class="num">"$/month"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        sorted
                            .get()
                            .into_iter()
                            .map(|r| {
                                let name = gpu(&r.gpu_id).map(|g| g.name.clone()).unwrap_or_else(|| r.gpu_id.clone());
                                let id = r.gpu_id.clone();
                                let n = r.min_gpus;
                                let month = r.cost_per_month;
                                view! {
                                    <tr data-gpu=r.gpu_id.clone() data-min-gpus=n.map(|n| n.to_string()).unwrap_or_default()>
                                        <td>
                                            <button
                                                type="button"
                                                class="link"
                                                disabled=n.is_none()
                                                on:click=move |_| on_pick.run((id.clone(), n.unwrap_or(1)))
                                            >
                                                {name}
                                            </button>
                                        </td>
                                        <td class="num">{format::bytes(mem(&r))}</td>
                                        <td class="num">{n.map(|n| format!("{n}{}", if r.pp > 1 { format!(" (tp {} × pp {})", r.tp, r.pp) } else { String::new() })).unwrap_or_else(|| "does not fit".into())}</td>
                                        <td class="num">{n.map(|_| format::usd(r.cost_per_hour)).unwrap_or_default()}</td>
                                        <td class="num">{n.map(|_| format::usd(month)).unwrap_or_default()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
    }
}

fn mem(r: &GpuRow) -> u64 {
    gpu(&r.gpu_id).map_or(0, |g| g.memory_bytes)
}
