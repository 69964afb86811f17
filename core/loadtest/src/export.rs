//! Export (JSON, CSV), import (JSON, for side-by-side comparison) and the comparison table.
//!
//! # JSON schema `inferlab.loadtest`, version 1
//!
//! ```text
//! {
//!   "schema": "inferlab.loadtest",      // constant
//!   "version": 1,                        // bumped on incompatible change
//!   "tool": "inferlab-loadtest 0.1.0",
//!   "created": "2026-01-01T00:00:00Z",   // supplied by the shell (this crate has no clock)
//!   "config": RunConfig,                 // sanitized: no API key, secret headers, URL creds
//!   "summary": Summary,                  // whole run (for a sweep: all steps together)
//!   "sweep": [SweepRow],                 // one row per sweep step / matrix cell, else []
//!   "records": [RequestRecord]           // every request, warm-ups and failures included,
//! }                                      // with all raw stamps in performance.now() ms
//! ```
//!
//! An ISL × OSL matrix is one document ([`ExportDoc::from_matrix`]): the first cell's
//! config with `workload.synthetic` cleared (`workload.matrix` lists the cells), one `sweep`
//! row per finished cell carrying its `cell` (`x` is the cell's index in the matrix), and
//! every cell's records with `step` = that index.
//!
//! Times in records are the browser's `performance.now()` values; only differences between
//! stamps of one file are meaningful.

use serde::{Deserialize, Serialize};

use crate::config::RunConfig;
use crate::record::{RequestRecord, TokenSource};
use crate::stats::Percentiles;
use crate::summary::{summarize, Summary, SweepRow};
use crate::sweep::IslOsl;

/// Schema identifier.
pub const SCHEMA: &str = "inferlab.loadtest";
/// Current schema version.
pub const VERSION: u32 = 1;

/// The exported document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportDoc {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Always [`VERSION`] when written by this version.
    pub version: u32,
    /// Producer and version.
    pub tool: String,
    /// ISO-8601 creation time from the shell.
    pub created: String,
    /// Sanitized configuration.
    pub config: RunConfig,
    /// Whole-run summary.
    pub summary: Summary,
    /// Sweep / matrix rows.
    #[serde(default)]
    pub sweep: Vec<SweepRow>,
    /// All request records.
    #[serde(default)]
    pub records: Vec<RequestRecord>,
}

impl ExportDoc {
    /// Builds a document; the config is always sanitized here, so no caller can leak a key
    /// by forgetting to.
    pub fn new(
        config: &RunConfig,
        summary: Summary,
        sweep: Vec<SweepRow>,
        records: Vec<RequestRecord>,
        created: &str,
    ) -> Self {
        Self {
            schema: SCHEMA.to_owned(),
            version: VERSION,
            tool: concat!("inferlab-loadtest ", env!("CARGO_PKG_VERSION")).to_owned(),
            created: created.to_owned(),
            config: config.sanitized(),
            summary,
            sweep,
            records,
        }
    }

    /// The whole of an ISL × OSL matrix run in one document (see the module docs), from its
    /// finished cells in matrix order; `None` when no cell finished.
    pub fn from_matrix(cells: &[MatrixCellRun], created: &str) -> Option<Self> {
        let first = cells.first()?;
        let mut config = first.config.clone();
        config.workload.synthetic = None;
        let mut records = Vec::with_capacity(cells.iter().map(|c| c.records.len()).sum());
        let mut sweep = Vec::with_capacity(cells.len());
        for c in cells {
            records.extend(c.records.iter().cloned().map(|mut r| {
                r.step = c.index;
                r
            }));
            let mut row = SweepRow::from_summary(f64::from(c.index), &c.summary);
            row.cell = Some(c.cell);
            sweep.push(row);
        }
        let summary = summarize(&records, config.slo);
        Some(Self::new(&config, summary, sweep, records, created))
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> Result<String, ExportError> {
        serde_json::to_string_pretty(self).map_err(|e| ExportError(e.to_string()))
    }
}

/// One finished cell of an ISL × OSL matrix run, as [`ExportDoc::from_matrix`] takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixCellRun {
    /// Position of the cell in the matrix (cells that could not run keep their index).
    pub index: u32,
    /// Input and output length.
    pub cell: IslOsl,
    /// The cell's own run configuration.
    pub config: RunConfig,
    /// The cell's summary, as its row in the table shows it.
    pub summary: Summary,
    /// Every request of the cell.
    pub records: Vec<RequestRecord>,
}

