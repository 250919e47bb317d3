//! Login attempts per client address, counted in the database (`login_attempts`), so that every
//! app node of one database enforces one budget: a limit kept in each node's memory gave a client
//! behind a round-robin load balancer the budget once per node. The account lock-out
//! (`auth.rs`, per user) is a separate, second limit.
//!
//! An address's window starts with its first attempt and lasts [`LOGIN_WINDOW_SECS`]; the next
//! attempt after it starts a new one (as the limiter in memory did). One upsert counts an attempt
//! and returns the window's count.

use std::net::{IpAddr, Ipv6Addr};

use sqlx::Row;

use crate::{Backend, Result, Store};

/// The length of one counting window, in seconds.
pub const LOGIN_WINDOW_SECS: i64 = 60;

/// The key the attempts of `address` are counted under: an IPv4 address as it is (an IPv4
/// address mapped into IPv6, as a dual-stack listener reports it, too); an IPv6 address by its
/// /64 network, since one host or one subscriber is given a whole /64 and could otherwise take a
/// fresh budget with every address of it.
pub fn login_limit_key(address: IpAddr) -> String {
    match address.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

impl Store {
    /// Counts a login attempt from `address` at `now` (Unix seconds; the caller's clock, so that
    /// tests can move it) and answers whether it is within `budget` attempts of the address's
    /// window: `true` to go on with the login, `false` to refuse it.
    ///
    /// One short transaction, exact under concurrency on both backends: the upsert starts a new
    /// window or increments the current one under the row's lock (PostgreSQL) or the write lock
    /// (SQLite, `BEGIN IMMEDIATE`) and returns the new count, so of many concurrent attempts
    /// exactly `budget` are allowed. Over the budget the row is left as it is (no row comes
    /// back), so a flood of refused attempts does not rewrite it. The first attempt of a window
    /// deletes the rows whose window ended at least a window ago — by the index on the window,
    /// reading only what it deletes (the extra window keeps it clear of rows that another node,
    /// whose clock is a little behind, still counts in).
    ///
    /// An error is the caller's to answer: it must refuse the attempt, not let it through.
    pub async fn count_login_attempt(
        &self,
        address: IpAddr,
        budget: u32,
        now: i64,
    ) -> Result<bool> {
        let key = login_limit_key(address);
        let ended = now - LOGIN_WINDOW_SECS;
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        let counted = sqlx::query(
            "INSERT INTO login_attempts (address, window_start, attempts) VALUES ($1, $2, 1) \
             ON CONFLICT (address) DO UPDATE SET \
             window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 ELSE login_attempts.window_start END, \
             attempts = CASE WHEN login_attempts.window_start <= $3 THEN 1 ELSE login_attempts.attempts + 1 END \
             WHERE login_attempts.window_start <= $3 OR login_attempts.attempts <= $4 \
             RETURNING attempts",
        )
        .bind(&key)
        .bind(now)
        .bind(ended)
        .bind(i64::from(budget))
        .fetch_optional(&mut *tx)
        .await?;
        let attempts: Option<i64> = counted.map(|row| row.try_get("attempts")).transpose()?;
        if attempts == Some(1) {
            sqlx::query("DELETE FROM login_attempts WHERE window_start <= $1")
                .bind(ended - LOGIN_WINDOW_SECS)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(attempts.is_some_and(|n| n <= i64::from(budget)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_as_is_ipv6_by_its_64() {
        let key = |s: &str| login_limit_key(s.parse().unwrap());
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:3::1"), "2001:db8:1:3::/64");
        assert_eq!(key("::1"), "::/64");
    }
}
