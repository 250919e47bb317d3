//! Demo evidence in the `evidence-sudan` compartment: a few files generated here (PNG images, a
//! PDF, a WAV recording — no file from elsewhere), with custody events, one redacted working
//! copy and one transfer package to the fact-finding mission.

use super::act_as;
use anyhow::Result;
use grotius_domain::evidence::{CaptureInput, PackageInput};
use grotius_store::Store;

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for b in data {
        c ^= u32::from(*b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for x in data {
        a = (a + u32::from(*x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut c = kind.to_vec();
    c.extend_from_slice(data);
    out.extend_from_slice(&c);
    out.extend_from_slice(&crc32(&c).to_be_bytes());
}

/// A valid RGB PNG of `w`×`h` pixels from a pixel function (zlib with stored blocks).
pub fn png(w: u32, h: u32, pixel: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0u8);
        for x in 0..w {
            raw.extend_from_slice(&pixel(x, y));
        }
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let n = b.len() as u16;
        z.extend_from_slice(&n.to_le_bytes());
        z.extend_from_slice(&(!n).to_le_bytes());
        z.extend_from_slice(b);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A one-page PDF with a few lines of text.
pub fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("BT /F1 11 Tf 50 780 Td 14 TL\n");
    for l in lines {
        let esc = l
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        text.push_str(&format!("({esc}) Tj T*\n"));
    }
    text.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A mono 16-bit PCM WAV of `secs` seconds: a tone with a slow tremolo.
pub fn wav(secs: u32, hz: f64) -> Vec<u8> {
    let rate = 8000u32;
    let n = rate * secs;
    let mut out = Vec::with_capacity(44 + 2 * n as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + 2 * n).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(2 * n).to_le_bytes());
    for i in 0..n {
        let t = f64::from(i) / f64::from(rate);
        let env = 0.5 + 0.5 * (2.0 * std::f64::consts::PI * 0.5 * t).sin();
        let v = (env * 9000.0 * (2.0 * std::f64::consts::PI * hz * t).sin()) as i16;
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

fn capture(title: &str, name: &str, method: &str, at: &str, classification: &str) -> CaptureInput {
    CaptureInput {
        title: title.into(),
        captured_at: at.into(),
        collector: "Demo Documenter".into(),
        method: method.into(),
        original_name: name.into(),
        classification: classification.into(),
        compartment: Some("evidence-sudan".into()),
        ..Default::default()
    }
}

/// Seeds the vault once (does nothing when the custodian already sees items).
pub async fn seed(store: &Store) -> Result<()> {
    let documenter = act_as(store, "documenter").await?;
    let custodian = act_as(store, "custodian").await?;
    let legal = act_as(store, "legal-adviser").await?;
    if custodian
        .evidence_list(&Default::default(), 1, 0)
        .await?
        .total
        > 0
    {
        return Ok(());
    }
    let market = png(96, 64, |x, y| {
        let roof = (x / 12 + y / 12) % 2 == 0;
        let burn = (x as i32 - 60).pow(2) + (y as i32 - 30).pow(2) < 180;
        if burn {
            [40, 32, 30]
        } else if roof {
            [196, 170, 120]
        } else {
            [150, 128, 92]
        }
    });
    let mut c = capture(
        "Satellite image: market district after shelling (demo)",
        "market-2024-05-12.png",
        "download",
        "2024-05-13T09:20:00Z",
        "confidential",
    );
    c.source_url = "https://imagery.example.org/scenes/2024-05-12/tile-17.png".into();
    c.capture_tool = "wget".into();
    c.capture_tool_version = "1.21.4".into();
    c.description = "Commercial imagery of the market district, downloaded as published; roofs burnt in the north-east corner. Fictional demo data.".into();
    let market = documenter.evidence_ingest_bytes(&c, &market).await?.item;

    let mut c = capture(
        "Witness statement W-07, scanned (demo)",
        "statement-w07.pdf",
        "document-scan",
        "2024-06-02T14:05:00Z",
        "secret",
    );
    c.capture_tool = "Flatbed scanner, NAPS2".into();
    c.capture_tool_version = "7.4".into();
    c.description =
        "Signed statement of a protected witness (pseudonym W-07). Fictional demo data.".into();
    documenter
        .evidence_ingest_bytes(
            &c,
            &pdf(&[
                "Statement of witness W-07 (demo, fictional)",
                "Date: 2 June 2024",
                "I saw armed men enter the market at about 10 in the morning.",
                "They set fire to the stalls on the north side.",
                "Signed: W-07",
            ]),
        )
        .await?;

    let mut c = capture(
        "Voice message from the camp's health post (demo)",
        "voice-message-0612.wav",
        "audio-recording",
        "2024-06-12T18:41:30Z",
        "confidential",
    );
    c.source_url = "urn:demo:messenger:chat-4411:message-89".into();
    c.capture_tool = "Signal Desktop export".into();
    c.capture_tool_version = "7.10".into();
    c.description =
        "A nurse describes the arrival of wounded people. Fictional demo data (a generated tone)."
            .into();
    let voice = documenter
        .evidence_ingest_bytes(&c, &wav(3, 440.0))
        .await?
        .item;

    let face = |x: u32, y: u32| (x as i32 - 30).pow(2) + (y as i32 - 24).pow(2) < 120;
    let post = png(80, 60, |x, y| {
        if face(x, y) {
            [224, 190, 160]
        } else if y < 10 {
            [29, 161, 242]
        } else {
            [245, 248, 250]
        }
    });
    let mut c = capture(
        "Screenshot of a post claiming the attack (demo)",
        "post-claim.png",
        "screenshot",
        "2024-05-12T21:02:10Z",
        "confidential",
    );
    c.source_url = "https://social.example.net/status/1789".into();
    c.capture_tool = "Hunchly".into();
    c.capture_tool_version = "2.4".into();
    let post = documenter.evidence_ingest_bytes(&c, &post).await?.item;

    // The custodian reviews, downloads, and derives a redacted working copy (face blurred).
    custodian.evidence_view(&post.id).await?;
    custodian.evidence_download(&post.id).await?;
    let redacted = png(80, 60, |x, y| {
        if face(x, y) {
            [128, 128, 128]
        } else if y < 10 {
            [29, 161, 242]
        } else {
            [245, 248, 250]
        }
    });
    let mut c = capture(
        "Screenshot of a post claiming the attack — face redacted (demo)",
        "post-claim-redacted.png",
        "screenshot",
        "2024-05-12T21:02:10Z",
        "confidential",
    );
    c.parent_id = Some(post.id.clone());
    c.derivation = Some("redaction".into());
    c.collector = "Demo Evidence Custodian".into();
    c.capture_tool = "GIMP".into();
    c.capture_tool_version = "2.10".into();
    c.description = "Working copy for sharing: the face of a bystander is greyed out.".into();
    let redacted = custodian.evidence_ingest_bytes(&c, &redacted).await?.item;

    legal.evidence_view(&market.id).await?;
    legal.evidence_view(&voice.id).await?;

    custodian
        .evidence_package_create(&PackageInput {
            recipient: "UN Independent International Fact-Finding Mission for the Sudan".into(),
            recipient_kind: "ffm".into(),
            purpose: "Attacks on the market district, May 2024 (demo)".into(),
            use_restrictions: "For the Mission's investigation only. No onward disclosure without the sender's written consent. Witness identities are not included.".into(),
            items: vec![market.id.clone(), voice.id.clone(), redacted.id.clone()],
        })
        .await?;
    Ok(())
}
