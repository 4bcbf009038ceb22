//! What each subcommand does. Inputs are read and checked completely before the database is
//! opened, so a refused file leaves the database exactly as it was.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rectify_domain::Ledger;
use rectify_report_writer::{Audience, Layout, ReportOptions};
use rectify_storage::{StorageError, Store};

use crate::{
    AudienceArg, AuditCommand, Command, Format, KeysCommand, LayoutArg, LedgerSource, ReportArgs, UserCommand,
};

/// A command that could not do its job: the message goes to stderr, the code is the exit status.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Input that cannot be used (unreadable file, invalid ledger, unknown inspection): status 2.
    pub(crate) fn input(message: impl Into<String>) -> Self {
        Self { code: 2, message: message.into() }
    }

    /// Anything else that went wrong (database unreachable, disk full): status 1.
    pub(crate) fn other(message: impl Into<String>) -> Self {
        Self { code: 1, message: message.into() }
    }
}

impl From<StorageError> for Failure {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound(_) | StorageError::Ambiguous(_) | StorageError::Invalid(_) => {
                Failure::input(e.to_string())
            }
            other => Failure::other(other.to_string()),
        }
    }
}

pub fn run(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::Parse { file, json } => parse(&file, json),
        Command::Lint { file, json } => lint(&file, json),
        Command::Report(args) => report(args),
        Command::Import { files, database, skip_bad_rows } => match files.as_slice() {
            [file] => import(file, &database, skip_bad_rows),
            _ => crate::bulk::import_files(files, &database, skip_bad_rows),
        },
        Command::Generate { units, seed, today, database, output } => {
            let today = today.unwrap_or_else(|| chrono::Local::now().date_naive());
            crate::bulk::generate(units, seed, today, database.as_deref(), output.as_deref())
        }
        Command::Export { database, inspection, json: _ } => export(&database, inspection.as_deref()),
        Command::Demo { addr, data, units } => demo(addr, &data, units),
        Command::Serve { database, addr, evidence_dir } => serve(&database, addr, evidence_dir),
        Command::User { command: UserCommand::Add { database, username } } => user_add(&database, &username),
        Command::Backup { database, output, evidence } => backup(&database, &output, &evidence),
        Command::Restore { file, database, evidence } => restore(&file, &database, &evidence),
        Command::Search { database, words, json, limit, offset, reindex } => {
            search(&database, &words.join(" "), json, limit, offset, reindex)
        }
        Command::Audit { command: AuditCommand::Verify { database } } => audit_verify(&database),
        Command::Audit { command: AuditCommand::RotateKey { database } } => audit_rotate_key(&database),
        Command::Keys { command: KeysCommand::RotateData { database, evidence } } => {
            keys_rotate_data(&database, &evidence)
        }
        Command::Notice { source, issuer, serial, date, output } => {
            let ledger = load_ledger(source)?;
            let today = date.unwrap_or_else(|| chrono::Local::now().date_naive());
            let Some(mut notice) =
                rectify_report_writer::SupervisionNotice::from_ledger(&ledger, today, &ledger.policy.lights, &issuer)
            else {
                println!("nothing to chase: no measure is overdue or close to its deadline on {today}");
                return Ok(ExitCode::SUCCESS);
            };
            notice.serial = serial;
            let bytes =
                rectify_report_writer::render_supervision_notice(&notice).map_err(|e| Failure::other(e.to_string()))?;
            write_atomically(&output, &bytes)?;
            println!("{} measures chased in {}", notice.items.len(), output.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::other(format!("cannot start the async runtime: {e}")))
}

fn parse(file: &Path, json: bool) -> Result<ExitCode, Failure> {
    let parsed =
        rectify_report_reader::parse_file(file).map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
    if json {
        print_json(&parsed.ledger)?;
    } else {
        print!("{}", rectify_report_reader::outline(&parsed));
    }
    Ok(ExitCode::SUCCESS)
}

fn lint(file: &Path, json: bool) -> Result<ExitCode, Failure> {
    let defects =
        rectify_report_lint::lint_file(file).map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
    if json {
        print_json(&rectify_report_lint::to_json(&defects))?;
    } else if defects.is_empty() {
        println!("no defects found");
    } else {
        // Many defects of one kind (41 half-width commas) take one line with where they are.
        print!("{}", rectify_report_lint::to_grouped_text(&defects));
    }
    Ok(if defects.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The ledger of a command that reads either a ledger JSON file or one stored inspection.
fn load_ledger(source: LedgerSource) -> Result<Ledger, Failure> {
    let LedgerSource { ledger: path, database, inspection, round: _ } = source;
    match (path.as_deref(), database.as_deref()) {
        (Some(path), _) => read_ledger_json(path),
        (None, Some(url)) => runtime()?.block_on(async {
            let store = Store::connect(url).await?;
            let result = async {
                let id = store.resolve_inspection(inspection.as_deref()).await?;
                store.export_ledger(id).await
            }
            .await;
            store.close().await;
            Ok::<_, Failure>(result?)
        }),
        (None, None) => Err(Failure::input("give --ledger FILE.json or --database URL")),
    }
}

fn report(args: ReportArgs) -> Result<ExitCode, Failure> {
    if let (Some(round), Some(url)) = (args.source.round.as_deref(), args.source.database.as_deref()) {
        return round_report(url, round, args.format, &args.output);
    }
    let ledger = load_ledger(args.source)?;
    let defaults = ReportOptions::for_ledger(&ledger);
    let opts = ReportOptions {
        audience: match args.audience {
            AudienceArg::Public => Audience::Public,
            AudienceArg::Internal => Audience::Internal,
        },
        layout: match args.layout {
            Some(LayoutArg::Aspects) => Layout::ByAspect,
            Some(LayoutArg::Flat) => Layout::Flat,
            None => defaults.layout,
        },
        renumber: args.renumber,
        fixed_accountability_kinds: args.fixed_accountability.clone(),
        ..defaults
    };
    let bytes = match args.format {
        Format::Md => rectify_report_writer::render_markdown(&ledger, &opts).into_bytes(),
        Format::Html => rectify_report_writer::render_html(&ledger, &opts).into_bytes(),
        Format::Docx => match &args.template {
            Some(t) => {
                let template = fs::read(t).map_err(|e| Failure::input(format!("{}: {e}", t.display())))?;
                rectify_report_writer::render_docx_with_template(&ledger, &opts, &template)
                    .map_err(|e| Failure::input(format!("{}: {e}", t.display())))?
            }
            None => rectify_report_writer::render_docx(&ledger, &opts).map_err(|e| Failure::other(e.to_string()))?,
        },
        Format::Xlsx => rectify_workbook::write_ledger_xlsx(&ledger, chrono::Local::now().date_naive())
            .map_err(|e| Failure::other(e.to_string()))?,
    };
    write_atomically(&args.output, &bytes)?;
    Ok(ExitCode::SUCCESS)
}

/// `report --database URL --round ID`: the aggregate report of a round over all its units, as
/// of today (Beijing time).
fn round_report(url: &str, round: &str, format: Format, output: &Path) -> Result<ExitCode, Failure> {
    let id = round
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| Failure::input(format!("--round: {round:?} is not a round id (a positive whole number)")))?;
    // Beijing time (UTC+8, no daylight saving), the day the office counts in.
    let today = (chrono::Utc::now() + chrono::TimeDelta::hours(8)).date_naive();
    let report = runtime()?.block_on(async {
        let store = Store::connect(url).await?;
        let result = store.round_report(id, today, |_| true).await;
        store.close().await;
        Ok::<_, Failure>(result?)
    })?;
    let report = report.ok_or_else(|| Failure::input(format!("no round with id {id}")))?;
    let bytes = match format {
        Format::Md => rectify_report_writer::render_round_markdown(&report).into_bytes(),
        Format::Html => rectify_report_writer::render_round_html(&report).into_bytes(),
        Format::Docx => rectify_report_writer::render_round_docx(&report).map_err(|e| Failure::other(e.to_string()))?,
        Format::Xlsx => rectify_workbook::write_round_xlsx(&report).map_err(|e| Failure::other(e.to_string()))?,
    };
    write_atomically(output, &bytes)?;
    Ok(ExitCode::SUCCESS)
}

/// What `import` makes of a file, decided by its name: a ledger JSON, a workbook, or a report;
/// with the notes to print about it (the rows a workbook import skipped, the cells it read with a
/// guess or left out).
pub(crate) fn ledger_from_file(file: &Path, skip_bad_rows: bool) -> Result<(Ledger, Vec<String>), Failure> {
    let extension = file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    match extension.as_str() {
        "json" => Ok((read_ledger_json(file)?, Vec::new())),
        "xlsx" | "xlsm" => {
            let bytes = fs::read(file).map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
            let opts = rectify_workbook::ImportOptions { skip_bad_rows };
            match rectify_workbook::read_ledger_xlsx(&bytes, &opts) {
                Ok(imported) => {
                    let mut notes = Vec::new();
                    if !imported.skipped.is_empty() {
                        notes.push(format!("skipped {} bad rows:", imported.skipped.len()));
                        notes.extend(imported.skipped.iter().map(|row| format!("  {}", describe_row_error(row))));
                    }
                    // Cells read with a guess or left out: the clerk checks these before relying on
                    // the import.
                    if !imported.warnings.is_empty() {
                        notes.push(format!("{} warnings:", imported.warnings.len()));
                        notes.extend(imported.warnings.iter().map(|row| format!("  {}", describe_row_error(row))));
                    }
                    imported.ledger.check().map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
                    Ok((imported.ledger, notes))
                }
                Err(rectify_workbook::ImportError::BadRows(rows)) => {
                    let mut message = format!("{}: {} bad rows, nothing stored", file.display(), rows.len());
                    for row in &rows {
                        message.push_str("\n  ");
                        message.push_str(&describe_row_error(row));
                    }
                    message.push_str("\n(use --skip-bad-rows to store the good rows)");
                    Err(Failure::input(message))
                }
                Err(e) => Err(Failure::input(format!("{}: {e}", file.display()))),
            }
        }
        _ => {
            let parsed = rectify_report_reader::parse_file(file)
                .map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
            parsed.ledger.check().map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
            Ok((parsed.ledger, Vec::new()))
        }
    }
}

fn describe_row_error(row: &rectify_workbook::RowError) -> String {
    match &row.column {
        Some(col) => format!("sheet {} row {} column {}: {}", row.sheet, row.row, col, row.message),
        None => format!("sheet {} row {}: {}", row.sheet, row.row, row.message),
    }
}

fn import(file: &Path, database: &str, skip_bad_rows: bool) -> Result<ExitCode, Failure> {
    let (ledger, notes) = ledger_from_file(file, skip_bad_rows)?;
    for note in notes {
        eprintln!("{note}");
    }
    let stats = ledger.statistics();
    let id = runtime()?.block_on(async {
        let store = Store::connect(database).await?;
        let id = store.import_ledger(&ledger).await;
        store.close().await;
        Ok::<_, Failure>(id?)
    })?;
    println!(
        "stored inspection {id}: {} aspects, {} problems, {} measures",
        stats.aspects, stats.problems.total, stats.measures_total
    );
    Ok(ExitCode::SUCCESS)
}

fn export(database: &str, inspection: Option<&str>) -> Result<ExitCode, Failure> {
    let ledger = runtime()?.block_on(async {
        let store = Store::connect(database).await?;
        let result = async {
            let id = store.resolve_inspection(inspection).await?;
            store.export_ledger(id).await
        }
        .await;
        store.close().await;
        Ok::<_, Failure>(result?)
    })?;
    print_json(&ledger)?;
    Ok(ExitCode::SUCCESS)
}

fn demo(addr: std::net::SocketAddr, data: &Path, units: usize) -> Result<ExitCode, Failure> {
    fs::create_dir_all(data).map_err(|e| Failure::other(format!("cannot create {}: {e}", data.display())))?;
    let url = format!("sqlite:{}", data.join("rectify.db").display());
    runtime()?.block_on(async {
        let store = Store::connect(&url).await?;
        if store.is_empty().await? {
            let today = chrono::Local::now().date_naive();
            let ledger = rectify_server::demo::demo_ledger(today);
            let id = store.import_ledger(&ledger).await?;
            rectify_server::seed_demo_users(&store, id, &rectify_auth::SystemClock)
                .await
                .map_err(|e| Failure::other(format!("cannot create the demo accounts: {e}")))?;
            println!("filled the empty database with the demo ledger (inspection {id})");
            if units > 0 {
                // After the demo unit, so that the unit-scoped demo accounts keep pointing at it.
                crate::bulk::generate_into(&store, units, crate::bulk::DEMO_SEED, today).await?;
            }
        } else if units > 0 {
            eprintln!("the database is not empty: --units {units} ignored (start with an empty --data folder)");
        }
        println!("rectify demo: http://{addr}/  (database {url})");
        println!(
            "演示账号（仅供演示，数据为虚构）— demo accounts, password {} for all:",
            rectify_server::users::DEMO_PASSWORD
        );
        for user in store.list_users().await? {
            let roles: Vec<String> = user
                .roles
                .iter()
                .map(|g| match g.department.as_deref().or(g.leader_name.as_deref()) {
                    Some(scope) => format!("{}（{scope}）", g.role.label_zh()),
                    None => g.role.label_zh().to_string(),
                })
                .collect();
            println!("  {:<22} {}", user.username, roles.join("、"));
        }
        println!("  (the three administrator accounts enrol their authenticator app at first sign-in)");
        let state = rectify_server::AppState::new(store).with_evidence_dir(data.join("evidence"));
        rectify_server::serve_state(state, addr, shutdown_signal()).await.map_err(|e| Failure::other(e.to_string()))
    })?;
    Ok(ExitCode::SUCCESS)
}

fn serve(database: &str, addr: std::net::SocketAddr, evidence_dir: PathBuf) -> Result<ExitCode, Failure> {
    runtime()?.block_on(async {
        let store = Store::connect(database).await?;
        if store.list_users().await?.is_empty() {
            eprintln!("warning: the database has no account yet; create one with `rectify user add`");
        }
        println!("rectify: http://{addr}/");
        let state = rectify_server::AppState::new(store).with_evidence_dir(evidence_dir);
        rectify_server::serve_state(state, addr, shutdown_signal()).await.map_err(|e| Failure::other(e.to_string()))
    })?;
    Ok(ExitCode::SUCCESS)
}

fn user_add(database: &str, username: &str) -> Result<ExitCode, Failure> {
    let password = match std::env::var("RECTIFY_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| Failure::input(format!("cannot read the password: {e}")))?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let id = runtime()?.block_on(async {
        let store = Store::connect(database).await?;
        let result = rectify_server::create_admin(&store, username, &password).await;
        store.close().await;
        result.map_err(|e| Failure::input(e.to_string()))
    })?;
    println!(
        "created system administrator {username} (user {id}); change the password and enrol the second factor at first sign-in"
    );
    Ok(ExitCode::SUCCESS)
}

fn audit_verify(database: &str) -> Result<ExitCode, Failure> {
    let result = runtime()?.block_on(async {
        let store = Store::connect(database).await?;
        let result = store.verify_audit().await;
        store.close().await;
        Ok::<_, Failure>(result)
    })?;
    match result {
        Ok(check) => {
            println!("audit trail intact: {} entries", check.entries);
            Ok(ExitCode::SUCCESS)
        }
        Err(rectify_storage::AuditVerifyError::Broken(broken)) => {
            println!("audit trail broken at entry {}: {}", broken.seq, broken.reason);
            Ok(ExitCode::from(1))
        }
        Err(rectify_storage::AuditVerifyError::Storage(e)) => Err(e.into()),
    }
}

fn backup(database: &str, output: &Path, evidence: &Path) -> Result<ExitCode, Failure> {
    let summary = runtime()?.block_on(async {
        let store = Store::connect(database).await.map_err(|e| Failure::input(e.to_string()))?;
        let result = store.backup(output, evidence, &rectify_storage::Acting::system(), chrono::Utc::now()).await;
        store.close().await;
        result.map_err(|e| Failure::input(e.to_string()))
    })?;
    let m = &summary.manifest;
    let rows: u64 = m.tables.iter().map(|t| t.rows).sum();
    println!(
        "backed up {rows} rows of {} tables, {} evidence files and {} audit entries into {} ({} bytes)",
        m.tables.len(),
        m.evidence.len(),
        m.audit.entries,
        output.display(),
        summary.bytes
    );
    if !m.missing_evidence.is_empty() {
        eprintln!(
            "warning: {} evidence files named by the database are not in {}: {} (the archive's manifest lists them all)",
            m.missing_evidence.len(),
            evidence.display(),
            first_few(&m.missing_evidence)
        );
    }
    eprintln!("note: the audit key ring is not in the archive; back it up apart from it");
    Ok(ExitCode::SUCCESS)
}

fn restore(file: &Path, database: &str, evidence: &Path) -> Result<ExitCode, Failure> {
    use rectify_storage::{AuditKeyRing, AuditKeys, ConnectOptions, DataKeyRing, DataKeys};
    // The archive's checksums first: a damaged archive touches nothing.
    let manifest = rectify_storage::backup::verify_archive(file).map_err(|e| Failure::input(e.to_string()))?;
    // The key ring: that of the backed-up database, found where this database's would be.
    let audit_keys = match rectify_storage::audit_key::key_file_for(database)? {
        Some(path) if path.exists() => AuditKeys::File(path),
        Some(path) if manifest.audit.key_ids.is_empty() => {
            AuditKeys::Ring(AuditKeyRing::load_or_create(&path, manifest.audit.unsigned_entries)?)
        }
        Some(path) => {
            return Err(Failure::input(format!(
                "the backed-up audit trail is signed with key(s) {}: put the key ring of the backed-up \
                 database at {} or name it with {}",
                manifest.audit.key_ids.join(", "),
                path.display(),
                rectify_storage::audit_key::KEY_FILE_ENV
            )));
        }
        None => AuditKeys::Default,
    };
    // The data key ring likewise: the backed-up database's, at this database's place. Without a
    // file there, a ring in memory: a backup that sealed nothing restores, one that did is
    // refused (naming its keys) and no stray ring is left behind.
    let data_keys = match rectify_storage::sealed::key_file_for(database)? {
        Some(path) if path.exists() => DataKeys::File(path),
        Some(_) => DataKeys::Ring(DataKeyRing::generate()?),
        None => DataKeys::Default,
    };
    let new_sqlite_file = sqlite_file(database).filter(|path| !path.exists());
    let result = runtime()?.block_on(async {
        let store = Store::connect_with(database, ConnectOptions { audit_keys, data_keys }).await?;
        let result = store.restore(file, evidence).await;
        // The archive leaves the search index out: built here, so that the first start of a
        // server on the restored database serves at once (a province: 1.5 minutes of indexing).
        let result = match result {
            Ok(summary) => {
                eprintln!("restored; building the search index…");
                let started = std::time::Instant::now();
                match store.ensure_search_index().await {
                    Ok(texts) => eprintln!(
                        "search index built: {} texts in {:.1} s",
                        texts.unwrap_or(0),
                        started.elapsed().as_secs_f64()
                    ),
                    Err(error) => {
                        eprintln!("warning: the search index was not built ({error}); the server builds it at start")
                    }
                }
                Ok(summary)
            }
            Err(error) => Err(error),
        };
        store.close().await;
        result.map_err(|e| Failure::input(e.to_string()))
    });
    let summary = match result {
        Ok(summary) => summary,
        Err(failure) => {
            // A database file this command created holds nothing: it goes too.
            if let Some(path) = new_sqlite_file {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            return Err(Failure { code: 2, ..failure });
        }
    };
    println!(
        "restored {} rows, {} evidence files and {} audit entries from {}",
        summary.rows,
        summary.evidence_files,
        summary.audit_entries,
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The file of a `sqlite:PATH` URL (not of an in-memory database).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let path = rest.strip_prefix("//").unwrap_or(rest).split('?').next()?;
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

fn audit_rotate_key(database: &str) -> Result<ExitCode, Failure> {
    let (path, id) = runtime()?.block_on(async {
        // Connecting checks that the ring is this database's before a key is added to it.
        let store = Store::connect(database).await?;
        let path = store.audit_keys().path().map(Path::to_path_buf);
        store.close().await;
        let path = path.ok_or_else(|| Failure::input("an in-memory database has no key ring to rotate"))?;
        let id = rectify_storage::AuditKeyRing::rotate(&path)?;
        let store = Store::connect(database).await?;
        let record = rectify_storage::AuditRecord::new(
            &rectify_storage::Acting::system(),
            "audit.rotate_key",
            "audit_key",
            None,
            chrono::Utc::now(),
        )
        .after(serde_json::json!({ "key_id": id }));
        let result = store.record_security_event(&record).await;
        store.close().await;
        result?;
        Ok::<_, Failure>((path, id))
    })?;
    println!(
        "audit key ring {}: new key {id} signs from now on (restart running servers so that they use it); \
         back up the ring again",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn keys_rotate_data(database: &str, evidence: &Path) -> Result<ExitCode, Failure> {
    let (path, id, rows, secrets, files) = runtime()?.block_on(async {
        // Connecting checks that the ring is this database's before a key is added to it.
        let store = Store::connect(database).await?;
        let path = store.data_keys().path().map(Path::to_path_buf);
        store.close().await;
        let path = path.ok_or_else(|| Failure::input("an in-memory database has no data key ring to rotate"))?;
        let id = rectify_storage::DataKeyRing::rotate(&path)?;
        // Connecting with the new key re-seals every feedback row and TOTP secret under it (audited
        // per batch).
        let store = Store::connect(database).await?;
        let rows = store.feedback_sealed_with(&id).await?;
        let secrets = store.totp_secrets_sealed_with(&id).await?;
        let files = rectify_storage::EvidenceStore::new(evidence).with_keys(store.data_keys());
        let sealed = files.seal_files().map_err(|e| Failure::other(e.to_string()));
        let result = match sealed {
            Ok(done) => store
                .record_data_key_rotation(&rectify_storage::Acting::system(), rows, done.sealed, chrono::Utc::now())
                .await
                .map(|()| done.sealed)
                .map_err(Failure::from),
            Err(e) => Err(e),
        };
        store.close().await;
        Ok::<_, Failure>((path, id, rows, secrets, result?))
    })?;
    println!(
        "data key ring {}: new key {id} seals from now on; re-sealed {rows} feedback rows and {files} evidence \
         files, and {secrets} TOTP secrets (restart running servers so that they seal with it); back up the ring again",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    // If the signal handler cannot be installed the server simply runs until killed.
    let _ = tokio::signal::ctrl_c().await;
}

fn read_ledger_json(path: &Path) -> Result<Ledger, Failure> {
    let text = fs::read_to_string(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    Ledger::from_json(&text)
        .map_err(|e| Failure::input(format!("{}: invalid ledger at {}: {}", path.display(), e.path, e.message)))
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure::other(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").map_err(|e| Failure::other(e.to_string()))
}

/// Writes next to the target and renames, so a failure never leaves half a document behind.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let file_name = path.file_name().ok_or_else(|| Failure::input(format!("{} is not a file name", path.display())))?;
    let tmp = dir.join(format!(".{}.partial", file_name.to_string_lossy()));
    fs::write(&tmp, bytes).and_then(|_| fs::rename(&tmp, path)).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Failure::other(format!("cannot write {}: {e}", path.display()))
    })
}

fn search(
    database: &str,
    words: &str,
    json: bool,
    limit: Option<u64>,
    offset: Option<u64>,
    reindex: bool,
) -> Result<ExitCode, Failure> {
    let answer = runtime()?.block_on(async {
        let store = Store::connect(database).await?;
        let result = async {
            if reindex {
                let started = std::time::Instant::now();
                let texts = store.rebuild_search_index(&rectify_storage::Acting::system(), chrono::Utc::now()).await?;
                eprintln!("indexed {texts} texts in {:.1} s", started.elapsed().as_secs_f64());
            }
            if words.trim().is_empty() {
                return Ok(None);
            }
            rectify_server::search_everything(store.clone(), words, limit, offset)
                .await
                .map(Some)
                .map_err(|e| Failure::input(e.to_string()))
        }
        .await;
        store.close().await;
        result
    })?;
    let Some(answer) = answer else { return Ok(ExitCode::SUCCESS) };
    if json {
        print_json(&answer)?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = |v: &serde_json::Value, key: &str| v.get(key).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    let items = answer.get("items").and_then(|i| i.as_array()).cloned().unwrap_or_default();
    let total = answer.get("total").and_then(serde_json::Value::as_u64).unwrap_or(0);
    let mut out = std::io::stdout().lock();
    let shown = items.len();
    let mut lines = vec![format!(
        "{total} hits{}",
        if (shown as u64) < total { format!(", {shown} shown") } else { String::new() }
    )];
    for item in &items {
        let id = item.get("id").and_then(serde_json::Value::as_i64).unwrap_or(0);
        lines.push(format!("{} {id}  {}  {}", text(item, "kind"), text(item, "unit"), text(item, "title")));
        lines.push(format!("    {}", text(item, "snippet")));
    }
    for line in lines {
        writeln!(out, "{line}").map_err(|e| Failure::other(e.to_string()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The first items of a list that may be very long (a province's evidence: hundreds of
/// thousands), and how many more there are: a warning stays one readable line.
fn first_few(items: &[String]) -> String {
    const SHOWN: usize = 5;
    let shown = items.iter().take(SHOWN).map(String::as_str).collect::<Vec<_>>().join(", ");
    match items.len().checked_sub(SHOWN) {
        Some(more) if more > 0 => format!("{shown} and {more} more"),
        _ => shown,
    }
}

#[cfg(test)]
mod tests {
    use super::first_few;

    #[test]
    fn a_long_list_is_cut_to_five_and_a_count() {
        let items: Vec<String> = (1..=464_287).map(|i| format!("h{i}")).collect();
        assert_eq!(first_few(&items), "h1, h2, h3, h4, h5 and 464282 more");
        assert_eq!(first_few(&items[..5]), "h1, h2, h3, h4, h5");
        assert_eq!(first_few(&items[..2]), "h1, h2");
    }
}
