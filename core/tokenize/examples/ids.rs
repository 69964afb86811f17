//! Prints the ids (add_special_tokens = false) of each text in a JSON array, as a JSON array
//! of arrays: used to hunt fancy-regex vs Oniguruma differences against Python `tokenizers`.
//!
//! `cargo run -p inferlab-tokenize --release --example ids -- TOKENIZER_DIR TEXTS.json > OUT.json`

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(texts)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: ids TOKENIZER_DIR TEXTS.json");
        return ExitCode::FAILURE;
    };
    let run = || -> Result<String, Box<dyn std::error::Error>> {
        let dir = std::path::Path::new(dir);
        let tj = std::fs::read(dir.join("tokenizer.json"))?;
        let engine = inferlab_tokenize::Engine::load(&tj, None)?;
        let texts: Vec<String> = serde_json::from_slice(&std::fs::read(texts)?)?;
        let out: Result<Vec<Vec<u32>>, _> = texts.iter().map(|t| engine.ids(t, false)).collect();
        Ok(serde_json::to_string(&out?)?)
    };
    match run() {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
