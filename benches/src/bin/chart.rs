//! Draws the benchmark results as one SVG bar chart per group (executor,
//! timers, loop-sync, network) into `docs/bench-<group>.svg`, from the figures
//! in `benches/results.txt`. Every bar is a runtime's figure divided by the
//! fastest *other* runtime's in its row (goldiloop's bar below 1 means it beats
//! them all); lower is better. The charts carry the date, the machine and the
//! run the figures come from.
//!
//! A figure that `benches/README.md` does not show is refused, so the charts
//! can only draw what was measured and published there.
//!
//! ```sh
//! cargo run -p goldiloop-benches --bin chart            # redraw docs/bench-*.svg
//! cargo run -p goldiloop-benches --bin chart -- --check # CI: are they up to date?
//! ```
//!
//! std only: the SVG is written as text.

use std::path::{Path, PathBuf};
use std::{fs, process};

/// Where the figures are, where they must also appear, and where the charts go.
const RESULTS: &str = "results.txt";
const PUBLISHED: &str = "README.md";
const OUT_DIR: &str = "../docs";

/// The chart's geometry, in SVG user units (pixels).
const WIDTH: f64 = 760.0;
const MARGIN: f64 = 16.0;
/// Right edge of the runtime names; the bars start just after it.
const NAME_RIGHT: f64 = 118.0;
const BAR_LEFT: f64 = 126.0;
/// The length of a bar at the axis's end (`axis_end`).
const BAR_SPAN: f64 = 420.0;
/// The figures are written in a column of their own, right of the bars.
const LABEL_LEFT: f64 = BAR_LEFT + BAR_SPAN + 10.0;
const BAR_HEIGHT: f64 = 13.0;
const ROW_HEIGHT: f64 = 18.0;
/// Ratios above this are clipped, their figure written out: one outlier (a
/// 20x) must not squash the other bars into slivers.
const AXIS_CAP: f64 = 3.0;

/// Colours of the runtimes' bars; anything else is grey-green.
const COLOURS: [(&str, &str); 4] = [
    ("goldiloop", "#c9a227"),
    ("tokio", "#8a5a44"),
    ("smol", "#4a78b0"),
    ("raw epoll", "#8c8c8c"),
];
const OTHER_COLOUR: &str = "#6aa56a";

/// One runtime's figure in a row, as `benches/README.md` writes it.
struct Figure {
    runtime: String,
    text: String,
    value: f64,
    unit: String,
}

/// A workload: goldiloop's figure first, then the others'.
struct Row {
    workload: String,
    figures: Vec<Figure>,
}

/// One chart.
struct Group {
    key: String,
    title: String,
    rows: Vec<Row>,
}

/// The whole results file.
#[derive(Default)]
struct Results {
    date: String,
    machine: String,
    run: String,
    groups: Vec<Group>,
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let check = std::env::args().skip(1).any(|arg| arg == "--check");
    if let Err(e) = run(&dir, check) {
        eprintln!("chart: {e}");
        process::exit(1);
    }
}

