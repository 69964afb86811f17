//! Times `text_param` (pack + size check) on long texts: it runs on every keystroke.
//! `cargo run -p inferlab-share --release --example pack_timing`
use std::time::Instant;

fn main() {
    let base =
        "It was the best of times, it was the worst of times; it was the age of wisdom. 12345 ";
    for kib in [8usize, 16, 48, 256] {
        let text: String = base.repeat(kib * 1024 / base.len() + 1);
        let t = Instant::now();
        let r = inferlab_share::tokenizer::text_param(&text);
        println!("{kib} KiB: {:?} -> {:?}", t.elapsed(), r.map(|v| v.len()));
        let state = inferlab_share::tokenizer::TokenizerState {
            text: text.clone(),
            ..Default::default()
        };
        let t = Instant::now();
        let q = inferlab_share::encode(&state);
        let e = t.elapsed();
        let t = Instant::now();
        let d = inferlab_share::decode::<inferlab_share::tokenizer::TokenizerState>(&q);
        println!(
            "   encode {e:?} ({} B), decode {:?} ({} problems)",
            q.len(),
            t.elapsed(),
            d.problems.len()
        );
    }
}
