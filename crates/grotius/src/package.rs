//! `grotius package verify PATH --key PUBKEY`: checks a transfer package offline — no database,
//! no data directory, only the package (a `.tar` as downloaded, or the directory it was unpacked
//! into) and the sender's public key obtained by a separate channel.
//!
//! Checked: the detached signature of `manifest.json`; every file listed is present with the
//! size and SHA-256 the manifest gives; nothing else is there — no file the manifest does not
//! list, no entry of another type (link, hard link, directory entry, device, pax or long-name
//! header), no name twice, no unsafe name (absolute, `..`), no damaged header, nothing after the
//! end of the archive; each item's chain of custody links and is signed by the same key.

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
    /// path → (size, sha256) of every regular file but the package's own ones.
    files: BTreeMap<String, (u64, String)>,
    /// What is wrong with the archive itself: entries of other types, duplicates, unsafe names,
    /// damaged headers, a cut-short archive or data after its end.
    problems: Vec<String>,
}

impl Contents {
    fn new() -> Self {
        Contents {
            manifest: None,
            signature: None,
            files: BTreeMap::new(),
            problems: Vec::new(),
        }
    }
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

/// Why a path inside a package is unsafe to unpack, if it is: absolute, climbing out with `..`,
/// empty or `.` components, backslashes or control characters.
fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("an empty name")
    } else if name.starts_with('/') {
        Some("an absolute path")
    } else if name.contains('\\') {
        Some("a backslash in the name")
    } else if name.chars().any(char::is_control) {
        Some("a control character in the name")
    } else if name.split('/').any(|c| c == "..") {
        Some("a path that climbs out of the package (..)")
    } else if name.split('/').any(|c| c.is_empty() || c == ".") {
        Some("an empty or '.' path component")
    } else {
        None
    }
}

fn read_dir(root: &Path) -> Result<Contents> {
    let mut c = Contents::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?
        {
            let path = entry?.path();
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            // Never follow a link: what a link points at is not part of the package.
            let kind = std::fs::symlink_metadata(&path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .file_type();
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            if !kind.is_file() {
                let what = if kind.is_symlink() {
                    match std::fs::read_link(&path) {
                        Ok(t) => format!("a symbolic link to {}", t.display()),
                        Err(_) => "a symbolic link".to_string(),
                    }
                } else {
                    "not a regular file".to_string()
                };
                c.problems.push(format!(
                    "{rel}: {what}; a package holds only the regular files its manifest lists"
                ));
                continue;
            }
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

/// The kind of a tar entry by its type flag, for messages.
fn entry_kind(flag: u8, h: &[u8; 512]) -> String {
    let target = || {
        String::from_utf8_lossy(&h[157..257])
            .trim_end_matches('\0')
            .to_string()
    };
    match flag {
        b'1' => format!("a hard link to {}", target()),
        b'2' => format!("a symbolic link to {}", target()),
        b'3' => "a character device".into(),
        b'4' => "a block device".into(),
        b'5' => "a directory".into(),
        b'6' => "a FIFO".into(),
        b'7' => "a contiguous file".into(),
        b'x' | b'g' => "a pax header (it would rename or alter the next entry)".into(),
        b'L' | b'K' => "a GNU long-name header (it would rename the next entry)".into(),
        other => format!("an entry of type '{}'", other.escape_ascii()),
    }
}

/// Whether a header's checksum (bytes 148..156, computed with that field as spaces) is right.
fn checksum_ok(h: &[u8; 512]) -> bool {
    let stored = octal(&h[148..156]);
    let sum: u64 = h
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(*b)
            }
        })
        .sum();
    stored == Some(sum)
}

fn read_tar(path: &Path) -> Result<Contents> {
    let mut f = std::io::BufReader::new(
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
    );
    let mut c = Contents::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut ended = false;
    loop {
        let mut h = [0u8; 512];
        if f.read_exact(&mut h).is_err() {
            break; // cut short: named below; whatever is missing is reported by the caller
        }
        if h.iter().all(|b| *b == 0) {
            ended = true;
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
        if !checksum_ok(&h) {
            c.problems.push(format!(
                "tar entry {name}: its header is damaged (checksum wrong)"
            ));
        }
        let size = octal(&h[124..136]).with_context(|| format!("tar entry {name}: bad size"))?;
        let kind = h[156];
        let regular = kind == b'0' || kind == 0;
        *seen.entry(name.clone()).or_default() += 1;
        if let Some(why) = unsafe_name(&name) {
            c.problems
                .push(format!("tar entry '{}': {why}", name.escape_debug()));
        }
        if !regular {
            c.problems.push(format!(
                "{name}: {}; a package holds only the regular files its manifest lists",
                entry_kind(kind, &h)
            ));
        }
        let (n, sha) = if regular && SMALL.contains(&name.as_str()) && size <= 256 * 1024 * 1024 {
            let mut buf = vec![0u8; size as usize];
            f.read_exact(&mut buf)
                .with_context(|| format!("tar entry {name} is cut short"))?;
            // The first copy counts; a second one is named as a duplicate below.
            match name.as_str() {
                "manifest.json" if c.manifest.is_none() => c.manifest = Some(buf),
                "manifest.json.sig" if c.signature.is_none() => {
                    c.signature = Some(String::from_utf8_lossy(&buf).into())
                }
                _ => {}
            }
            (size, String::new())
        } else {
            hash_reader(&mut f, Some(size))?
        };
        if n < size {
            c.problems
                .push(format!("tar entry {name}: cut short ({n} of {size} bytes)"));
            if regular {
                c.files.insert(name.clone(), (n, sha));
            }
            break;
        }
        let pad = (512 - size % 512) % 512;
        std::io::copy(&mut (&mut f).take(pad), &mut std::io::sink())?;
        if regular && !SMALL.contains(&name.as_str()) && !c.files.contains_key(&name) {
            c.files.insert(name, (n, sha));
        }
    }
    if ended {
        // Past the end-of-archive marker only zeros may follow (anything else would be read by
        // some extractors and not by others).
        let mut rest = Vec::new();
        f.read_to_end(&mut rest)?;
        if rest.iter().any(|b| *b != 0) {
            c.problems
                .push("data after the end-of-archive marker (appended to the package)".to_string());
        }
    } else {
        c.problems
            .push("the archive is cut short (no end-of-archive marker)".to_string());
    }
    for (name, n) in seen {
        if n > 1 {
            c.problems.push(format!(
                "{name}: appears {n} times in the archive (an extractor keeps the last, a check may read the first)"
            ));
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
    let mut check = PackageCheck {
        problems: contents.problems,
        ..PackageCheck::default()
    };
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
        if let Some(why) = unsafe_name(&item.file) {
            check.problems.push(format!(
                "the manifest lists '{}': {why}",
                item.file.escape_debug()
            ));
        }
        if !listed.insert(item.file.clone()) {
            check
                .problems
                .push(format!("the manifest lists {} twice", item.file));
        }
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
