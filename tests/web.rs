//! Browser tests (wasm-bindgen-test in headless Chromium): the browser layer and the mounted
//! app, on the real DOM.
#![cfg(target_arch = "wasm32")]

use inferlab::browser::{base_path, storage};
use inferlab_calc::{evaluate, gpu, model, Scenario};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

async fn tick() {
    // Let effects, the router and the renderer run.
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50)
            .expect("timer");
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[wasm_bindgen_test]
fn storage_round_trips_and_forgets() {
    assert!(storage::set("inferlab.test", "x"));
    assert_eq!(storage::get("inferlab.test").as_deref(), Some("x"));
    storage::remove("inferlab.test");
    assert_eq!(storage::get("inferlab.test"), None);
}

#[wasm_bindgen_test]
fn base_path_has_no_trailing_slash() {
    assert!(!base_path().ends_with('/'));
}

#[wasm_bindgen_test]
async fn app_mounts_with_navigation_and_calculator() {
    leptos::mount::mount_to_body(inferlab::App);
    tick().await;
    let doc = document();
    let links = doc.query_selector_all("nav.nav a").expect("query");
    assert_eq!(links.length(), 3, "three tools in the navigation");
    // The test page is not /calculator, so the router shows "not found" or redirects; go there.
    let history = web_sys::window()
        .expect("window")
        .history()
        .expect("history");
    history
        .push_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some("/calculator?model=llama-3.1-8b&users=4"),
        )
        .expect("push");
    let _ = web_sys::window()
        .expect("window")
        .dispatch_event(&web_sys::Event::new("popstate").expect("event"));
    tick().await;
    tick().await;
    let fits = doc.query_selector("[data-testid=fits]").expect("query");
    if let Some(el) = fits {
        let v = el
            .dyn_into::<web_sys::HtmlElement>()
            .expect("element")
            .dataset()
            .get("value");
        assert_eq!(v.as_deref(), Some("true"));
    } else {
        panic!("calculator did not render its verdict");
    }
}

#[wasm_bindgen_test]
fn recompute_is_well_under_a_millisecond_in_wasm() {
    let perf = web_sys::window()
        .and_then(|w| w.performance())
        .expect("performance");
    let arch = model("deepseek-v3").expect("catalog").arch.clone();
    let g = gpu("h200").expect("catalog");
    let mut s = Scenario {
        model_id: "deepseek-v3".into(),
        gpus: 8,
        tp: 8,
        ..Scenario::default()
    };
    let n = 200;
    let t0 = perf.now();
    for i in 0..n {
        s.users = 1 + i;
        let r = evaluate(&s, &arch, g);
        assert!(r.total_bytes_per_gpu > 0);
    }
    let per = (perf.now() - t0) / n as f64;
    web_sys::console::log_1(
        &format!("evaluate: {per:.4} ms per recompute (wasm, debug build)").into(),
    );
    assert!(per < 1.0, "evaluate took {per} ms");
}