/// Draws every chart; with `check`, compares each with the file in docs/
/// instead of writing it.
fn run(dir: &Path, check: bool) -> Result<(), String> {
    let read = |name: &str| {
        let path = dir.join(name);
        fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let results = parse(&read(RESULTS)?)?;
    check_published(&results, &read(PUBLISHED)?)?;
    let out = dir.join(OUT_DIR);
    fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    for group in &results.groups {
        let name = format!("docs/bench-{}.svg", group.key);
        let path = out.join(format!("bench-{}.svg", group.key));
        let svg = render(&results, group);
        if check {
            if fs::read_to_string(&path).ok().as_deref() != Some(svg.as_str()) {
                return Err(format!(
                    "{name} is not what benches/{RESULTS} draws; run `cargo run -p \
                     goldiloop-benches --bin chart` and commit it"
                ));
            }
            println!("{name} is up to date");
        } else {
            fs::write(&path, svg).map_err(|e| format!("{}: {e}", path.display()))?;
            println!("wrote {name}");
        }
    }
    Ok(())
}

fn parse(text: &str) -> Result<Results, String> {
    let mut results = Results::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        let at = |msg: String| format!("{RESULTS}:{}: {msg}", n + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(value) = line.strip_prefix("date:") {
            results.date = value.trim().to_owned();
        } else if let Some(value) = line.strip_prefix("machine:") {
            results.machine = value.trim().to_owned();
        } else if let Some(value) = line.strip_prefix("run:") {
            results.run = value.trim().to_owned();
        } else if let Some(rest) = line.strip_prefix("group ") {
            let (key, title) = rest
                .split_once('|')
                .ok_or_else(|| at("group key | title".into()))?;
            results.groups.push(Group {
                key: key.trim().to_owned(),
                title: title.trim().to_owned(),
                rows: Vec::new(),
            });
        } else {
            let mut cells = line.split('|').map(str::trim);
            let (Some(key), Some(workload)) = (cells.next(), cells.next()) else {
                return Err(at(
                    "a row is: group | workload | runtime: figure | ...".into()
                ));
            };
            let figures = cells
                .map(parse_figure)
                .collect::<Result<Vec<_>, _>>()
                .map_err(at)?;
            if figures.first().is_none_or(|f| f.runtime != "goldiloop") || figures.len() < 2 {
                return Err(at(
                    "goldiloop's figure first, then at least one other".into()
                ));
            }
            if figures.iter().any(|f| f.unit != figures[0].unit) {
                return Err(at("every figure in a row in the same unit".into()));
            }
            let group = results
                .groups
                .iter_mut()
                .find(|g| g.key == key)
                .ok_or_else(|| at(format!("no `group {key} | ...` line above")))?;
            group.rows.push(Row {
                workload: workload.to_owned(),
                figures,
            });
        }
    }
    if results.date.is_empty() || results.machine.is_empty() || results.run.is_empty() {
        return Err(format!(
            "{RESULTS}: needs `date:`, `machine:` and `run:` lines"
        ));
    }
    Ok(results)
}

/// `tokio: 33.87 ms` into its runtime, figure and unit.
fn parse_figure(cell: &str) -> Result<Figure, String> {
    let (runtime, text) = cell
        .split_once(':')
        .ok_or_else(|| format!("`{cell}`: runtime: figure"))?;
    let text = text.trim();
    let (number, unit) = text.split_once(' ').unwrap_or((text, ""));
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{number}` is not a number"))?;
    if value <= 0.0 || !value.is_finite() {
        return Err(format!("`{number}`: a figure is a positive number"));
    }
    Ok(Figure {
        runtime: runtime.trim().to_owned(),
        text: text.to_owned(),
        value,
        unit: unit.trim().to_owned(),
    })
}

/// Every figure's number must appear in `benches/README.md` as a number of its
/// own (not inside a longer one).
fn check_published(results: &Results, published: &str) -> Result<(), String> {
    let figures = results
        .groups
        .iter()
        .flat_map(|g| &g.rows)
        .flat_map(|r| r.figures.iter().map(move |f| (r, f)));
    for (row, figure) in figures {
        let number = figure.text.split(' ').next().unwrap_or_default();
        let shown = published.match_indices(number).any(|(i, _)| {
            let before = published[..i].chars().next_back();
            let after = published[i + number.len()..].chars().next();
            let part_of_number =
                |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '.');
            !part_of_number(before) && !part_of_number(after)
        });
        if !shown {
            return Err(format!(
                "{RESULTS}: {}'s {} in \"{}\" is not in {PUBLISHED}; publish the run's table \
                 there first",
                figure.runtime, figure.text, row.workload
            ));
        }
    }
    Ok(())
}

fn render(results: &Results, group: &Group) -> String {
    let header = 80.0;
    let row_block = |row: &Row| 22.0 + ROW_HEIGHT * row.figures.len() as f64 + 10.0;
    let height = header + group.rows.iter().map(row_block).sum::<f64>() + 34.0;
    let largest = group
        .rows
        .iter()
        .flat_map(ratios)
        .map(|(_, r)| r)
        .fold(1.0, f64::max);
    // The axis ends at the largest ratio, rounded up to a quarter, capped.
    let axis_end = ((largest.min(AXIS_CAP) * 4.0).ceil() / 4.0).max(1.25);
    let x_of = |ratio: f64| BAR_LEFT + BAR_SPAN * ratio.min(axis_end) / axis_end;

    let mut svg = String::new();
    let w = |svg: &mut String, s: String| svg.push_str(&s);
    w(
        &mut svg,
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
             viewBox=\"0 0 {WIDTH} {height}\" font-family=\"DejaVu Sans, Helvetica, Arial, \
             sans-serif\" font-size=\"12\">\n<!-- Drawn from benches/results.txt by \
             benches/src/bin/chart.rs; do not edit. -->\n<title>goldiloop benchmarks: {} \
             ({})</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
            escape(&group.title),
            escape(&results.date)
        ),
    );
    w(
        &mut svg,
        format!(
            "<text x=\"{MARGIN}\" y=\"28\" font-size=\"18\" font-weight=\"bold\">{}</text>\n\
             <text x=\"{MARGIN}\" y=\"48\" fill=\"#444\">Each runtime's figure divided by the \
             fastest other runtime's in its row (dashed line: 1.0); lower is better.</text>\n\
             <text x=\"{MARGIN}\" y=\"66\" fill=\"#444\">Measured {} on {}.</text>\n",
            escape(&group.title),
            escape(&results.date),
            escape(&results.machine)
        ),
    );

    let mut y = header;
    for row in &group.rows {
        w(
            &mut svg,
            format!(
                "<text x=\"{MARGIN}\" y=\"{}\" font-weight=\"bold\">{}</text>\n",
                y + 14.0,
                escape(&row.workload)
            ),
        );
        let top = y + 22.0;
        for (i, (figure, ratio)) in ratios(row).enumerate() {
            let bar_y = top + ROW_HEIGHT * i as f64;
            let end = x_of(ratio);
            let clipped = if ratio > axis_end { " (bar cut)" } else { "" };
            let weight = if i == 0 { " font-weight=\"bold\"" } else { "" };
            w(
                &mut svg,
                format!(
                    "<text x=\"{NAME_RIGHT}\" y=\"{}\" text-anchor=\"end\"{weight}>{}</text>\n\
                     <rect x=\"{BAR_LEFT}\" y=\"{bar_y}\" width=\"{:.1}\" height=\"{BAR_HEIGHT}\" \
                     fill=\"{}\"/>\n<text x=\"{}\" y=\"{}\"{weight}>{ratio:.2}x  ({}){clipped}</text>\n",
                    bar_y + 10.5,
                    escape(&figure.runtime),
                    end - BAR_LEFT,
                    colour(&figure.runtime),
                    LABEL_LEFT,
                    bar_y + 10.5,
                    escape(&figure.text),
                ),
            );
        }
        let one = x_of(1.0);
        w(
            &mut svg,
            format!(
                "<line x1=\"{one:.1}\" y1=\"{}\" x2=\"{one:.1}\" y2=\"{}\" stroke=\"#333\" \
                 stroke-dasharray=\"3,3\"/>\n",
                top - 3.0,
                top + ROW_HEIGHT * row.figures.len() as f64 - 2.0
            ),
        );
        y += row_block(row);
    }
    w(
        &mut svg,
        format!(
            "<text x=\"{MARGIN}\" y=\"{}\" fill=\"#666\" font-size=\"11\">Figures: {}; ratios of the figures as shown.</text>\n</svg>\n",
            height - 14.0,
            escape(&results.run)
        ),
    );
    svg
}

/// Each figure divided by the fastest figure in its row that is not
/// goldiloop's: the fastest other runtime sits at exactly 1.0, and goldiloop's
/// bar ends left of it when goldiloop beats them all.
fn ratios(row: &Row) -> impl Iterator<Item = (&Figure, f64)> {
    let fastest_other = row.figures[1..]
        .iter()
        .map(|f| f.value)
        .fold(f64::INFINITY, f64::min);
    row.figures
        .iter()
        .map(move |f| (f, f.value / fastest_other))
}

fn colour(runtime: &str) -> &'static str {
    COLOURS
        .iter()
        .find(|(name, _)| *name == runtime)
        .map_or(OTHER_COLOUR, |(_, c)| c)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}