/// Serialization failed (only possible with non-finite numbers in odd places).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not serialize the run: {0}")]
pub struct ExportError(pub String);

/// Why an imported file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not JSON.
    #[error("not a JSON file (line {line}, column {column}): {message}")]
    NotJson {
        /// Line.
        line: usize,
        /// Column.
        column: usize,
        /// Parser message.
        message: String,
    },
    /// JSON, but not an InferLab export.
    #[error(
        "not an InferLab load-test export (schema is {}, expected \"inferlab.loadtest\")",
        schema_text(.found.as_deref())
    )]
    WrongSchema {
        /// What `schema` held.
        found: Option<String>,
    },
    /// From a newer InferLab.
    #[error(
        "export version {found} is newer than this app understands (≤ {VERSION}); update the app"
    )]
    TooNew {
        /// The file's version.
        found: u64,
    },
    /// Right schema, wrong shape.
    #[error("the export is damaged or incomplete: {0}")]
    Invalid(String),
}

/// How a found `schema` reads in a message: quoted, or "missing".
fn schema_text(found: Option<&str>) -> String {
    found.map_or_else(|| "missing".to_owned(), |s| format!("{s:?}"))
}

/// Parses an exported JSON file.
pub fn import_json(text: &str) -> Result<ExportDoc, ImportError> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| ImportError::NotJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let schema = v.get("schema").and_then(|s| s.as_str());
    if schema != Some(SCHEMA) {
        return Err(ImportError::WrongSchema {
            found: schema.map(str::to_owned),
        });
    }
    match v.get("version").and_then(|x| x.as_u64()) {
        Some(n) if n > u64::from(VERSION) => return Err(ImportError::TooNew { found: n }),
        Some(_) => {}
        None => return Err(ImportError::Invalid("missing `version`".into())),
    }
    serde_json::from_value(v).map_err(|e| ImportError::Invalid(e.to_string()))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn num(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite())
        .map(|x| format!("{}", (x * 1000.0).round() / 1000.0))
        .unwrap_or_default()
}

/// CSV header of [`records_csv`].
pub const CSV_HEADER: &str = "id,step,user,warmup,prompt_index,t_due,t_start,t_headers,\
t_first_byte,t_role,t_first_token,t_done,t_end,status,protocol,ttft_ms,ttfb_ms,tpot_ms,e2e_ms,\
output_tokens,token_source,token_chunks,events,bytes,finish_reason,error,error_message";

/// One row per request (stamps in ms, derived metrics in ms).
pub fn records_csv(records: &[RequestRecord]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for r in records {
        let (n, src) = r.output_tokens();
        let src = match src {
            TokenSource::Usage => "usage",
            TokenSource::Chunks => "chunks",
            TokenSource::Estimate => "estimate",
        };
        let cols = [
            r.id.to_string(),
            r.step.to_string(),
            r.user.to_string(),
            r.warmup.to_string(),
            r.prompt_index.to_string(),
            num(Some(r.t_due)),
            num(Some(r.t_start)),
            num(r.t_headers),
            num(r.t_first_byte),
            num(r.t_role),
            num(r.t_first_token),
            num(r.t_done),
            num(r.t_end),
            r.status.map(|s| s.to_string()).unwrap_or_default(),
            csv_field(r.protocol.as_deref().unwrap_or("")),
            num(r.ttft()),
            num(r.ttfb()),
            num(r.tpot()),
            num(r.e2e()),
            n.to_string(),
            src.to_owned(),
            r.tokens.len().to_string(),
            r.event_times.len().to_string(),
            r.bytes.to_string(),
            csv_field(r.finish_reason.as_deref().unwrap_or("")),
            r.error.as_ref().map(|e| e.label()).unwrap_or_default(),
            csv_field(r.error_message.as_deref().unwrap_or("")),
        ];
        out.push_str(&cols.join(","));
        out.push('\n');
    }
    out
}

