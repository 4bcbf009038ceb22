//! Many ledgers in one run: `import FILE...`, `generate` and `demo --units`.
//!
//! Reading (or generating) runs on a thread of its own a few ledgers ahead of the database, so
//! that parsing JSON and writing rows overlap on two cores. Each ledger is stored in its own
//! transaction: one refused file never takes the others with it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use rectify_domain::Ledger;
use rectify_storage::Store;
use tokio::sync::mpsc;

use crate::commands::{Failure, ledger_from_file, runtime};

/// The seed of `rectify demo --units`, so that every demo of the same size shows the same units.
pub const DEMO_SEED: u64 = 2024;

/// Ledgers read ahead of the database: enough to keep both cores busy, few enough to bound memory.
const READ_AHEAD: usize = 4;

/// How often `generate` reports its progress.
const PROGRESS_EVERY: usize = 100;

/// One ledger on its way to the database, or why it never got there.
struct Item {
    label: String,
    ledger: Result<(Ledger, Vec<String>), Failure>,
}

/// What was stored.
#[derive(Default)]
struct Totals {
    stored: usize,
    refused: usize,
    problems: usize,
    measures: usize,
    progress: usize,
}

impl Totals {
    fn add(&mut self, ledger: &Ledger) {
        self.stored += 1;
        for p in ledger.problems() {
            self.problems += 1;
            self.measures += p.measures.len();
            self.progress += p.measures.iter().map(|m| m.progress.len()).sum::<usize>();
        }
    }
}

/// How a run speaks: a line per file (import), or a progress line now and then (generate).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Speech {
    EachFile,
    Progress,
}

/// `rectify import FILE FILE...`: each file all or nothing, one result line per file (stored on
/// stdout, refused on stderr), 0 when all were stored and 2 when any was refused.
pub fn import_files(files: Vec<PathBuf>, database: &str, skip_bad_rows: bool) -> Result<ExitCode, Failure> {
    let started = Instant::now();
    let total = files.len();
    let (tx, rx) = mpsc::channel(READ_AHEAD);
    let reader = std::thread::spawn(move || {
        for file in files {
            let ledger = ledger_from_file(&file, skip_bad_rows);
            if tx.blocking_send(Item { label: file.display().to_string(), ledger }).is_err() {
                break;
            }
        }
    });
    let totals = runtime()?.block_on(async {
        let store = Store::connect(database).await?;
        let result = store_stream(&store, rx, total, Speech::EachFile, started).await;
        store.close().await;
        result
    });
    // The reader stops by itself once the receiver is gone; a panic there is a bug worth showing.
    if reader.join().is_err() {
        return Err(Failure::other("the file reader stopped unexpectedly"));
    }
    let totals = totals?;
    eprintln!(
        "stored {} of {total} files in {:.1} s{}",
        totals.stored,
        started.elapsed().as_secs_f64(),
        if totals.refused > 0 { format!(" ({} refused)", totals.refused) } else { String::new() }
    );
    Ok(if totals.refused == 0 { ExitCode::SUCCESS } else { ExitCode::from(2) })
}

/// `rectify generate`: the ledgers as files in a folder, or straight into a database.
pub fn generate(
    units: usize,
    seed: u64,
    today: NaiveDate,
    database: Option<&str>,
    output: Option<&Path>,
) -> Result<ExitCode, Failure> {
    check_today(today)?;
    match (database, output) {
        (Some(url), _) => runtime()?.block_on(async {
            let store = Store::connect(url).await?;
            let result = generate_into(&store, units, seed, today).await;
            store.close().await;
            result
        })?,
        (None, Some(dir)) => write_files(units, seed, today, dir)?,
        (None, None) => return Err(Failure::input("give --database URL or -o DIR")),
    }
    Ok(ExitCode::SUCCESS)
}

fn check_today(today: NaiveDate) -> Result<(), Failure> {
    if rectify_generator::SUPPORTED_YEARS.contains(&today.year()) {
        Ok(())
    } else {
        Err(Failure::input(format!(
            "--today {today}: the generator makes data for a day in the years {}–{}",
            rectify_generator::SUPPORTED_YEARS.start(),
            rectify_generator::SUPPORTED_YEARS.end()
        )))
    }
}

