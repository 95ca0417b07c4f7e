//! Medians over interleaved rounds, and the Markdown tables of `net.rs`.

use std::io;

use crate::Runtime;

/// One measurement: a value per column.
pub(crate) type Sample = Vec<f64>;

/// The median of each column of `samples`.
fn medians(samples: &[Sample]) -> Sample {
    (0..samples[0].len())
        .map(|i| {
            let mut column: Vec<f64> = samples.iter().map(|s| s[i]).collect();
            column.sort_by(f64::total_cmp);
            let mid = column.len() / 2;
            if column.len() % 2 == 1 {
                column[mid]
            } else {
                (column[mid - 1] + column[mid]) / 2.0
            }
        })
        .collect()
}

/// Runs `measure` for every runtime, `rounds` times, runtimes interleaved,
/// and returns each runtime's medians.
pub(crate) fn interleaved(
    section: &str,
    runtimes: &[Runtime],
    rounds: usize,
    mut measure: impl FnMut(Runtime) -> io::Result<Sample>,
) -> io::Result<Vec<(Runtime, Sample)>> {
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); runtimes.len()];
    for round in 1..=rounds {
        for (i, &runtime) in runtimes.iter().enumerate() {
            let sample = measure(runtime)?;
            let shown: Vec<String> = sample.iter().map(|v| format!("{v:.2}")).collect();
            eprintln!(
                "{section} round {round}/{rounds} {runtime}: {}",
                shown.join(" ")
            );
            samples[i].push(sample);
        }
    }
    Ok(runtimes
        .iter()
        .zip(&samples)
        .map(|(&runtime, s)| (runtime, medians(s)))
        .collect())
}

/// Prints a Markdown table of `rows` (one per runtime) with `columns` shown
/// with `decimals` each, then the ratios goldiloop / tokio and goldiloop /
/// raw epoll of every column.
pub(crate) fn table(title: &str, columns: &[(&str, usize)], rows: &[(Runtime, Sample)]) {
    println!("\n### {title}\n");
    let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
    println!("| server | {} |", names.join(" | "));
    println!("|---|{}", "---:|".repeat(columns.len()));
    for (runtime, values) in rows {
        let cells: Vec<String> = columns
            .iter()
            .zip(values)
            .map(|(&(_, decimals), v)| format!("{v:.decimals$}"))
            .collect();
        println!("| {runtime} | {} |", cells.join(" | "));
    }
    let find = |r: Runtime| rows.iter().find(|row| row.0 == r).map(|row| &row.1);
    let Some(goldiloop) = find(Runtime::Goldiloop) else {
        return;
    };
    for other in [Runtime::Tokio, Runtime::Epoll] {
        if let Some(values) = find(other) {
            let cells: Vec<String> = goldiloop
                .iter()
                .zip(values)
                .map(|(g, o)| format!("{:.2}", g / o))
                .collect();
            println!("| goldiloop / {other} | {} |", cells.join(" | "));
        }
    }
}
