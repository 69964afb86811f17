//! Native encode speed of this crate (fancy-regex build), for `make bench`'s native figures.
//!
//! ```text
//! python3 scripts/gen_tokenizer_expected.py --fetch --make-bench-texts /tmp/bench
//! cargo run -p inferlab-tokenize --release --example bench -- \
//!     core/tokenize/tests/fixtures/downloaded/llama3 /tmp/bench/english.txt
//! python3 scripts/gen_tokenizer_expected.py --bench /tmp/bench/english.txt   # Python reference
//! ```

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(file)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: bench TOKENIZER_DIR TEXT_FILE");
        return ExitCode::FAILURE;
    };
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let tj = std::fs::read(std::path::Path::new(dir).join("tokenizer.json"))?;
        let t0 = Instant::now();
        let engine = inferlab_tokenize::Engine::load(&tj, None)?;
        let load = t0.elapsed();
        let text = std::fs::read_to_string(file)?;
        let mut best = f64::INFINITY;
        let mut n = 0;
        for _ in 0..5 {
            let t = Instant::now();
            n = engine.ids(&text, false)?.len();
            best = best.min(t.elapsed().as_secs_f64());
        }
        let mb = text.len() as f64 / 1e6;
        println!(
            "rust tokenizers (fancy-regex): {:.2} MB/s, {:.0} tokens/s ({n} tokens, {} bytes, best of 5); load {:.0} ms ({} bytes)",
            mb / best,
            n as f64 / best,
            text.len(),
            load.as_secs_f64() * 1e3,
            tj.len()
        );
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
