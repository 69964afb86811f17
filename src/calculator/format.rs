//! Number formatting for display (raw values go in `data-value`).

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Bytes as GiB/MiB/KiB with three significant figures.
pub fn bytes(b: u64) -> String {
    let b = b as f64;
    if b >= GIB {
        format!("{:.2} GiB", b / GIB)
    } else if b >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / 1024.0 / 1024.0)
    } else if b >= 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{b} B")
    }
}

/// A count with thousands separators.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// US dollars: cents below $100, whole dollars with separators above.
pub fn usd(x: f64) -> String {
    if !x.is_finite() {
        "—".into()
    } else if x.abs() < 100.0 {
        format!("${x:.2}")
    } else {
        format!("${}", count(x.round() as u64))
    }
}

/// A rate with sensible precision.
pub fn rate(x: f64) -> String {
    if !x.is_finite() {
        "—".into()
    } else if x >= 100.0 {
        count(x.round() as u64)
    } else {
        format!("{x:.1}")
    }
}

/// Seconds, as ms below one second.
pub fn seconds(x: f64) -> String {
    if !x.is_finite() {
        "—".into()
    } else if x < 1.0 {
        format!("{:.0} ms", x * 1000.0)
    } else {
        format!("{x:.2} s")
    }
}