/// The sweep table as CSV.
pub fn sweep_csv(rows: &[SweepRow]) -> String {
    let mut out = String::from(
        "x,output_tps_system,output_tps_per_user,ttft_p50_ms,ttft_p99_ms,tpot_p50_ms,\
         e2e_p50_ms,requests_per_s,goodput_rps,requests_failed\n",
    );
    for r in rows {
        let cols = [
            num(Some(r.x)),
            num(Some(r.output_tps_system)),
            num(Some(r.output_tps_per_user)),
            num(r.ttft_p50_ms),
            num(r.ttft_p99_ms),
            num(r.tpot_p50_ms),
            num(r.e2e_p50_ms),
            num(Some(r.requests_per_s)),
            num(r.goodput_rps),
            r.requests_failed.to_string(),
        ];
        out.push_str(&cols.join(","));
        out.push('\n');
    }
    out
}

/// An ISL × OSL matrix as CSV, one row per cell (the TensorRT-LLM style table); a cell that
/// did not run has empty metric columns.
pub fn matrix_csv(cells: &[(IslOsl, Option<&Summary>)]) -> String {
    let mut out = String::from(
        "isl,osl,requests_ok,requests_failed,ttft_p50_ms,ttft_p99_ms,tpot_p50_ms,itl_p50_ms,\
         e2e_p50_ms,e2e_p99_ms,output_tps_system,output_tps_per_user,requests_per_s,goodput_rps\n",
    );
    for (cell, s) in cells {
        let p = |f: fn(&Summary) -> Option<Percentiles>, q: fn(&Percentiles) -> f64| {
            num(s.and_then(f).as_ref().map(q))
        };
        let cols = [
            cell.isl.to_string(),
            cell.osl.to_string(),
            s.map(|s| s.requests_ok.to_string()).unwrap_or_default(),
            s.map(|s| s.requests_failed.to_string()).unwrap_or_default(),
            p(|s| s.ttft_ms, |p| p.p50),
            p(|s| s.ttft_ms, |p| p.p99),
            p(|s| s.tpot_ms, |p| p.p50),
            p(|s| s.itl_ms, |p| p.p50),
            p(|s| s.e2e_ms, |p| p.p50),
            p(|s| s.e2e_ms, |p| p.p99),
            num(s.map(|s| s.output_tps_system)),
            num(s.map(|s| s.output_tps_per_user)),
            num(s.map(|s| s.requests_per_s)),
            num(s.and_then(|s| s.goodput_rps)),
        ];
        out.push_str(&cols.join(","));
        out.push('\n');
    }
    out
}

/// One line of the comparison table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffRow {
    /// Metric name, e.g. `TTFT p50`.
    pub metric: String,
    /// Unit (`ms`, `tok/s`, `req/s`, `count`).
    pub unit: String,
    /// Value in run A.
    pub a: Option<f64>,
    /// Value in run B.
    pub b: Option<f64>,
    /// (B − A)/A in percent.
    pub delta_pct: Option<f64>,
    /// Whether B is better than A (lower latency, higher throughput); `None` if equal/unknown.
    pub b_better: Option<bool>,
}

