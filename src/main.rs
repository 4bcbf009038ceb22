//! `rectify` — 巡察整改管理系统: the command line and the server in one binary.
//!
//! Exit statuses follow `shared/contracts.md`: 0 success, 1 "found something" (lint defects,
//! a broken audit trail), 2 unusable input with a one-line error on stderr.

mod bulk;
mod commands;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// mimalloc instead of the system allocator: a request allocates and frees many small values
/// on several threads, and glibc's malloc took a tenth of the server's CPU (perf). Measured at
/// 2,000 units, alternating runs: one problem's JSON 11-17 % -> 14-21 % of the fixed-body
/// ceiling, a measure page 1.4-2.1 % -> 2.9-3.4 %.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "rectify", version, about = "巡察整改管理系统 — rectification of inspection and audit findings")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the UI and API on an embedded SQLite database filled with the built-in demo data.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Folder of the embedded database (created if missing).
        #[arg(long, default_value = "rectify-data")]
        data: PathBuf,
        /// Also fill an empty database with this many generated units after the demo unit
        /// (e.g. 2000 for a province-size demo; the office account sees them all).
        #[arg(long, default_value_t = 0)]
        units: usize,
    },
    /// Serve the UI and API on an existing database.
    Serve {
        /// `sqlite:PATH` or `postgres://…`
        #[arg(long, env = "RECTIFY_DATABASE")]
        database: String,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Where uploaded evidence files are kept (outside any web root).
        #[arg(long, env = "RECTIFY_EVIDENCE_DIR", default_value = "rectify-data/evidence")]
        evidence_dir: PathBuf,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Read a report (.txt in UTF-8/GB18030/UTF-16, or .docx) and print it as a ledger.
    Parse {
        file: PathBuf,
        /// Print the ledger JSON instead of a readable outline.
        #[arg(long)]
        json: bool,
    },
    /// Check a report for defects before it is published.
    Lint {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Write the public progress report (md, html, docx) or the ledger workbook (xlsx).
    Report(ReportArgs),
    /// Store reports, ledger JSONs or ledger workbooks (.xlsx) in the database, each file all or
    /// nothing; with several files, one result line per file.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, env = "RECTIFY_DATABASE")]
        database: String,
        /// For workbooks: store the good rows and report how many bad rows were skipped.
        #[arg(long)]
        skip_bad_rows: bool,
    },
    /// Generate realistic ledgers of fictional units (30 problems, 120 measures, 600 progress
    /// entries each) as JSON files or straight into a database; the same seed gives the same data.
    Generate {
        #[arg(long)]
        units: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The day the data is made for (default: today), YYYY-MM-DD: rounds lie before it and
        /// the deadlines of open measures around it.
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
        /// Import the ledgers into this database (`sqlite:PATH` or `postgres://…`).
        #[arg(long, conflicts_with = "output", required_unless_present = "output")]
        database: Option<String>,
        /// Write the ledgers as DIR/unit-0001.json, DIR/unit-0002.json, …
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
    /// Print one inspection's ledger as ledger JSON.
    Export {
        #[arg(long, env = "RECTIFY_DATABASE")]
        database: String,
        /// Inspection id, unit name or title; may be left out when there is only one.
        #[arg(long)]
        inspection: Option<String>,
        /// Print JSON (the only format for now; kept for the contract's command line).
        #[arg(long)]
        json: bool,
    },
    /// Write a supervision notice (督办单, .docx) for the overdue and at-risk measures.
    Notice {
        #[command(flatten)]
        source: LedgerSource,
        /// Who sends it, e.g. 区委巡察办.
        #[arg(long)]
        issuer: String,
        /// 督办编号, e.g. 〔2024〕3号.
        #[arg(long)]
        serial: Option<String>,
        /// The day the lights are computed for (default: today), YYYY-MM-DD.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// Write a consistent backup (database, evidence files, settings) into one archive, also
    /// while the server runs.
    Backup {
        #[arg(long, env = "RECTIFY_DATABASE")]
        database: String,
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Where the evidence files are kept (as `rectify serve` uses it).
        #[arg(long, env = "RECTIFY_EVIDENCE_DIR", default_value = "rectify-data/evidence")]
        evidence: PathBuf,
    },
    /// Restore a backup into an empty database, all or nothing. The audit trail verifies with the
    /// key ring of the backed-up database: set RECTIFY_AUDIT_KEY_FILE to it, or copy it to the
    /// new database's default place first.
    Restore {
        file: PathBuf,
        #[arg(long, env = "RECTIFY_DATABASE")]
        database: String,
        /// Where to put the evidence files.
        #[arg(long, env = "RECTIFY_EVIDENCE_DIR", default_value = "rectify-data/evidence")]
        evidence: PathBuf,
    },
    /// Full-text search over everything stored: problems, measures, progress, evidence names
    /// and public feedback holding every word of WORDS (segmented as Chinese).
    Search {
        #[arg(long, env = "RECTIFY_DATABASE")]
        database: String,
        /// The words to find (required unless --reindex).
        #[arg(required_unless_present = "reindex")]
        words: Vec<String>,
        /// Print the answer of `GET /api/search` as JSON.
        #[arg(long)]
        json: bool,
        /// How many hits (default 50, at most 500).
        #[arg(long)]
        limit: Option<u64>,
        #[arg(long)]
        offset: Option<u64>,
        /// Rebuild the search index from the stored ledgers and feedback first.
        #[arg(long)]
        reindex: bool,
    },
    /// The tamper-evident audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The data key ring that seals citizens' names and contacts and evidence files (SM4).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a fresh key to the data key ring (RECTIFY_DATA_KEY_FILE, else its default place) and
    /// re-seal every sealed name, contact and evidence file under it; the old keys stay in the
    /// ring, so values sealed by servers not yet restarted still open.
    RotateData {
        #[arg(long, env = "RECTIFY_DATABASE")]
        database: String,
        /// Where the evidence files are kept (as `rectify serve` uses it).
        #[arg(long, env = "RECTIFY_EVIDENCE_DIR", default_value = "rectify-data/evidence")]
        evidence: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create the first system administrator of a database (a real deployment has no default
    /// account). The password is read from RECTIFY_PASSWORD or standard input and must be
    /// changed at first sign-in; the second factor is enrolled then too.
    Add {
        #[arg(long, env = "RECTIFY_DATABASE")]
        database: String,
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check that no audit entry was edited, deleted or reordered behind the application's back.
    Verify {
        #[arg(long, env = "RECTIFY_DATABASE")]
        database: String,
    },
    /// Add a fresh key to the audit chain's key ring (RECTIFY_AUDIT_KEY_FILE, else its default
    /// place): new entries are signed with it, older ones keep verifying with the keys before it.
    RotateKey {
        #[arg(long, env = "RECTIFY_DATABASE")]
        database: String,
    },
}

/// Where a command reads its ledger: a ledger JSON file, or one inspection of a database.
#[derive(clap::Args)]
struct LedgerSource {
    /// A ledger JSON file (what `rectify parse --json` prints is one).
    #[arg(long, conflicts_with = "database", required_unless_present = "database")]
    ledger: Option<PathBuf>,
    /// Read the ledger from this database instead.
    #[arg(long)]
    database: Option<String>,
    /// With --database: inspection id, unit name or title.
    #[arg(long, requires = "database")]
    inspection: Option<String>,
    /// With --database: the aggregate report of this round (its id) instead of one unit's.
    #[arg(long, requires = "database", conflicts_with = "inspection")]
    round: Option<String>,
}

#[derive(clap::Args)]
struct ReportArgs {
    #[command(flatten)]
    source: LedgerSource,
    #[arg(long, value_enum)]
    format: Format,
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// The internal version keeps withheld problems and names; the public one leaves them out.
    #[arg(long, value_enum, default_value_t = AudienceArg::Public)]
    audience: AudienceArg,
    /// Grouped under aspects, or one flat numbered list (default: chosen from the ledger).
    #[arg(long, value_enum)]
    layout: Option<LayoutArg>,
    /// Renumber problems consecutively instead of keeping the original numbers.
    #[arg(long)]
    renumber: bool,
    /// Accountability kinds the statistics sentence always prints, zero included (comma-separated).
    #[arg(long, value_delimiter = ',')]
    fixed_accountability: Option<Vec<String>>,
    /// The unit's own .docx letterhead with a `{{正文}}` paragraph (and optional `{{标题}}`, `{{日期}}`).
    #[arg(long)]
    template: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Md,
    Html,
    Docx,
    Xlsx,
}

#[derive(Clone, Copy, ValueEnum)]
enum AudienceArg {
    Public,
    Internal,
}

#[derive(Clone, Copy, ValueEnum)]
enum LayoutArg {
    Aspects,
    Flat,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            // One line (scripts read the first line of stderr): the error and its hint, without
            // the usage block.
            let text = e.render().to_string();
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information"))
                .collect();
            eprintln!("{}", lines.join(" "));
            return ExitCode::from(2);
        }
    };
    let serving = matches!(cli.command, Command::Demo { .. } | Command::Serve { .. });
    let default_filter = if serving { "info" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .init();
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
