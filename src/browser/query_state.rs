//! A tool's state kept in the URL query: the URL is the single source of truth, the state is
//! a memo derived from it, and edits replace the history entry without scrolling.

use inferlab_share::{decode, encode, Problem, QueryState};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

/// Read and write access to one tool's URL state.
pub struct QueryStateHandle<S: Send + Sync + 'static> {
    /// The state decoded from the current URL (defaults where the link had none or bad ones).
    pub state: Memo<S>,
    /// What was wrong with the link the page was opened with (shown until dismissed).
    pub problems: RwSignal<Vec<Problem>>,
    set: Callback<S>,
}

impl<S: Send + Sync + 'static> Clone for QueryStateHandle<S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S: Send + Sync + 'static> Copy for QueryStateHandle<S> {}

impl<S> QueryStateHandle<S>
where
    S: QueryState + Clone + PartialEq + Send + Sync + 'static,
{
    /// Replaces the whole state (one history entry replaced, no scroll).
    pub fn set(&self, state: S) {
        self.set.run(state);
    }

    /// Changes part of the state.
    pub fn update(&self, f: impl FnOnce(&mut S)) {
        let mut s = self.state.get_untracked();
        f(&mut s);
        if s != self.state.get_untracked() {
            self.set(s);
        }
    }
}

/// Binds `S` to the query string of the current route.
pub fn use_query_state<S>() -> QueryStateHandle<S>
where
    S: QueryState + Clone + PartialEq + Send + Sync + 'static,
{
    let location = use_location();
    let search = location.search;
    let pathname = location.pathname;
    let decoded = Memo::new(move |_| search.with(|q| decode::<S>(q)));
    let state = Memo::new(move |_| decoded.with(|d| d.state.clone()));
    let problems = RwSignal::new(decoded.with_untracked(|d| d.problems.clone()));
    let navigate = use_navigate();
    let set = Callback::new(move |s: S| {
        let query = encode(&s);
        let path = pathname.get_untracked();
        let target = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        navigate(
            &target,
            NavigateOptions {
                resolve: false,
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });
    QueryStateHandle {
        state,
        problems,
        set,
    }
}
