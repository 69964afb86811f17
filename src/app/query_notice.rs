//! The notice shown when a link had parameters that could not be used.

use inferlab_share::Problem;
use leptos::prelude::*;

/// Lists what was wrong with the link, and that defaults were used; dismissible.
#[component]
pub fn QueryNotice(problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    move || {
        let list = problems.get();
        (!list.is_empty()).then(|| {
            let keys: Vec<String> = list.iter().filter_map(|p| p.key().map(str::to_owned)).collect();
            view! {
                <div class="notice" role="status" data-testid="url-notice" data-keys=keys.join(",")>
                    <div>
                        <strong>"Some settings in this link were not used; defaults apply instead."</strong>
                        <ul>{list.iter().map(|p| view! { <li>{p.to_string()}</li> }).collect_view()}</ul>
                    </div>
                    <button
                        class="dismiss"
                        type="button"
                        aria-label="Dismiss"
                        data-testid="url-notice-dismiss"
                        on:click=move |_| problems.set(Vec::new())
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}
