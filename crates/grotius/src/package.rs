//! `grotius package verify PATH --key PUBKEY`: checks a transfer package offline — no database,
//! no data directory, only the package (a `.tar` as downloaded, or the directory it was unpacked
//! into) and the sender's public key obtained by a separate channel.
//!
//! Checked: the detached signature of `manifest.json`; every file listed is present with the
//! size and SHA-256 the manifest gives; no file is there that the manifest does not list; each
//! item's chain of custody links and is signed by the same key.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, bail};
use grotius_domain::evidence::{Manifest, verify_chain};
use grotius_security::verify_signature;

/// What a package check found.
#[derive(Debug, Default)]
pub struct PackageCheck {
    pub files: usize,
    pub bytes: u64,
    pub events: usize,
    pub recipient: String,
    pub problems: Vec<String>,
}

/// Reads `--key`: a hex key, or a file holding one.
pub fn read_key(key: &str) -> Result<String> {
    let k = key.trim();
    if k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(k.to_ascii_lowercase());
    }
    let text = std::fs::read_to_string(k)
        .with_context(|| format!("--key is neither a 64-digit hex key nor a readable file: {k}"))?;
    let t = text.trim();
    if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(t.to_ascii_lowercase())
    } else {
        bail!("{k} does not hold an Ed25519 public key (64 hex digits)")
    }
}

struct Contents {
    manifest: Option<Vec<u8>>,
    signature: Option<String>,
    /// path → (size, sha256)
    files: BTreeMap<String, (u64, String)>,
}

fn hash_reader(mut r: impl Read, limit: Option<u64>) -> std::io::Result<(u64, String)> {
    let mut h = grotius_security::ContentHasher::new();
    let mut buf = vec![0u8; 1024 * 1024];
    let mut n = 0u64;
    loop {
        let want = match limit {
            Some(l) => ((l - n) as usize).min(buf.len()),
            None => buf.len(),
        };
        if want == 0 {
            break;
        }
        let k = r.read(&mut buf[..want])?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((n, h.hex()))
}

const SMALL: [&str; 4] = [
    "manifest.json",
    "manifest.json.sig",
    "public-key.txt",
    "README.txt",
];

fn read_dir(root: &Path) -> Result<Contents> {
    let mut c = Contents {
        manifest: None,
        signature: None,
        files: BTreeMap::new(),
    };
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            match rel.as_str() {
                "manifest.json" => c.manifest = Some(std::fs::read(&path)?),
                "manifest.json.sig" => c.signature = Some(std::fs::read_to_string(&path)?),
                "public-key.txt" | "README.txt" => {}
                _ => {
                    let f = std::fs::File::open(&path)?;
                    c.files.insert(rel, hash_reader(f, None)?);
                }
            }
        }
    }
    Ok(c)
}

fn octal(field: &[u8]) -> Option<u64> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        // GNU base-256.
        let mut v = 0u64;
        for b in &field[1..] {
            v = v.checked_mul(256)?.checked_add(u64::from(*b))?;
        }
        return Some(v);
    }
    let s: String = field
        .iter()
        .take_while(|b| **b != 0 && **b != b' ')
        .map(|b| *b as char)
        .collect();
    let s = s.trim();
    if s.is_empty() {
        Some(0)
    } else {
        u64::from_str_radix(s, 8).ok()
    }
}

