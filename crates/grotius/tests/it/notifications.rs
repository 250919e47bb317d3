//! E-mail notifications against a real SMTP server (aiosmtpd, Debian's python3-aiosmtpd, started
//! by the test and storing what it receives in a Maildir): a user who asked is told once that
//! something new waits — and nothing about what; a relay that is down loses nothing (the message
//! goes out at a later round); `grotius serve --smtp-host …` sends on its own.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{Instance, bin, free_port, process_input};

/// Debian's python (the one python3-aiosmtpd installs into), not a user's own.
const PYTHON: &str = "/usr/bin/python3";

struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts aiosmtpd on a free port. Without it installed, CI fails here; elsewhere the test says
/// loudly that it did not run (`.ci/run` installs python3-aiosmtpd).
fn start_smtp() -> Option<SmtpServer> {
    let present = Command::new(PYTHON)
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !present {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3-aiosmtpd is missing: .ci/run installs it (apt-get install python3-aiosmtpd)"
        );
        eprintln!(
            "NOT RUN: the SMTP test needs python3-aiosmtpd (apt-get install python3-aiosmtpd)"
        );
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let port = free_port();
    let child = Command::new(PYTHON)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("aiosmtpd starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "aiosmtpd did not listen within 20 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(SmtpServer {
        child,
        port,
        maildir,
        _dir: dir,
    })
}

/// The messages the server stored, oldest first.
fn messages(maildir: &Path) -> Vec<String> {
    let mut files: Vec<_> = ["new", "cur"]
        .iter()
        .filter_map(|d| std::fs::read_dir(maildir.join(d)).ok())
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

fn config(port: u16) -> grotius::notify::SmtpConfig {
    grotius::notify::SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        from: "Grotius <grotius@example.org>".into(),
        public_url: "https://grotius.example.org".into(),
        interval: Duration::from_secs(1),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_is_told_once_that_something_waits_and_never_what() {
    let Some(smtp) = start_smtp() else { return };
    let instance = Instance::seeded().await;
    let store = &instance.store;
    let coordinator = instance.access("coordinator").await;
    coordinator
        .set_notification_settings("coordinator@example.org", true)
        .await
        .unwrap();
    // The analyst asked too, but nothing waits for her: no message.
    let analyst = instance.access("analyst").await;
    analyst
        .set_notification_settings("analyst@example.org", true)
        .await
        .unwrap();
    // A bad address is refused beside its field, nothing changed.
    let e = analyst
        .set_notification_settings("analyst at example", true)
        .await;
    assert!(
        matches!(e, Err(grotius_store::StoreError::Invalid(_))),
        "{e:?}"
    );

    let secret = coordinator
        .create_process(&process_input(
            "Hodeidah back channel",
            "secret",
            Some("yemen"),
        ))
        .await
        .unwrap();
    coordinator
        .assign(
            &secret.id,
            "coordinator",
            "2099-01-01",
            "call Muscat tonight",
        )
        .await
        .unwrap();

    // The relay is down: nothing sent, nothing marked as told.
    let down = config(free_port());
    assert_eq!(grotius::notify::round(store, &down).await.unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let cfg = config(smtp.port);
    assert_eq!(grotius::notify::round(store, &cfg).await.unwrap(), 1);
    let mail = messages(&smtp.maildir);
    assert_eq!(mail.len(), 1, "{mail:?}");
    let m = &mail[0];
    assert!(m.contains("To: coordinator@example.org"), "{m}");
    assert!(
        m.contains("Subject: Grotius: something waits for you"),
        "{m}"
    );
    assert!(m.contains("https://grotius.example.org/inbox"), "{m}");
    for secret_part in ["Hodeidah", "Muscat", secret.id.as_str(), "process", "yemen"] {
        assert!(
            !m.contains(secret_part),
            "the message names {secret_part}: {m}"
        );
    }

    // Told once: the next round sends nothing, until something new waits.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(grotius::notify::round(store, &cfg).await.unwrap(), 0);
    let other = coordinator
        .create_process(&process_input("Taiz crossings", "internal", None))
        .await
        .unwrap();
    coordinator
        .assign(&other.id, "coordinator", "", "")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(grotius::notify::round(store, &cfg).await.unwrap(), 1);
    assert_eq!(messages(&smtp.maildir).len(), 2);

    // Switched off: no more messages.
    coordinator
        .set_notification_settings("", false)
        .await
        .unwrap();
    coordinator
        .assign(&other.id, "coordinator", "", "again")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(grotius::notify::round(store, &cfg).await.unwrap(), 0);
    assert!(
        messages(&smtp.maildir)
            .iter()
            .all(|m| !m.contains("analyst@example.org"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grotius_serve_sends_notifications_through_the_relay() {
    let Some(smtp) = start_smtp() else { return };
    let instance = Instance::seeded().await;
    let desk = instance.access("desk-officer").await;
    desk.set_notification_settings("desk@example.org", true)
        .await
        .unwrap();
    let port = free_port();
    let mut cmd = Command::new(bin());
    cmd.args(["serve", "--data"])
        .arg(instance.data())
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .args([
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &smtp.port.to_string(),
        ])
        .args(["--smtp-from", "grotius@example.org"])
        .args(["--public-url", "http://127.0.0.1"])
        .args(["--notify-every", "5"])
        .args(instance.database_args())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut server = cmd.spawn().unwrap();
    let coordinator = instance.access("coordinator").await;
    let p = coordinator
        .create_process(&process_input("El Fasher corridor", "internal", None))
        .await
        .unwrap();
    coordinator
        .assign(&p.id, "desk-officer", "", "")
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(40);
    let mail = loop {
        let mail = messages(&smtp.maildir);
        if !mail.is_empty() || Instant::now() > deadline {
            break mail;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(mail.len(), 1, "no message from `grotius serve` within 40 s");
    assert!(mail[0].contains("To: desk@example.org") && !mail[0].contains("El Fasher"));

    // Without a sender the server refuses to start, saying what is missing.
    let out = Command::new(bin())
        .args(["serve", "--data"])
        .arg(instance.data())
        .args(["--bind", &format!("127.0.0.1:{}", free_port())])
        .args(["--smtp-host", "127.0.0.1"])
        .args(["--public-url", "http://127.0.0.1"])
        .args(instance.database_args())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--smtp-from"), "{err}");
}
