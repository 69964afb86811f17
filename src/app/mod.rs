//! The app frame: router, top navigation, theme, footer, and the pieces every tool shares.

mod copy_link;
mod fields;
mod hub_token;
mod not_found;
mod query_notice;
mod theme;

pub use copy_link::CopyLink;
pub use fields::{ChoiceField, NumberField, SelectField};
pub use hub_token::{HubToken, HubTokenField};
pub use query_notice::QueryNotice;

use leptos::prelude::*;
use leptos_meta::provide_meta_context;
use leptos_router::components::{Redirect, Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::browser::base_path;
use crate::calculator::CalculatorPage;
use crate::loadtest::LoadTestPage;
use crate::tokenizer::TokenizerPage;
use not_found::NotFound;
use theme::ThemeToggle;

/// Where the source lives, for the footer.
const SOURCE_URL: &str = env!("CARGO_PKG_REPOSITORY");

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    remove_boot_message();
    let base = base_path();
    let href = {
        let base = base.clone();
        move |p: &str| format!("{base}{p}")
    };
    view! {
        <Router base=base>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="topbar">
                <a class="brand" href=href("/calculator")>
                    <img src=href("/public/favicon.svg") alt="" />
                    "InferLab"
                </a>
                <nav class="nav" aria-label="Tools">
                    <A href=href("/calculator")>"Sizing & cost"</A>
                    <A href=href("/tokenizer")>"Tokenizer"</A>
                    <A href=href("/loadtest")>"Load test"</A>
                </nav>
                <div class="topbar-actions">
                    <ThemeToggle />
                </div>
            </header>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=RootRedirect />
                    <Route path=path!("/calculator") view=CalculatorPage />
                    <Route path=path!("/tokenizer") view=TokenizerPage />
                    <Route path=path!("/loadtest") view=LoadTestPage />
                </Routes>
            </main>
            <footer class="footer">
                <span>
                    "InferLab " {env!("CARGO_PKG_VERSION")}
                    " · runs entirely in your browser; nothing you type leaves it unless you send it."
                </span>
                <a href=SOURCE_URL rel="noopener">"Source"</a>
            </footer>
        </Router>
    }
}

/// `/` shows the calculator, keeping any parameters of the link.
#[component]
fn RootRedirect() -> impl IntoView {
    let search = use_location().search.get_untracked();
    let path = if search.is_empty() {
        "/calculator".to_owned()
    } else {
        format!("/calculator?{search}")
    };
    view! { <Redirect path=path options=leptos_router::NavigateOptions { replace: true, ..Default::default() } /> }
}

/// Removes the static "Loading…" line once the app runs.
fn remove_boot_message() {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        el.remove();
    }
}
