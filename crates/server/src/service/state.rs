//! What every handler shares: the store, the clock, the security policy, the evidence files,
//! the pending uploads and the portal's limiters.

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use rectify_auth::{Clock, SecurityPolicy, SystemClock};
use rectify_storage::{Backend, EvidenceStore, Store};

use super::portal_limits::{Portal, PortalConfig};
use super::uploads::Uploads;
use crate::error::AppError;

/// The largest evidence file accepted (scans and photos of minutes fit; videos do not belong here).
pub const EVIDENCE_LIMIT_BYTES: usize = 10 * 1024 * 1024;

/// The largest report or workbook accepted for import in the browser.
pub const UPLOAD_LIMIT_BYTES: usize = 10 * 1024 * 1024;

/// Where evidence files go when nothing else is configured: beside the default data directory of
/// `rectify demo`, outside any directory the server serves.
const DEFAULT_EVIDENCE_DIR: &str = "rectify-data/evidence";

/// What every handler shares. Cloning is cheap: the store is a connection pool.
#[derive(Clone)]
pub struct AppState {
    store: Store,
    uploads: Uploads,
    today: Option<NaiveDate>,
    clock: Arc<dyn Clock>,
    /// Shared by every clone, so that a change by the security administrator reaches all requests.
    policy: Arc<RwLock<Arc<SecurityPolicy>>>,
    evidence: EvidenceStore,
    secure_cookies: bool,
    /// The public portal's settings and its in-memory rate limiters.
    portal: Portal,
    /// The key of the form tokens of visitors without a session (`crate::http::csrf`).
    form_key: Arc<[u8; 32]>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store)
            .field("today", &self.today)
            .field("now", &self.clock.now())
            .field("policy", &self.policy)
            .field("evidence", &self.evidence.root())
            .field("secure_cookies", &self.secure_cookies)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The state with the system clock, the level-3 default policy, evidence under
    /// `$RECTIFY_EVIDENCE_DIR` (else `rectify-data/evidence`) and `Secure` cookies when
    /// `RECTIFY_SECURE_COOKIES=1`.
    pub fn new(store: Store) -> Self {
        let evidence_dir =
            std::env::var_os("RECTIFY_EVIDENCE_DIR").map_or_else(|| PathBuf::from(DEFAULT_EVIDENCE_DIR), PathBuf::from);
        let data_keys = store.data_keys();
        Self {
            store,
            uploads: Uploads::default(),
            today: None,
            clock: Arc::new(SystemClock),
            policy: Arc::new(RwLock::new(Arc::new(SecurityPolicy::default()))),
            evidence: EvidenceStore::new(evidence_dir).with_max_bytes(EVIDENCE_LIMIT_BYTES as u64).with_keys(data_keys),
            secure_cookies: std::env::var("RECTIFY_SECURE_COOKIES").is_ok_and(|v| v == "1"),
            portal: Portal::default(),
            form_key: Arc::new(form_key_from_env().unwrap_or_else(random_key)),
        }
    }

    /// Replaces the clock (tests use `rectify_auth::FixedClock` to reach timeouts exactly).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Replaces the security policy (callers validate it first; see `SecurityPolicy::validate`).
    #[must_use]
    pub fn with_policy(mut self, policy: SecurityPolicy) -> Self {
        self.policy = Arc::new(RwLock::new(Arc::new(policy)));
        self
    }

    /// Replaces the policy of this state and of every clone of it (after the security
    /// administrator saved a validated one).
    pub(crate) fn set_policy(&self, policy: SecurityPolicy) {
        *self.policy.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(policy);
    }

    /// Takes the policy the security administrator stored, if any, so that it survives restarts.
    /// A stored policy that no longer parses or validates is ignored with a warning (the level-3
    /// default or the one given to [`AppState::with_policy`] stays).
    pub async fn load_stored_policy(&self) -> Result<(), rectify_storage::StorageError> {
        let Some(text) = self.store.security_policy().await? else { return Ok(()) };
        match serde_json::from_str::<SecurityPolicy>(&text) {
            Ok(policy) if policy.validate().is_ok() => self.set_policy(policy),
            Ok(policy) => tracing::warn!(?policy, "the stored security policy is weaker than allowed; ignored"),
            Err(error) => tracing::warn!(%error, "the stored security policy does not parse; ignored"),
        }
        Ok(())
    }

    /// Stores evidence files under `dir` (created on the first upload), e.g. `DATA/evidence`.
    #[must_use]
    pub fn with_evidence_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.evidence =
            EvidenceStore::new(dir).with_max_bytes(EVIDENCE_LIMIT_BYTES as u64).with_keys(self.store.data_keys());
        self
    }

    /// Replaces the evidence store (e.g. with a smaller size limit); its files are sealed with
    /// the store's data keys unless it was given keys of its own.
    #[must_use]
    pub fn with_evidence_store(mut self, evidence: EvidenceStore) -> Self {
        self.evidence = if evidence.seals() { evidence } else { evidence.with_keys(self.store.data_keys()) };
        self
    }

    /// Marks every session cookie `Secure`, for deployments behind TLS.
    #[must_use]
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }

    /// Replaces the public portal's settings (public address for QR codes, rate limits); by
    /// default they come from `PortalConfig::from_env`.
    #[must_use]
    pub fn with_portal(mut self, config: PortalConfig) -> Self {
        self.portal = Portal::new(config);
        self
    }

    /// Pins the date the deadline lights are computed for (tests, reproducible screenshots);
    /// by default it is the date in Beijing of each request.
    #[must_use]
    pub fn with_today(mut self, today: NaiveDate) -> Self {
        self.today = Some(today);
        self
    }

    /// The current instant, from the injected clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The security policy in force (a snapshot: a concurrent change applies to later requests).
    pub fn policy(&self) -> Arc<SecurityPolicy> {
        Arc::clone(&self.policy.read().unwrap_or_else(PoisonError::into_inner))
    }

    pub fn evidence(&self) -> &EvidenceStore {
        &self.evidence
    }

    pub(crate) fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }

    pub(crate) fn uploads(&self) -> &Uploads {
        &self.uploads
    }

    /// Takes the form key every app server on this database shares (made by the first to start),
    /// unless `RECTIFY_FORM_KEY` sets one: a form served by one server is accepted by the others.
    pub async fn load_shared_form_key(&mut self) -> Result<(), AppError> {
        if form_key_from_env().is_none() {
            let key = self.store.shared_form_key(random_key(), self.now()).await?;
            self.form_key = Arc::new(key);
        }
        Ok(())
    }

    pub(crate) fn form_key(&self) -> &[u8; 32] {
        &self.form_key
    }

    pub(crate) fn portal(&self) -> &Portal {
        &self.portal
    }

    /// The store, for embedding applications and tests; the server's own handlers reach it
    /// only through this layer's functions.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The date deadline lights are computed for: the date in Beijing now, unless pinned.
    pub fn today(&self) -> NaiveDate {
        self.today.unwrap_or_else(|| beijing_date(self.now()))
    }

    /// `sqlite` or `postgres`.
    pub fn database_name(&self) -> &'static str {
        match self.store.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn check_database(&self) -> Result<(), AppError> {
        self.store.is_empty().await?;
        Ok(())
    }
}

/// China Standard Time (UTC+8, no daylight saving): the time every user of the system reads.
pub const BEIJING: chrono::FixedOffset = match chrono::FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// The key of anonymous form tokens set by `RECTIFY_FORM_KEY` (64 hex digits), if it is.
fn form_key_from_env() -> Option<[u8; 32]> {
    let hex = std::env::var("RECTIFY_FORM_KEY").ok()?;
    let key = rectify_storage::key_from_hex(&hex);
    if key.is_none() {
        tracing::warn!("RECTIFY_FORM_KEY is not 64 hex digits; the database's key is used");
    }
    key
}

/// 32 random bytes.
fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    if let Err(e) = getrandom::fill(&mut key) {
        // Without an entropy source no token could be trusted.
        panic!("the operating system provides no random numbers: {e}");
    }
    key
}

/// The calendar date in Beijing at `now`.
pub fn beijing_date(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&BEIJING).date_naive()
}

/// Runs CPU-heavy work (argon2, document parsing and writing) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    Ok(tokio::task::spawn_blocking(f).await?)
}
