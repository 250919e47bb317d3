//! Text extraction from uploaded files: PDF (lopdf), DOCX (zip + quick-xml), HTML (a small
//! stripper that drops tags, comments, scripts and styles), Markdown (markup removed) and plain
//! text (UTF-8 only: invalid UTF-8 is refused with a message, never guessed as Latin-1).
//!
//! Also two small writers (`pdf_from_text`, `docx_from_text`) used by the demo data and the
//! tests to make real files from text.

use std::io::{Read, Write};

use grotius_domain::document::DocumentFormat;

/// Why a file's text could not be extracted (the web edge answers 422 with this message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractError(pub String);

type Result<T> = std::result::Result<T, ExtractError>;

fn err(m: impl Into<String>) -> ExtractError {
    ExtractError(m.into())
}

/// The text of a file in `format`, with runs of blank lines collapsed.
pub fn extract(format: DocumentFormat, bytes: &[u8]) -> Result<String> {
    let text = match format {
        DocumentFormat::Pdf => pdf(bytes)?,
        DocumentFormat::Docx => docx(bytes)?,
        DocumentFormat::Html => html(utf8(bytes)?),
        DocumentFormat::Markdown => markdown(utf8(bytes)?),
        DocumentFormat::Text => utf8(bytes)?.to_string(),
    };
    Ok(tidy(&text))
}

fn utf8(bytes: &[u8]) -> Result<&str> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        err(format!(
            "the file is not valid UTF-8 text (invalid byte at offset {}); save it as UTF-8 and upload it again",
            e.valid_up_to()
        ))
    })
}

fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_end().to_string()
}

fn pdf(bytes: &[u8]) -> Result<String> {
    let doc = lopdf::Document::load_mem(bytes)
        .map_err(|e| err(format!("the PDF file is corrupt or unreadable ({e})")))?;
    if doc.is_encrypted() {
        return Err(err(
            "the PDF file is password-protected; upload an unprotected copy",
        ));
    }
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    if pages.is_empty() {
        return Err(err("the PDF file has no pages"));
    }
    doc.extract_text(&pages)
        .map_err(|e| err(format!("no text could be read from the PDF ({e})")))
}