/// Side-by-side comparison of two summaries (A = baseline).
pub fn compare(a: &Summary, b: &Summary) -> Vec<DiffRow> {
    type Get = fn(&Summary) -> Option<f64>;
    let rows: [(&str, &str, bool, Get); 14] = [
        ("TTFT p50", "ms", true, |s| s.ttft_ms.map(|p| p.p50)),
        ("TTFT p90", "ms", true, |s| s.ttft_ms.map(|p| p.p90)),
        ("TTFT p99", "ms", true, |s| s.ttft_ms.map(|p| p.p99)),
        ("TPOT p50", "ms", true, |s| s.tpot_ms.map(|p| p.p50)),
        ("ITL p50", "ms", true, |s| s.itl_ms.map(|p| p.p50)),
        ("ITL p99", "ms", true, |s| s.itl_ms.map(|p| p.p99)),
        ("E2E p50", "ms", true, |s| s.e2e_ms.map(|p| p.p50)),
        ("E2E p99", "ms", true, |s| s.e2e_ms.map(|p| p.p99)),
        ("Output tok/s (system)", "tok/s", false, |s| {
            Some(s.output_tps_system)
        }),
        ("Output tok/s (per user)", "tok/s", false, |s| {
            Some(s.output_tps_per_user)
        }),
        ("Requests/s", "req/s", false, |s| Some(s.requests_per_s)),
        ("Goodput", "req/s", false, |s| s.goodput_rps),
        ("Requests OK", "count", false, |s| {
            Some(s.requests_ok as f64)
        }),
        ("Requests failed", "count", true, |s| {
            Some(s.requests_failed as f64)
        }),
    ];
    rows.iter()
        .map(|(metric, unit, lower_better, get)| {
            let (va, vb) = (get(a), get(b));
            let delta_pct = match (va, vb) {
                (Some(x), Some(y)) if x != 0.0 => Some((y - x) / x * 100.0),
                _ => None,
            };
            let b_better = match (va, vb) {
                (Some(x), Some(y)) if x != y => Some((y < x) == *lower_better),
                _ => None,
            };
            DiffRow {
                metric: (*metric).to_owned(),
                unit: (*unit).to_owned(),
                a: va,
                b: vb,
                delta_pct,
                b_better,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::sample;
    use crate::record::{ErrorKind, TokenStamp};
    use crate::summary::{summarize, Slo};

    fn records() -> Vec<RequestRecord> {
        let mut a = RequestRecord::new(0, 10.0);
        a.t_first_byte = Some(15.0);
        a.tokens = vec![
            TokenStamp { t: 20.0, chars: 1 },
            TokenStamp { t: 30.0, chars: 1 },
        ];
        a.t_first_token = Some(20.0);
        a.t_done = Some(30.0);
        a.t_end = Some(30.0);
        let mut b = RequestRecord::new(1, 12.0);
        b.t_end = Some(13.0);
        b.fail(ErrorKind::Network, "Failed to fetch, \"CORS\"?");
        vec![a, b]
    }

    #[test]
    fn roundtrip_without_secrets() {
        let recs = records();
        let s = summarize(&recs, Slo::default());
        let doc = ExportDoc::new(&sample(), s, vec![], recs, "2026-01-01T00:00:00Z");
        let json = doc.to_json().unwrap_or_default();
        assert!(!json.contains("sk-secret"));
        assert!(!json.contains("X-Api-Key"));
        let back = import_json(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, doc);
        assert_eq!(back.summary.requests_ok, 1);
    }

    #[test]
    fn a_matrix_is_one_document_with_every_cell() {
        let cell = |index: u32, isl: u32, osl: u32| {
            let mut config = sample();
            config.workload.synthetic = Some(IslOsl { isl, osl });
            config.request.max_tokens = Some(osl);
            let recs = records();
            MatrixCellRun {
                index,
                cell: IslOsl { isl, osl },
                config,
                summary: summarize(&recs, Slo::default()),
                records: recs,
            }
        };
        assert_eq!(ExportDoc::from_matrix(&[], "t"), None);
        // Cell 1 could not run: the finished cells keep their matrix positions.
        let cells = [cell(0, 16, 4), cell(2, 32, 2)];
        let doc = ExportDoc::from_matrix(&cells, "t").unwrap_or_else(|| panic!("no doc"));
        assert_eq!(doc.config.workload.synthetic, None);
        assert_eq!(doc.config.request.max_tokens, Some(4));
        assert_eq!(doc.records.len(), 4);
        let steps: Vec<u32> = doc.records.iter().map(|r| r.step).collect();
        assert_eq!(steps, [0, 0, 2, 2]);
        let rows: Vec<_> = doc.sweep.iter().map(|r| (r.x, r.cell)).collect();
        assert_eq!(
            rows,
            [
                (0.0, Some(IslOsl { isl: 16, osl: 4 })),
                (2.0, Some(IslOsl { isl: 32, osl: 2 }))
            ]
        );
        assert_eq!(doc.summary.requests_ok, 2);
        assert_eq!(doc.summary.requests_failed, 2);
        assert!(!doc.to_json().unwrap_or_default().contains("sk-secret"));
        // It reads back; a plain sweep row writes no `cell` and reads back as before.
        let json = doc.to_json().unwrap_or_default();
        assert_eq!(import_json(&json).ok(), Some(doc.clone()));
        let row = SweepRow::from_summary(1.0, &doc.summary);
        let plain = ExportDoc::new(&sample(), doc.summary.clone(), vec![row], vec![], "t");
        let json = plain.to_json().unwrap_or_default();
        assert!(!json.contains("\"cell\""));
        assert_eq!(import_json(&json).ok(), Some(plain));
    }

    #[test]
    fn import_errors() {
        assert!(matches!(
            import_json("{"),
            Err(ImportError::NotJson { line: 1, .. })
        ));
        assert_eq!(
            import_json("{\"schema\":\"other\"}"),
            Err(ImportError::WrongSchema {
                found: Some("other".into())
            })
        );
        assert_eq!(
            import_json("{\"schema\":\"inferlab.loadtest\",\"version\":9}"),
            Err(ImportError::TooNew { found: 9 })
        );
        let msg = |t: &str| {
            import_json(t)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            msg("{\"schema\":\"other\"}"),
            "not an InferLab load-test export (schema is \"other\", expected \"inferlab.loadtest\")"
        );
        assert!(msg("[1]").contains("schema is missing"));
        assert!(matches!(
            import_json("{\"schema\":\"inferlab.loadtest\",\"version\":1}"),
            Err(ImportError::Invalid(_))
        ));
    }

    #[test]
    fn csv_rows_and_escaping() {
        let csv = records_csv(&records());
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        let ncols = CSV_HEADER.split(',').count();
        assert_eq!(lines[1].split(',').count(), ncols);
        assert!(lines[1].contains(",10,10,")); // ttft 10, ttfb 5 … e2e 20
        assert!(lines[2].ends_with("network,\"Failed to fetch, \"\"CORS\"\"?\""));
    }

    #[test]
    fn compare_direction() {
        let a = summarize(&records(), Slo::default());
        let mut b = a.clone();
        b.output_tps_system *= 2.0;
        let rows = compare(&a, &b);
        let tps = rows
            .iter()
            .find(|r| r.metric == "Output tok/s (system)")
            .cloned()
            .unwrap_or_else(|| panic!());
        assert_eq!(tps.delta_pct, Some(100.0));
        assert_eq!(tps.b_better, Some(true));
        assert_eq!(rows[0].b_better, None);
    }

    #[test]
    fn matrix_csv_has_a_row_per_cell() {
        let s = summarize(&records(), Slo::default());
        let cells = [
            (
                IslOsl {
                    isl: 2048,
                    osl: 128,
                },
                Some(&s),
            ),
            (
                IslOsl {
                    isl: 32768,
                    osl: 2048,
                },
                None,
            ),
        ];
        let csv = matrix_csv(&cells);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        let cols = |l: &str| l.split(',').count();
        assert_eq!(cols(lines[1]), cols(lines[0]));
        assert_eq!(cols(lines[2]), cols(lines[0]));
        assert!(lines[1].starts_with("2048,128,1,1,10,"), "{}", lines[1]);
        assert!(lines[2].starts_with("32768,2048,,,"));
    }
}
