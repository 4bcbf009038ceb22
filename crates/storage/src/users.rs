//! User accounts, their roles with data scopes, password history and sessions.
//!
//! Storage keeps what the auth layer hands it (PHC strings, hashes of session tokens, TOTP
//! secrets) and enforces what must hold whatever the caller: unique usernames and the
//! separation of the three administrators (三员分立) on every role change.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rectify_domain::roles::{Role, RoleConflict, check_roles};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{AuditRecord, timestamp};
use crate::codec::unsigned;
use crate::{Acting, InspectionId, StorageError, Store, UserId};

/// A role granted to a user, limited to a data scope; `None` means "all".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleGrant {
    pub role: Role,
    pub inspection_id: Option<InspectionId>,
    pub department: Option<String>,
    /// For 分管领导: the leader's name as the ledger's responsibility columns write it.
    pub leader_name: Option<String>,
}

impl RoleGrant {
    /// The role without any limit of scope.
    pub fn everywhere(role: Role) -> RoleGrant {
        RoleGrant { role, inspection_id: None, department: None, leader_name: None }
    }
}

/// An account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_phc: String,
    pub must_change_password: bool,
    pub roles: Vec<RoleGrant>,
}

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_phc: String,
    pub password_changed_at: String,
    pub must_change_password: bool,
    pub failed_attempts: u32,
    pub locked_until: Option<String>,
    /// Sealed at rest (SM4, bound to the account's id); opened by [`Store::open_totp_secret`].
    #[serde(skip)]
    pub totp_secret: Option<StoredTotpSecret>,
    pub totp_last_step: Option<i64>,
    pub disabled: bool,
    pub created_at: String,
    pub roles: Vec<RoleGrant>,
}

impl User {
    pub fn roles(&self) -> Vec<Role> {
        self.roles.iter().map(|g| g.role).collect()
    }
}

/// A TOTP secret as the `users` row holds it: sealed with the data key ring under the context
/// of its account ([`crate::sealed::totp_context`]), or, until the start-up pass seals it, the
/// base32 text of a row from before sealing. Its `Debug` shows neither; only
/// [`Store::open_totp_secret`] reads it.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredTotpSecret(String);

impl StoredTotpSecret {
    /// Whether it is sealed (not a plaintext row awaiting the start-up pass).
    pub fn is_sealed(&self) -> bool {
        self.0.starts_with(crate::sealed::TEXT_PREFIX)
    }
}

impl std::fmt::Debug for StoredTotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_sealed() { "StoredTotpSecret(sealed)" } else { "StoredTotpSecret(plaintext)" })
    }
}

/// A TOTP secret as the `users` row of account `user_id` holds it, opened: sealed, or the
/// plaintext of a row from before sealing (until the start-up pass seals it).
pub(crate) fn open_stored_totp(
    keys: &crate::sealed::DataKeyRing,
    user_id: UserId,
    stored: &str,
) -> Result<String, crate::sealed::SealError> {
    if stored.starts_with(crate::sealed::TEXT_PREFIX) {
        keys.open_text(&crate::sealed::totp_context(user_id), stored)
    } else {
        Ok(stored.to_owned())
    }
}

/// The login counters the auth layer keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginStatus {
    pub failed_attempts: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

/// One login session, known by the hash of its token. Times are RFC 3339 UTC with microseconds
/// (the form [`Session::new`] writes), so that they compare as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub token_hash: String,
    pub user_id: UserId,
    pub created_at: String,
    pub last_seen_at: String,
    pub csrf_token: String,
    pub address: Option<String>,
}

impl Session {
    /// A session starting `now`.
    pub fn new(
        token_hash: impl Into<String>,
        user_id: UserId,
        csrf_token: impl Into<String>,
        address: Option<String>,
        now: DateTime<Utc>,
    ) -> Session {
        let at = timestamp(now);
        Session {
            token_hash: token_hash.into(),
            user_id,
            created_at: at.clone(),
            last_seen_at: at,
            csrf_token: csrf_token.into(),
            address,
        }
    }
}

/// Why an account change was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the username {0:?} is taken")]
    DuplicateUsername(String),
    #[error("the username must not be empty")]
    EmptyUsername,
    #[error(transparent)]
    Roles(#[from] RoleConflict),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Storage(e.into())
    }
}