fn read_tar(path: &Path) -> Result<Contents> {
    let mut f = std::io::BufReader::new(
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
    );
    let mut c = Contents {
        manifest: None,
        signature: None,
        files: BTreeMap::new(),
    };
    loop {
        let mut h = [0u8; 512];
        if f.read_exact(&mut h).is_err() {
            break; // cut short: whatever is missing is reported below
        }
        if h.iter().all(|b| *b == 0) {
            break;
        }
        let field = |a: usize, b: usize| -> String {
            String::from_utf8_lossy(&h[a..b])
                .trim_end_matches('\0')
                .to_string()
        };
        let name = field(0, 100);
        let prefix = field(345, 500);
        let name = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let size = octal(&h[124..136]).with_context(|| format!("tar entry {name}: bad size"))?;
        let kind = h[156];
        let (n, sha) = if SMALL.contains(&name.as_str()) && size <= 256 * 1024 * 1024 {
            let mut buf = vec![0u8; size as usize];
            f.read_exact(&mut buf)
                .with_context(|| format!("tar entry {name} is cut short"))?;
            match name.as_str() {
                "manifest.json" => c.manifest = Some(buf),
                "manifest.json.sig" => c.signature = Some(String::from_utf8_lossy(&buf).into()),
                _ => {}
            }
            (size, String::new())
        } else {
            hash_reader(&mut f, Some(size))?
        };
        if n < size {
            c.files.insert(name.clone(), (n, sha));
            break;
        }
        let pad = (512 - size % 512) % 512;
        std::io::copy(&mut (&mut f).take(pad), &mut std::io::sink())?;
        if (kind == b'0' || kind == 0) && !SMALL.contains(&name.as_str()) {
            c.files.insert(name, (n, sha));
        }
    }
    Ok(c)
}

/// Verifies a package; `Err` only when it cannot be read at all.
pub fn verify_package(path: &Path, key_hex: &str) -> Result<PackageCheck> {
    let contents = if path.is_dir() {
        read_dir(path)?
    } else {
        read_tar(path)?
    };
    let mut check = PackageCheck::default();
    let Some(manifest_bytes) = contents.manifest else {
        check.problems.push("manifest.json is missing".into());
        return Ok(check);
    };
    match &contents.signature {
        None => check.problems.push("manifest.json.sig is missing".into()),
        Some(sig) => {
            if !verify_signature(key_hex, &manifest_bytes, sig.trim()) {
                check.problems.push(
                    "manifest.json: the signature does not verify with this key (the manifest was changed, or it was not signed by this key)".into(),
                );
            }
        }
    }
    let manifest: Manifest = match serde_json::from_slice(&manifest_bytes) {
        Ok(m) => m,
        Err(e) => {
            check
                .problems
                .push(format!("manifest.json is not a manifest: {e}"));
            return Ok(check);
        }
    };
    check.recipient = format!("{} ({})", manifest.recipient, manifest.recipient_kind);
    if !manifest.public_key.eq_ignore_ascii_case(key_hex) {
        check.problems.push(format!(
            "the manifest names the key {} but you verify with {key_hex}",
            manifest.public_key
        ));
    }
    let verify = |msg: &[u8], sig: &str| verify_signature(key_hex, msg, sig);
    let mut listed = std::collections::BTreeSet::new();
    for item in &manifest.items {
        listed.insert(item.file.clone());
        match contents.files.get(&item.file) {
            None => check
                .problems
                .push(format!("{}: missing (item {})", item.file, item.item_id)),
            Some((size, sha)) => {
                check.files += 1;
                check.bytes += size;
                if *size != item.size as u64 {
                    check.problems.push(format!(
                        "{}: {size} bytes, the manifest says {} (altered or cut short)",
                        item.file, item.size
                    ));
                } else if *sha != item.sha256 {
                    check.problems.push(format!(
                        "{}: SHA-256 {sha} differs from the manifest's {} (altered)",
                        item.file, item.sha256
                    ));
                }
            }
        }
        check.events += item.custody.len();
        for p in verify_chain(&item.item_id, &item.custody, None, &verify) {
            check
                .problems
                .push(format!("custody of {}: {p}", item.item_id));
        }
        if item.custody.first().map(|e| e.record.kind.as_str()) != Some("ingest") {
            check.problems.push(format!(
                "custody of {}: does not start with its ingest",
                item.item_id
            ));
        }
    }
    for name in contents.files.keys() {
        if !listed.contains(name) {
            check
                .problems
                .push(format!("{name}: a file the manifest does not list (added)"));
        }
    }
    Ok(check)
}
