//! `inferlab-testserver`: prints its base URL on the first stdout line, then serves until killed.

use std::io::Write;
use std::process::ExitCode;

use inferlab_testserver::cli::{self, Command, USAGE};
use inferlab_testserver::start;

fn main() -> ExitCode {
    let (config, threads, cert_out) = match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Run {
            config,
            threads,
            cert_out,
        }) => (*config, threads, cert_out),
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_io().enable_time();
    if let Some(n) = threads {
        rt.worker_threads(n);
    }
    let rt = match rt.build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let server = match start(config.clone()).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let (Some(path), Some(pem)) = (&cert_out, &server.cert_pem) {
            if let Err(e) = std::fs::write(path, pem) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
        // The first stdout line is the URL: tests read it to learn the port.
        let mut out = std::io::stdout().lock();
        // Then one line per extra listener (`--extra-listeners N`).
        let mut lines = std::iter::once(&server.url).chain(&server.extra_urls);
        if lines
            .try_for_each(|u| writeln!(out, "{u}"))
            .and_then(|()| out.flush())
            .is_err()
        {
            return ExitCode::FAILURE;
        }
        drop(out);
        eprintln!(
            "inferlab-testserver on {} (http2: {}, cors: {}); behaviour: {}",
            server.url,
            config.http2,
            config.cors,
            serde_json::to_string(&config.behavior).unwrap_or_default()
        );
        std::future::pending::<ExitCode>().await
    })
}