const USER_COLUMNS: &str = "id, username, display_name, password_phc, password_changed_at, must_change_password, \
                            failed_attempts, locked_until, totp_secret, totp_last_step, disabled, created_at";

fn user(row: &AnyRow, roles: Vec<RoleGrant>) -> Result<User, StorageError> {
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        password_phc: row.try_get("password_phc")?,
        password_changed_at: row.try_get("password_changed_at")?,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        failed_attempts: unsigned("users.failed_attempts", row.try_get("failed_attempts")?)?,
        locked_until: row.try_get("locked_until")?,
        totp_secret: row.try_get::<Option<String>, _>("totp_secret")?.map(StoredTotpSecret),
        totp_last_step: row.try_get("totp_last_step")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        created_at: row.try_get("created_at")?,
        roles,
    })
}

async fn load_roles(conn: &mut AnyConnection, user_id: UserId) -> Result<Vec<RoleGrant>, StorageError> {
    let rows = sqlx::query(
        "SELECT role, inspection_id, department, leader_name FROM user_roles WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            role_grant(
                &row.try_get::<String, _>("role")?,
                row.try_get("inspection_id")?,
                row.try_get("department")?,
                row.try_get("leader_name")?,
            )
        })
        .collect()
}

fn role_grant(
    name: &str,
    inspection_id: Option<InspectionId>,
    department: Option<String>,
    leader_name: Option<String>,
) -> Result<RoleGrant, StorageError> {
    let role = Role::from_name(name)
        .ok_or_else(|| StorageError::corrupt("user_roles.role", format!("unknown role {name:?}")))?;
    Ok(RoleGrant { role, inspection_id, department, leader_name })
}