/// Generates `units` ledgers into `store`, with a progress line on stderr every
/// [`PROGRESS_EVERY`] units and a final line with the totals on stdout.
pub async fn generate_into(store: &Store, units: usize, seed: u64, today: NaiveDate) -> Result<(), Failure> {
    check_today(today)?;
    let started = Instant::now();
    let (tx, rx) = mpsc::channel(READ_AHEAD);
    let generator = std::thread::spawn(move || {
        for (i, ledger) in rectify_generator::generate(seed, units, today).enumerate() {
            let item = Item { label: format!("unit {}", i + 1), ledger: Ok((ledger, Vec::new())) };
            if tx.blocking_send(item).is_err() {
                break;
            }
        }
    });
    let totals = store_stream(store, rx, units, Speech::Progress, started).await;
    if generator.join().is_err() {
        return Err(Failure::other("the generator stopped unexpectedly"));
    }
    let totals = totals?;
    if totals.refused > 0 {
        return Err(Failure::other(format!("{} generated units were refused", totals.refused)));
    }
    println!(
        "imported {} units ({} problems, {} measures, {} progress entries) in {:.1} s",
        totals.stored,
        totals.problems,
        totals.measures,
        totals.progress,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Stores what arrives on `rx`, each ledger in its own transaction. A refused ledger is
/// reported and the run goes on; a database that fails (rather than refuses) ends the run.
async fn store_stream(
    store: &Store,
    mut rx: mpsc::Receiver<Item>,
    total: usize,
    speech: Speech,
    started: Instant,
) -> Result<Totals, Failure> {
    let mut totals = Totals::default();
    let mut seen = 0;
    while let Some(Item { label, ledger }) = rx.recv().await {
        seen += 1;
        let stored = match ledger {
            Ok((ledger, notes)) => {
                for note in notes {
                    eprintln!("{label}: {note}");
                }
                match store.import_ledger(&ledger).await {
                    Ok(id) => Ok((id, ledger)),
                    Err(e) => Err(Failure::from(e)),
                }
            }
            Err(failure) => Err(failure),
        };
        match stored {
            Ok((id, ledger)) => {
                totals.add(&ledger);
                if speech == Speech::EachFile {
                    let stats = ledger.statistics();
                    println!(
                        "{label}: stored inspection {id}: {} aspects, {} problems, {} measures",
                        stats.aspects, stats.problems.total, stats.measures_total
                    );
                }
            }
            Err(failure) => {
                totals.refused += 1;
                eprintln!("{}", refusal_line(&label, &failure.message));
                if failure.code != 2 {
                    return Err(Failure::other(format!("stopped after {label}: the database failed")));
                }
            }
        }
        if speech == Speech::Progress && (seen % PROGRESS_EVERY == 0 || seen == total) {
            eprintln!("imported {seen}/{total} ({:.1} s)", started.elapsed().as_secs_f64());
        }
    }
    Ok(totals)
}

/// `PATH: refused: REASON`, with the reason's own mention of the path left out and its further
/// lines (a workbook's bad rows) kept below.
fn refusal_line(label: &str, message: &str) -> String {
    let reason = message.strip_prefix(label).and_then(|r| r.strip_prefix(": ")).unwrap_or(message);
    format!("{label}: refused: {reason}")
}

/// Writes the ledgers as `DIR/unit-0001.json` … (compact JSON, one ledger per file), generating
/// on one thread and writing on the other.
fn write_files(units: usize, seed: u64, today: NaiveDate, dir: &Path) -> Result<(), Failure> {
    fs::create_dir_all(dir).map_err(|e| Failure::other(format!("cannot create {}: {e}", dir.display())))?;
    let started = Instant::now();
    let width = units.to_string().len().max(4);
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Ledger)>(READ_AHEAD);
    let generator = std::thread::spawn(move || {
        for (i, ledger) in rectify_generator::generate(seed, units, today).enumerate() {
            if tx.send((i, ledger)).is_err() {
                break;
            }
        }
    });
    let mut bytes_written: u64 = 0;
    for (i, ledger) in rx {
        let path = dir.join(format!("unit-{:0width$}.json", i + 1));
        let mut text = serde_json::to_vec(&ledger).map_err(|e| Failure::other(e.to_string()))?;
        text.push(b'\n');
        fs::write(&path, &text).map_err(|e| Failure::other(format!("cannot write {}: {e}", path.display())))?;
        bytes_written += text.len() as u64;
        let done = i + 1;
        if done % PROGRESS_EVERY == 0 || done == units {
            eprintln!("written {done}/{units} ({:.1} s)", started.elapsed().as_secs_f64());
        }
    }
    if generator.join().is_err() {
        return Err(Failure::other("the generator stopped unexpectedly"));
    }
    println!(
        "wrote {units} units ({:.1} MB) to {} in {:.1} s",
        bytes_written as f64 / 1e6,
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
