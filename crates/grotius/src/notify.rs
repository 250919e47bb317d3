//! The e-mail notifier of `grotius serve --smtp-host …`: every `interval` it asks the store who
//! has something new waiting ([`Store::notifications_due`], one node per user per round) and
//! sends each of them one message through the unit's SMTP relay. The message says that
//! something waits and where to look — never what: no title, no kind, no record (see
//! `grotius_store::notify`). What was told is remembered only after the relay accepted it.

use std::time::Duration;

use anyhow::{Context, Result};
use grotius_store::{DueNotification, Store};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Where and how to send.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// The sender, e.g. `Grotius <grotius@minbuza.nl>`.
    pub from: String,
    /// The address users open Grotius at (for the link to the inbox), e.g.
    /// `https://grotius.minbuza.nl`.
    pub public_url: String,
    /// How often to look (and at most how often one user gets a message).
    pub interval: Duration,
}

/// The text of every notification: the same for every record, on purpose.
pub fn message_text(username: &str, public_url: &str) -> String {
    format!(
        "Hello {username},\n\n\
         Something new waits for you in Grotius.\n\
         Sign in to see it: {}/inbox\n\n\
         This message says nothing more on purpose: what waits may be classified.\n\n\
         --\nYou receive this because you asked for it on your account page ({}/account).\n",
        public_url.trim_end_matches('/'),
        public_url.trim_end_matches('/'),
    )
}

fn transport(cfg: &SmtpConfig) -> AsyncSmtpTransport<Tokio1Executor> {
    // The relay of a closed ministry network; the message carries nothing classified.
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host)
        .port(cfg.port)
        .timeout(Some(Duration::from_secs(20)))
        .build()
}

fn message(cfg: &SmtpConfig, due: &DueNotification) -> Result<Message> {
    let from: Mailbox = cfg
        .from
        .parse()
        .with_context(|| format!("the sender address '{}' is not an address", cfg.from))?;
    let to: Mailbox = due
        .email
        .parse()
        .with_context(|| format!("the address of {} is not an address", due.username))?;
    Ok(Message::builder()
        .from(from)
        .to(to)
        .subject("Grotius: something waits for you")
        .header(ContentType::TEXT_PLAIN)
        .body(message_text(&due.username, &cfg.public_url))?)
}

/// One round: sends what is due now; returns how many messages the relay accepted. A user whose
/// message fails is logged and retried at a later round.
pub async fn round(store: &Store, cfg: &SmtpConfig) -> Result<usize> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let interval = cfg.interval.as_secs().max(1) as i64;
    let due = store.notifications_due(now, interval).await?;
    let mailer = transport(cfg);
    let mut sent = 0;
    for d in due {
        if d.new_items.is_empty() {
            store.mark_notified(&d).await?;
            continue;
        }
        let result = match message(cfg, &d) {
            Ok(m) => mailer.send(m).await.map_err(anyhow::Error::from),
            Err(e) => Err(e),
        };
        match result {
            Ok(_) => {
                store.mark_notified(&d).await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(user = %d.username, error = %format!("{e:#}"), "notification not sent; retried at a later round")
            }
        }
    }
    Ok(sent)
}

/// Runs rounds for as long as the server runs.
pub fn spawn(store: Store, cfg: SmtpConfig) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(cfg.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match round(&store, &cfg).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sent = n, "notifications sent"),
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "notification round failed"),
            }
        }
    });
}
