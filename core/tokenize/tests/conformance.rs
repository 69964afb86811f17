//! Ids from this crate (fancy-regex build) against the Python `tokenizers` reference
//! (Oniguruma), for every fixture tokenizer and corpus case in `fixtures/expected_ids.json`.
//! Differences documented in `fixtures/known_differences.json` (see KNOWN_DIFFERENCES.md)
//! are expected explicitly: the crate must produce exactly the documented ids.

mod common;

use serde_json::Value;

fn read_json(name: &str) -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_slice(&bytes).expect("fixture json")
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array()
        .expect("ids array")
        .iter()
        .map(|x| u32::try_from(x.as_u64().expect("id")).expect("u32 id"))
        .collect()
}

#[test]
fn ids_match_python_tokenizers() {
    let expected = read_json("expected_ids.json");
    let known = read_json("known_differences.json");
    let known = known.as_array().expect("known differences array");
    let mut failures = Vec::new();
    let mut table = Vec::new();
    let mut missing = Vec::new();
    for (tok_id, entry) in expected.as_object().expect("object") {
        if tok_id.starts_with('_') {
            continue;
        }
        let Some(engine) = common::load(tok_id) else {
            missing.push(tok_id.clone());
            continue;
        };
        let (mut pass, mut documented) = (0, 0);
        for (case, c) in entry["cases"].as_object().expect("cases") {
            let text = c["text"].as_str().expect("text");
            let got = engine.ids(text, false).expect("encode");
            // Offsets path must agree with the fast path.
            assert_eq!(
                engine.encode(text, false).expect("encode").ids,
                got,
                "{tok_id}/{case}"
            );
            let doc = known
                .iter()
                .find(|k| k["tokenizer"] == tok_id.as_str() && k["case"] == case.as_str());
            let want = match doc {
                Some(k) => {
                    documented += 1;
                    assert_eq!(
                        k["reference_ids"], c["ids"],
                        "{tok_id}/{case}: stale known difference"
                    );
                    ids(&k["fancy_regex_ids"])
                }
                None => ids(&c["ids"]),
            };
            if got == want {
                pass += 1;
            } else {
                failures.push(format!(
                    "{tok_id}/{case}: text {text:?}\n  reference {:?}\n  ours      {got:?}",
                    ids(&c["ids"])
                ));
            }
        }
        table.push(format!(
            "{tok_id:<18} {pass:>3} pass ({documented} documented differences) / {}",
            entry["cases"].as_object().map_or(0, |m| m.len())
        ));
    }
    println!("{}", table.join("\n"));
    if !missing.is_empty() {
        let msg = format!(
            "not tested (fixtures absent; run `python3 scripts/gen_tokenizer_expected.py --fetch`): {missing:?}"
        );
        assert!(!common::require_all(), "{msg}");
        eprintln!("{msg}");
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