async fn insert_roles(conn: &mut AnyConnection, user_id: UserId, roles: &[RoleGrant]) -> Result<(), StorageError> {
    for grant in roles {
        sqlx::query(
            "INSERT INTO user_roles (user_id, role, inspection_id, department, leader_name) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user_id)
        .bind(grant.role.as_str())
        .bind(grant.inspection_id)
        .bind(grant.department.clone())
        .bind(grant.leader_name.clone())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn find_user(conn: &mut AnyConnection, clause: &str, key: UserKey<'_>) -> Result<Option<User>, StorageError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {clause}");
    let query = sqlx::query(sqlx::AssertSqlSafe(sql));
    let query = match key {
        UserKey::Id(id) => query.bind(id),
        UserKey::Name(name) => query.bind(name.to_owned()),
    };
    let Some(row) = query.fetch_optional(&mut *conn).await? else { return Ok(None) };
    let id: UserId = row.try_get("id")?;
    let roles = load_roles(conn, id).await?;
    Ok(Some(user(&row, roles)?))
}

#[derive(Clone, Copy)]
enum UserKey<'a> {
    Id(UserId),
    Name(&'a str),
}

fn session(row: &AnyRow) -> Result<Session, sqlx::Error> {
    Ok(Session {
        token_hash: row.try_get("token_hash")?,
        user_id: row.try_get("user_id")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        csrf_token: row.try_get("csrf_token")?,
        address: row.try_get("address")?,
    })
}

fn not_found(user_id: UserId) -> StorageError {
    StorageError::NotFound(format!("no user has id {user_id}"))
}

impl Store {
    /// Creates an account; refuses a taken username and role sets that break 三员分立.
    pub async fn create_user(&self, new: &NewUser, actor: &Acting, now: DateTime<Utc>) -> Result<UserId, AccountError> {
        let username = new.username.trim();
        if username.is_empty() {
            return Err(AccountError::EmptyUsername);
        }
        let name = rectify_domain::limits::NAME;
        name.check(username).and_then(|()| name.check(&new.display_name)).map_err(crate::error::too_long)?;
        check_grant_texts(&new.roles)?;
        check_roles(&new.roles.iter().map(|g| g.role).collect::<Vec<_>>())?;
        let mut tx = self.begin_write().await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(username.to_owned())
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(AccountError::DuplicateUsername(username.to_owned()));
        }
        let at = timestamp(now);
        let id: UserId = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, password_phc, password_changed_at, must_change_password, \
             created_at) VALUES ($1, $2, $3, $4, $5, $4) RETURNING id",
        )
        .bind(username.to_owned())
        .bind(new.display_name.clone())
        .bind(new.password_phc.clone())
        .bind(at)
        .bind(i16::from(new.must_change_password))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match e {
            // Another session created the same username between the check and the insert.
            sqlx::Error::Database(ref db) if db.is_unique_violation() => {
                AccountError::DuplicateUsername(username.to_owned())
            }
            other => other.into(),
        })?;
        insert_roles(&mut tx, id, &new.roles).await?;
        let record = AuditRecord::new(actor, "user.create", "user", Some(id), now).after(json!({
            "username": username,
            "display_name": new.display_name,
            "roles": new.roles,
        }));
        tx.commit(&record).await?;
        Ok(id)
    }

    pub async fn get_user(&self, id: UserId) -> Result<Option<User>, StorageError> {
        let mut conn = self.readers.acquire().await?;
        find_user(&mut conn, "id = $1", UserKey::Id(id)).await
    }

    pub async fn find_user_by_username(&self, username: &str) -> Result<Option<User>, StorageError> {
        let mut conn = self.readers.acquire().await?;
        find_user(&mut conn, "username = $1", UserKey::Name(username.trim())).await
    }

    /// The display names (姓名) of the accounts among `ids` that exist, for pages that show who
    /// did something: one query per 500 ids, whatever the number of accounts.
    pub async fn display_names(&self, ids: &[UserId]) -> Result<HashMap<UserId, String>, StorageError> {
        let mut wanted: Vec<UserId> = ids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut names = HashMap::with_capacity(wanted.len());
        for chunk in wanted.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("SELECT id, display_name FROM users WHERE id IN ({})", placeholders.join(", "));
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&self.readers).await? {
                names.insert(row.try_get("id")?, row.try_get("display_name")?);
            }
        }
        Ok(names)
    }

    /// The display names (姓名) of the accounts among `logins` that exist, by login name: for
    /// records that kept only the login of who did something (a spot-check round's drawer and
    /// recorders). One query per 500 logins, whatever the number of records.
    pub async fn display_names_by_login(&self, logins: &[String]) -> Result<HashMap<String, String>, StorageError> {
        let mut wanted: Vec<&str> = logins.iter().map(String::as_str).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut names = HashMap::with_capacity(wanted.len());
        for chunk in wanted.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql =
                format!("SELECT username, display_name FROM users WHERE username IN ({})", placeholders.join(", "));
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for login in chunk {
                query = query.bind((*login).to_owned());
            }
            for row in query.fetch_all(&self.readers).await? {
                names.insert(row.try_get("username")?, row.try_get("display_name")?);
            }
        }
        Ok(names)
    }

    /// A page of the accounts by login name, with how many there are.
    pub async fn list_users_page(&self, page: crate::Page) -> Result<(Vec<User>, u64), StorageError> {
        let mut conn = self.readers.acquire().await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut *conn).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY username LIMIT $1 OFFSET $2"
        )))
        .bind(i64::from(page.limit))
        .bind(i64::try_from(page.offset).unwrap_or(i64::MAX))
        .fetch_all(&mut *conn)
        .await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in &rows {
            let roles = load_roles(&mut conn, row.try_get("id")?).await?;
            users.push(user(row, roles)?);
        }
        Ok((users, crate::codec::unsigned("users count", total)?))
    }

    pub async fn list_users(&self) -> Result<Vec<User>, StorageError> {
        let mut conn = self.readers.acquire().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users ORDER BY username")))
            .fetch_all(&mut *conn)
            .await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in &rows {
            let roles = load_roles(&mut conn, row.try_get("id")?).await?;
            users.push(user(row, roles)?);
        }
        Ok(users)
    }

    /// The enabled accounts holding one of `roles` for an inspection (a grant naming it or every
    /// inspection), by id. The caller narrows them further by the grants' data scope.
    pub async fn users_holding(&self, roles: &[Role], inspection: InspectionId) -> Result<Vec<User>, StorageError> {
        if roles.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..roles.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE disabled = 0 AND id IN (SELECT user_id FROM user_roles \
             WHERE (inspection_id IS NULL OR inspection_id = $1) AND role IN ({})) ORDER BY id",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(inspection);
        for role in roles {
            query = query.bind(role.as_str());
        }
        let mut conn = self.readers.acquire().await?;
        let rows = query.fetch_all(&mut *conn).await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in &rows {
            let roles = load_roles(&mut conn, row.try_get("id")?).await?;
            users.push(user(row, roles)?);
        }
        Ok(users)
    }

    /// Stores the login counters (the login itself is recorded with `record_security_event`).
    pub async fn update_login_status(&self, user_id: UserId, status: LoginStatus) -> Result<(), StorageError> {
        let done = self
            .execute_write(
                sqlx::query("UPDATE users SET failed_attempts = $1, locked_until = $2 WHERE id = $3")
                    .bind(i64::from(status.failed_attempts))
                    .bind(status.locked_until.map(timestamp))
                    .bind(user_id),
            )
            .await?;
        if done.rows_affected() == 0 { Err(not_found(user_id)) } else { Ok(()) }
    }

    /// Replaces the password; the old PHC goes into the history, of which the newest `keep` stay.
    pub async fn set_password(
        &self,
        user_id: UserId,
        new_phc: &str,
        must_change: bool,
        keep: usize,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        let old: String = sqlx::query_scalar("SELECT password_phc FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| not_found(user_id))?;
        let at = timestamp(now);
        sqlx::query("INSERT INTO password_history (user_id, password_phc, replaced_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(old)
            .bind(at.clone())
            .execute(&mut *tx)
            .await?;
        let keep = i64::try_from(keep).map_err(|_| StorageError::Invalid("history length too large".into()))?;
        sqlx::query(
            "DELETE FROM password_history WHERE user_id = $1 AND id NOT IN \
             (SELECT id FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2)",
        )
        .bind(user_id)
        .bind(keep)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE users SET password_phc = $1, password_changed_at = $2, must_change_password = $3 WHERE id = $4",
        )
        .bind(new_phc.to_owned())
        .bind(at)
        .bind(i16::from(must_change))
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        // Never the hashes themselves: the trail is read by the audit administrator.
        let record = AuditRecord::new(actor, "user.set_password", "user", Some(user_id), now)
            .after(json!({ "must_change_password": must_change }));
        tx.commit(&record).await?;
        Ok(())
    }

    /// The PHC strings the user had before, newest first (to refuse reuse).
    pub async fn password_history(&self, user_id: UserId) -> Result<Vec<String>, StorageError> {
        Ok(sqlx::query_scalar("SELECT password_phc FROM password_history WHERE user_id = $1 ORDER BY id DESC")
            .bind(user_id)
            .fetch_all(&self.readers)
            .await?)
    }

    /// Replaces the roles of an account (a permission change, audited with before and after).
    pub async fn set_roles(
        &self,
        user_id: UserId,
        roles: &[RoleGrant],
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), AccountError> {
        check_roles(&roles.iter().map(|g| g.role).collect::<Vec<_>>())?;
        check_grant_texts(roles)?;
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE id = $1").bind(user_id).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            return Err(not_found(user_id).into());
        }
        let before = load_roles(&mut tx, user_id).await?;
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        insert_roles(&mut tx, user_id, roles).await?;
        let record = AuditRecord::new(actor, "user.set_roles", "user", Some(user_id), now)
            .before(json!({ "roles": before }))
            .after(json!({ "roles": roles }));
        tx.commit(&record).await?;
        Ok(())
    }

    /// Enables or disables an account; disabling also ends its sessions.
    pub async fn set_disabled(
        &self,
        user_id: UserId,
        disabled: bool,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(i16::from(disabled))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(not_found(user_id));
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        }
        let action = if disabled { "user.disable" } else { "user.enable" };
        tx.commit(&AuditRecord::new(actor, action, "user", Some(user_id), now)).await?;
        Ok(())
    }

    /// Sets or clears the TOTP secret (enrolment); the step counter starts afresh. The secret is
    /// stored sealed under the current data key, bound to the account (数据存储保密性).
    pub async fn set_totp(
        &self,
        user_id: UserId,
        secret: Option<&str>,
        actor: &Acting,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let sealed =
            secret.map(|secret| self.data_keys.seal_text(&crate::sealed::totp_context(user_id), secret)).transpose()?;
        let mut tx = self.begin_write().await?;
        let registered = if sealed.is_some() { self.register_data_key_once(&mut tx, now).await? } else { false };
        let done = sqlx::query("UPDATE users SET totp_secret = $1, totp_last_step = NULL WHERE id = $2")
            .bind(sealed)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(not_found(user_id));
        }
        let action = if secret.is_some() { "user.totp_enrol" } else { "user.totp_clear" };
        tx.commit(&AuditRecord::new(actor, action, "user", Some(user_id), now)).await?;
        self.data_key_committed(registered);
        Ok(())
    }

    /// The account's TOTP secret (base32), opened: `None` when none is enrolled; an error (never
    /// a wrong secret) when the stored value was changed, moved from another account, or sealed
    /// with a key the ring lacks. A plaintext row from before sealing reads as it is.
    pub fn open_totp_secret(&self, user: &User) -> Result<Option<String>, StorageError> {
        let Some(StoredTotpSecret(stored)) = &user.totp_secret else { return Ok(None) };
        Ok(Some(open_stored_totp(&self.data_keys, user.id, stored)?))
    }

    /// Records that a TOTP code of time step `step` was accepted; `false` when that step (or a
    /// later one) was already used, i.e. the code is being replayed. Atomic, so two logins with the
    /// same code cannot both succeed.
    pub async fn use_totp_step(&self, user_id: UserId, step: i64) -> Result<bool, StorageError> {
        let query = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user_id);
        let done = self.execute_write(query).await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn create_session(&self, session: &Session) -> Result<(), StorageError> {
        self.execute_write(
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, csrf_token, address) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(session.token_hash.clone())
            .bind(session.user_id)
            .bind(session.created_at.clone())
            .bind(session.last_seen_at.clone())
            .bind(session.csrf_token.clone())
            .bind(session.address.clone()),
        )
        .await?;
        Ok(())
    }

    pub async fn find_session(&self, token_hash: &str) -> Result<Option<Session>, StorageError> {
        let row = sqlx::query(
            "SELECT token_hash, user_id, created_at, last_seen_at, csrf_token, address FROM sessions \
             WHERE token_hash = $1",
        )
        .bind(token_hash.to_owned())
        .fetch_optional(&self.readers)
        .await?;
        Ok(row.as_ref().map(session).transpose()?)
    }

    /// A session with its account and the account's roles, if the account still exists: what
    /// every signed-in request reads first, in ONE statement (one row per role; a session whose
    /// account has no role, or no account, gives one row with NULLs) — each statement is a
    /// hand-off to the database's worker, the largest part of a small request's cost.
    pub async fn find_session_with_user(
        &self,
        token_hash: &str,
    ) -> Result<Option<(Session, Option<User>)>, StorageError> {
        let memory = self.memories.as_ref().map(|r| &r.sessions);
        crate::memory::read_through(memory, token_hash.to_owned(), async || {
            self.read_session_with_user(token_hash).await
        })
        .await
    }

    /// [`Store::find_session_with_user`] from the database.
    async fn read_session_with_user(&self, token_hash: &str) -> Result<Option<(Session, Option<User>)>, StorageError> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            let user_columns: String =
                USER_COLUMNS.split(',').map(|c| format!("u.{}", c.trim())).collect::<Vec<_>>().join(", ");
            format!(
                "SELECT s.token_hash, s.user_id, s.created_at AS session_created_at, s.last_seen_at, s.csrf_token, \
                 s.address AS session_address, {user_columns}, r.role AS grant_role, \
                 r.inspection_id AS grant_inspection_id, r.department AS grant_department, \
                 r.leader_name AS grant_leader_name \
                 FROM sessions s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN user_roles r ON r.user_id = u.id \
                 WHERE s.token_hash = $1 ORDER BY r.id"
            )
        });
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(SQL.as_str())).bind(token_hash.to_owned()).fetch_all(&self.readers).await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let session = Session {
            token_hash: first.try_get("token_hash")?,
            user_id: first.try_get("user_id")?,
            created_at: first.try_get("session_created_at")?,
            last_seen_at: first.try_get("last_seen_at")?,
            csrf_token: first.try_get("csrf_token")?,
            address: first.try_get("session_address")?,
        };
        let user = match first.try_get::<Option<UserId>, _>("id")? {
            Some(_) => {
                let mut roles = Vec::with_capacity(rows.len());
                for row in &rows {
                    if let Some(name) = row.try_get::<Option<String>, _>("grant_role")? {
                        roles.push(role_grant(
                            &name,
                            row.try_get("grant_inspection_id")?,
                            row.try_get("grant_department")?,
                            row.try_get("grant_leader_name")?,
                        )?);
                    }
                }
                Some(user(first, roles)?)
            }
            None => None,
        };
        Ok(Some((session, user)))
    }

    /// Marks the session as used now; `false` if it no longer exists.
    pub async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<bool, StorageError> {
        let done = self
            .execute_write(
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                    .bind(timestamp(now))
                    .bind(token_hash.to_owned()),
            )
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<bool, StorageError> {
        let done = self
            .execute_write(sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash.to_owned()))
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends every session of a user (password change, lockout, role change); returns how many.
    pub async fn delete_user_sessions(&self, user_id: UserId) -> Result<u64, StorageError> {
        let done = self.execute_write(sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id)).await?;
        Ok(done.rows_affected())
    }

    /// Ends the sessions idle since before `idle_before` or created before `created_before`.
    pub async fn delete_expired_sessions(
        &self,
        idle_before: DateTime<Utc>,
        created_before: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        let done = self
            .execute_write(
                sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
                    .bind(timestamp(idle_before))
                    .bind(timestamp(created_before)),
            )
            .await?;
        Ok(done.rows_affected())
    }

    /// The sign-in failure counter of a typed name, under its key (`rectify_auth::lockout_key`);
    /// zero and unlocked when none is stored. Known and unknown names alike.
    pub async fn login_failures(&self, name_key: &str) -> Result<LoginStatus, StorageError> {
        let row = sqlx::query("SELECT failed_attempts, locked_until FROM login_failures WHERE name_key = $1")
            .bind(name_key.to_owned())
            .fetch_optional(&self.readers)
            .await?;
        let Some(row) = row else { return Ok(LoginStatus { failed_attempts: 0, locked_until: None }) };
        let attempts: i64 = row.try_get("failed_attempts")?;
        let until: Option<String> = row.try_get("locked_until")?;
        Ok(LoginStatus {
            failed_attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            locked_until: until
                .map(|t| {
                    DateTime::parse_from_rfc3339(&t)
                        .map(|t| t.to_utc())
                        .map_err(|e| StorageError::corrupt("login_failures.locked_until", e))
                })
                .transpose()?,
        })
    }

    /// Stores a typed name's counter (the sign-in itself is recorded with
    /// `record_security_event`); a counter back at zero and unlocked removes the row.
    pub async fn set_login_failures(
        &self,
        name_key: &str,
        status: LoginStatus,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let query = if status.failed_attempts == 0 && status.locked_until.is_none() {
            sqlx::query("DELETE FROM login_failures WHERE name_key = $1").bind(name_key.to_owned())
        } else {
            sqlx::query(
                "INSERT INTO login_failures (name_key, failed_attempts, locked_until, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (name_key) DO UPDATE SET failed_attempts = excluded.failed_attempts, \
                 locked_until = excluded.locked_until, updated_at = excluded.updated_at",
            )
            .bind(name_key.to_owned())
            .bind(i64::from(status.failed_attempts))
            .bind(status.locked_until.map(timestamp))
            .bind(timestamp(now))
        };
        self.execute_write(query).await?;
        Ok(())
    }

    /// Removes counters last changed before `before` whose lockout (if any) has ended by then,
    /// so that failures under made-up names do not pile up; returns how many.
    pub async fn prune_login_failures(&self, before: DateTime<Utc>) -> Result<u64, StorageError> {
        let done = self
            .execute_write(
                sqlx::query(
                    "DELETE FROM login_failures WHERE updated_at < $1 AND (locked_until IS NULL OR locked_until < $1)",
                )
                .bind(timestamp(before)),
            )
            .await?;
        Ok(done.rows_affected())
    }
}

/// The department and leader names of role grants within their limit.
fn check_grant_texts(roles: &[RoleGrant]) -> Result<(), StorageError> {
    let name = rectify_domain::limits::NAME;
    roles
        .iter()
        .try_for_each(|g| {
            name.check_opt(g.department.as_deref()).and_then(|()| name.check_opt(g.leader_name.as_deref()))
        })
        .map_err(crate::error::too_long)
}