fn docx(bytes: &[u8]) -> Result<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| err(format!("the DOCX file is corrupt ({e})")))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|_| err("the ZIP file is not a Word document (no word/document.xml)"))?
        .take(200 * 1024 * 1024)
        .read_to_string(&mut xml)
        .map_err(|e| err(format!("the DOCX file is corrupt ({e})")))?;
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader
            .read_event()
            .map_err(|e| err(format!("the DOCX file is corrupt ({e})")))?
        {
            Event::Start(e) if e.name().as_ref() == b"w:t" => in_text = true,
            Event::End(e) => match e.name().as_ref() {
                b"w:t" => in_text = false,
                b"w:p" => out.push('\n'),
                _ => {}
            },
            Event::Empty(e) => match e.name().as_ref() {
                b"w:tab" => out.push('\t'),
                b"w:br" | b"w:cr" => out.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => {
                out.push_str(&t.decode().map_err(|e| err(format!("DOCX text: {e}")))?);
            }
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else {
                    let name = r.decode().map_err(|e| err(format!("DOCX text: {e}")))?;
                    if let Some(s) = quick_xml::escape::resolve_predefined_entity(&name) {
                        out.push_str(s);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

const BLOCK_TAGS: [&str; 18] = [
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "blockquote",
    "pre",
];

/// HTML to text: tags and comments dropped, `<script>`, `<style>`, `<head>`-only elements
/// (`title` is kept) and `<noscript>` dropped with their content, block elements become line
/// breaks, character references decoded.
fn html(src: &str) -> String {
    let lower = src.to_ascii_lowercase();
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len() / 2);
    let mut i = 0;
    let mut text_start = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        out.push_str(&entities(&src[text_start..i]));
        if lower[i..].starts_with("<!--") {
            i = lower[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            text_start = i;
            continue;
        }
        let end = lower[i..].find('>').map_or(b.len(), |e| i + e + 1);
        let tag = lower[i + 1..end.saturating_sub(1).max(i + 1)]
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .next()
            .unwrap_or_default()
            .to_string();
        let closing = lower[i + 1..].starts_with('/');
        i = end;
        if !closing && matches!(tag.as_str(), "script" | "style" | "noscript" | "template") {
            let close = format!("</{tag}");
            i = lower[i..].find(&close).map_or(b.len(), |e| {
                let at = i + e;
                lower[at..].find('>').map_or(b.len(), |g| at + g + 1)
            });
        } else if BLOCK_TAGS.contains(&tag.as_str()) || tag == "title" {
            out.push('\n');
        } else if matches!(tag.as_str(), "td" | "th") {
            out.push(' ');
        }
        text_start = i;
    }
    if text_start < b.len() {
        out.push_str(&entities(&src[text_start..]));
    }
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                .ok()
                .and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Markdown to text: heading, quote and list markers, emphasis, code fences and link targets
/// removed (the link text stays).
fn markdown(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for line in src.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            continue;
        }
        let t = t
            .trim_start_matches('#')
            .trim_start_matches('>')
            .trim_start();
        let t = t
            .strip_prefix("- ")
            .or_else(|| t.strip_prefix("* "))
            .or_else(|| t.strip_prefix("+ "))
            .unwrap_or(t);
        // "1. item"
        let t = match t.split_once(". ") {
            Some((n, rest)) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => rest,
            _ => t,
        };
        out.push_str(&md_inline(t));
        out.push('\n');
    }
    out
}

fn md_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' | '`' => i += 1,
            '_' if i == 0
                || i + 1 == chars.len()
                || !chars[i - 1].is_alphanumeric()
                || !chars[i + 1].is_alphanumeric() =>
            {
                i += 1
            }
            '!' if chars.get(i + 1) == Some(&'[') => i += 1,
            ']' if chars.get(i + 1) == Some(&'(') => {
                // Skip the link target.
                match chars[i..].iter().position(|c| *c == ')') {
                    Some(p) => i += p + 1,
                    None => i += 1,
                }
            }
            '[' => i += 1,
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// A one-page-per-paragraph-block PDF (Helvetica, WinAnsi) of a Latin-script text.
pub fn pdf_from_text(title: &str, text: &str) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{Object, Stream, dictionary};
    let latin1 = |s: &str| -> Vec<u8> {
        s.chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
            .collect()
    };
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut lines: Vec<String> = vec![title.to_string(), String::new()];
    for para in text.lines() {
        let mut line = String::new();
        for w in para.split_whitespace() {
            if line.len() + w.len() > 85 {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(w);
        }
        lines.push(line);
    }
    let mut kids: Vec<Object> = Vec::new();
    for chunk in lines.chunks(50) {
        let mut ops = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 11.into()]),
            Operation::new("TL", vec![14.into()]),
            Operation::new("Td", vec![56.into(), 790.into()]),
        ];
        for l in chunk {
            ops.push(Operation::new(
                "Tj",
                vec![Object::String(latin1(l), lopdf::StringFormat::Literal)],
            ));
            ops.push(Operation::new("T*", vec![]));
        }
        ops.push(Operation::new("ET", vec![]));
        let content = Content { operations: ops };
        let content_id = doc.add_object(Stream::new(
            dictionary! {},
            content.encode().unwrap_or_default(),
        ));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    let _ = doc.save_to(&mut out);
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A minimal DOCX (one paragraph per line) of a text.
pub fn docx_from_text(text: &str) -> Vec<u8> {
    let mut body = String::new();
    for line in text.lines() {
        body.push_str(&format!(
            "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
            xml_escape(line)
        ));
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let files: [(&str, String); 3] = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>".to_string(),
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>".to_string(),
        ),
        ("word/document.xml", document),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in files {
        if zip.start_file(name, opts).is_err() || zip.write_all(content.as_bytes()).is_err() {
            return Vec::new();
        }
    }
    zip.finish().map(|c| c.into_inner()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_drops_scripts_styles_and_tags() {
        let t = html(
            "<html><head><title>T</title><style>p{color:red}</style><script>var x='secret';</script></head>\
             <body><!-- hidden --><p>Water &amp; peace&#8212;now</p><div>talks</div></body></html>",
        );
        assert!(t.contains("Water & peace\u{2014}now"));
        assert!(t.contains("talks"));
        assert!(!t.contains("secret") && !t.contains("color") && !t.contains("hidden"));
    }

    #[test]
    fn markdown_keeps_words() {
        let t = markdown("# Title\n\n- **bold** item with [a link](http://x.org)\n");
        assert!(t.contains("Title\n"));
        assert!(t.contains("bold item with a link"));
        assert!(!t.contains("http"));
    }

    #[test]
    fn round_trips_generated_files() {
        let pdf = pdf_from_text("Titel", "De onderhandelingen over het water.");
        let t = extract(DocumentFormat::Pdf, &pdf).unwrap();
        assert!(t.contains("onderhandelingen"), "{t}");
        let docx = docx_from_text("Première ligne\nLes négociations & l'eau");
        let t = extract(DocumentFormat::Docx, &docx).unwrap();
        assert!(t.contains("Les négociations & l'eau"), "{t}");
        assert!(extract(DocumentFormat::Pdf, b"%PDF-1.4 garbage").is_err());
        assert!(extract(DocumentFormat::Text, b"caf\xe9").is_err());
    }
}
