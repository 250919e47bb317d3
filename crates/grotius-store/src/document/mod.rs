//! The document library. A `documents` row holds the metadata and labels (plaintext, as for
//! every record: it is what lists filter on); `document_versions` holds every uploaded file with
//! its extracted text, both encrypted at rest, immutable (a trigger refuses changes except
//! re-encryption). Files live in the database, not in the data directory, because several app
//! nodes share one PostgreSQL and only the database is common to them; backups, restores and key
//! rotation then cover files too.
//!
//! Every read goes through the policy engine; downloads are always audited, reads of
//! confidential or secret documents too. Documents linked to processes carry labels at least as
//! strict as each of them.

pub mod extract;

use grotius_domain::document::{
    Document, DocumentFormat, DocumentInput, DocumentVersion, detect_format,
};
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_search::{Lang, SearchDoc, SearchIndex, Snippet};
use grotius_security::now_micros;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::{Bind, json_element, json_list as list};
use crate::process::record_change;
use crate::{Access, Page, Result, Store, StoreError, new_id};

const COLS: &str = "id, title, date, language, author, countries, themes, classification, compartment_id, latest_version, created_at, updated_at, \
    (SELECT v.format FROM document_versions v WHERE v.document_id = documents.id AND v.version = documents.latest_version) AS format, \
    (SELECT v.size FROM document_versions v WHERE v.document_id = documents.id AND v.version = documents.latest_version) AS size";

const VERSION_COLS: &str =
    "id, version, filename, format, size, sha256, created_by_name, created_at";

fn content_aad(version_id: &str) -> String {
    format!("document_versions.content:{version_id}")
}

fn body_aad(version_id: &str) -> String {
    format!("document_versions.body:{version_id}")
}

/// Filters of the document list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DocumentFilter {
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub theme: Option<String>,
    /// en, nl, fr, ar.
    pub language: Option<String>,
    /// A process id: its linked documents.
    pub process: Option<String>,
}

/// An uploaded file, already within the size limit.
#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A document with its versions and the text of the newest one.
#[derive(Debug, Clone)]
pub struct DocumentDetail {
    pub document: Document,
    pub versions: Vec<DocumentVersion>,
    pub text: String,
}

/// A file ready to be stored: its format, text, hash (the bytes borrowed, not copied).
struct Prepared<'a> {
    filename: String,
    format: DocumentFormat,
    text: String,
    sha256: String,
    bytes: &'a [u8],
}

fn prepare(upload: &Upload) -> Result<Prepared<'_>> {
    if upload.bytes.is_empty() {
        return Err(StoreError::invalid("file", "the file is empty"));
    }
    let format = detect_format(&upload.bytes, &upload.filename).ok_or_else(|| {
        StoreError::invalid(
            "file",
            "unsupported file type: upload a PDF, DOCX, HTML, Markdown or plain-text (UTF-8) file",
        )
    })?;
    let text =
        extract::extract(format, &upload.bytes).map_err(|e| StoreError::invalid("file", e.0))?;
    let filename: String = upload
        .filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let filename = if filename.trim().is_empty() {
        format!("document.{}", format.extension())
    } else {
        filename
    };
    Ok(Prepared {
        filename,
        format,
        text,
        sha256: hex::encode(Sha256::digest(&upload.bytes)),
        bytes: &upload.bytes,
    })
}

fn labels_of(row: &sqlx::any::AnyRow) -> Result<Labels> {
    let comp: Option<String> = row.try_get("compartment_id")?;
    Ok(Labels {
        classification: Classification::from_level(row.try_get("classification")?)?,
        compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
    })
}

fn version_from_row(row: &sqlx::any::AnyRow) -> Result<DocumentVersion> {
    let format: String = row.try_get("format")?;
    Ok(DocumentVersion {
        version: row.try_get("version")?,
        filename: row.try_get("filename")?,
        format: DocumentFormat::parse(&format).unwrap_or(DocumentFormat::Text),
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        created_by: row.try_get("created_by_name")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    /// The system reader of the index for documents (see `search.rs`): plaintext metadata in the
    /// stored fields, the decrypted text of the newest version as `private_body` (indexed as
    /// terms, never stored by the index).
    pub(crate) async fn document_search_docs(&self, id: Option<&str>) -> Result<Vec<SearchDoc>> {
        let base = "SELECT d.id, d.title, d.date, d.language, d.author, d.countries, d.themes, d.classification, d.compartment_id,
                d.created_at, v.id AS version_id, v.body
            FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.version = d.latest_version";
        let rows = match id {
            Some(id) => {
                sqlx::query(sqlx::AssertSqlSafe(format!("{base} WHERE d.id = $1")))
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => sqlx::query(base).fetch_all(&self.pool).await?,
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let version_id: String = r.try_get("version_id")?;
            let text = self
                .keys
                .decrypt(&body_aad(&version_id), &r.try_get::<String, _>("body")?)?;
            let date: String = r.try_get("date")?;
            let created: i64 = r.try_get("created_at")?;
            let (year, micros) =
                crate::search::iso_date(&date).map_or((None, created), |(y, m)| (Some(y), m));
            let author: String = r.try_get("author")?;
            out.push(SearchDoc {
                kind: ResourceKind::Document,
                id: r.try_get("id")?,
                parent: String::new(),
                title: r.try_get("title")?,
                body: author,
                private_body: text,
                lang: Lang::parse(&r.try_get::<String, _>("language")?),
                countries: list(&r.try_get::<String, _>("countries")?),
                year,
                date: micros,
                themes: list(&r.try_get::<String, _>("themes")?),
                labels: labels_of(r)?,
            });
        }
        Ok(out)
    }
}

crate::list::listed!(Document);

impl Access {
    fn document_from_row(&self, row: &sqlx::any::AnyRow) -> Result<Document> {
        let format: Option<String> = row.try_get("format")?;
        Ok(Document {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            date: row.try_get("date")?,
            language: row.try_get("language")?,
            author: row.try_get("author")?,
            countries: list(&row.try_get::<String, _>("countries")?),
            themes: list(&row.try_get::<String, _>("themes")?),
            processes: Vec::new(),
            labels: labels_of(row)?,
            latest_version: row.try_get("latest_version")?,
            format: format
                .as_deref()
                .and_then(DocumentFormat::parse)
                .unwrap_or(DocumentFormat::Text),
            size: row.try_get::<Option<i64>, _>("size")?.unwrap_or(0),
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    /// Linked process ids of a document with their labels (whatever the reader may see).
    async fn document_links(&self, id: &str) -> Result<Vec<(String, Labels)>> {
        let rows = sqlx::query(
            "SELECT p.id, p.classification, p.compartment_id FROM document_processes dp
             JOIN processes p ON p.id = dp.process_id WHERE dp.document_id = $1 ORDER BY p.title",
        )
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, labels_of(r)?)))
            .collect()
    }

    /// The linked processes this reader may see.
    async fn document_visible_links(&self, doc: &mut Document) -> Result<()> {
        let links = self.document_links(&doc.id).await?;
        doc.processes = links
            .into_iter()
            .filter(|(_, l)| self.may(Action::Read, Resource::labelled(ResourceKind::Process, l)))
            .map(|(id, _)| id)
            .collect();
        Ok(())
    }

    /// A document row the subject may act on, or not found.
    async fn document_row(&self, id: &str, action: Action) -> Result<Document> {
        let mut d = self
            .get_checked(
                ResourceKind::Document,
                action,
                format!("SELECT {COLS} FROM documents WHERE id = $1"),
                id,
                |row| self.document_from_row(row),
            )
            .await?;
        self.document_visible_links(&mut d).await?;
        Ok(d)
    }

    /// Documents the subject may read, newest first, with the total under the same filter.
    pub async fn list_documents(
        &self,
        filter: &DocumentFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Page<Document>> {
        let mut list = self
            .list(ResourceKind::Document, "documents", "")
            .await?
            .columns(COLS)
            .order("updated_at DESC, id");
        let f = &mut list.filter;
        f.push_country("countries LIKE ?", filter.country.as_deref(), json_element)?;
        if let Some(t) = filter
            .theme
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            f.push(
                "themes LIKE ?",
                Bind::Text(format!("%\"{}\"%", t.replace(['%', '_', '"'], ""))),
            );
        }
        f.push_text("language = ?", filter.language.as_deref());
        if let Some(p) = filter
            .process
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            // Filtering by a process the subject may not see is not found.
            let p = self.get_process(p).await?;
            f.push(
                "id IN (SELECT document_id FROM document_processes WHERE process_id = ?)",
                Bind::Text(p.id),
            );
        }
        let mut page = self
            .fetch_page(&list, limit, offset, |row| self.document_from_row(row))
            .await?;
        for d in &mut page.items {
            self.document_visible_links(d).await?;
        }
        self.audit_list(&list, &page.items).await?;
        Ok(page)
    }

    /// A document with its versions and the text of the newest version. Reads of confidential
    /// and secret documents are audited.
    pub async fn get_document(&self, id: &str) -> Result<DocumentDetail> {
        let document = self.document_row(id, Action::Read).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLS}, body FROM document_versions WHERE document_id = $1 ORDER BY version DESC"
        )))
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        let mut versions = Vec::with_capacity(rows.len());
        let mut text = String::new();
        for (i, r) in rows.iter().enumerate() {
            if i == 0 {
                let vid: String = r.try_get("id")?;
                text = self
                    .store
                    .keys
                    .decrypt(&body_aad(&vid), &r.try_get::<String, _>("body")?)?;
            }
            versions.push(version_from_row(r)?);
        }
        if document.labels.classification.read_is_audited() {
            self.audit_now("document.read", "document", id, "ok", "{}")
                .await?;
        }
        Ok(DocumentDetail {
            document,
            versions,
            text,
        })
    }

    /// The original file of a version. Every download is audited.
    pub async fn document_file(
        &self,
        id: &str,
        version: i64,
    ) -> Result<(DocumentVersion, Vec<u8>)> {
        let doc = self.document_row(id, Action::Read).await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLS}, content FROM document_versions WHERE document_id = $1 AND version = $2"
        )))
        .bind(id)
        .bind(version)
        .fetch_optional(&self.store.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let vid: String = row.try_get("id")?;
        let bytes = self
            .store
            .keys
            .decrypt_bytes(&content_aad(&vid), &row.try_get::<String, _>("content")?)?;
        let v = version_from_row(&row)?;
        let detail = serde_json::json!({
            "version": version, "sha256": v.sha256, "size": v.size,
            "classification": doc.labels.classification,
        })
        .to_string();
        self.audit_now("document.download", "document", id, "ok", &detail)
            .await?;
        Ok((v, bytes))
    }

    /// Validates metadata and the labels of the linked processes (which must be readable).
    /// `carried` are links the editor may not see, kept as they are.
    async fn document_validate(
        &self,
        input: &DocumentInput,
        carried: &[(String, Labels)],
    ) -> Result<(DocumentInput, Labels)> {
        let mut labels: Vec<Labels> = carried.iter().map(|(_, l)| l.clone()).collect();
        for p in input
            .processes
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
        {
            match self.get_process(p).await {
                Ok(proc) => labels.push(proc.labels),
                Err(StoreError::NotFound) => {
                    return Err(StoreError::invalid(
                        "processes",
                        format!("no such process: {p}"),
                    ));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(input.validate(&labels)?)
    }

    async fn document_insert_version(
        &self,
        tx: &mut sqlx::AnyConnection,
        document_id: &str,
        version: i64,
        file: &Prepared<'_>,
    ) -> Result<()> {
        let vid = new_id();
        let content = self
            .store
            .keys
            .encrypt_bytes(&content_aad(&vid), file.bytes)?;
        let body = self.store.keys.encrypt(&body_aad(&vid), &file.text)?;
        sqlx::query(
            "INSERT INTO document_versions (id, document_id, version, filename, format, size, sha256, content, body,
                                            created_by, created_by_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&vid)
        .bind(document_id)
        .bind(version)
        .bind(&file.filename)
        .bind(file.format.code())
        .bind(file.bytes.len() as i64)
        .bind(&file.sha256)
        .bind(content)
        .bind(body)
        .bind(&self.subject.user_id)
        .bind(&self.subject.username)
        .bind(now_micros())
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_unique(e, "this version"))?;
        Ok(())
    }

    async fn document_set_links(
        &self,
        tx: &mut sqlx::AnyConnection,
        id: &str,
        processes: &[String],
    ) -> Result<()> {
        sqlx::query("DELETE FROM document_processes WHERE document_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for p in processes {
            sqlx::query("INSERT INTO document_processes (document_id, process_id) VALUES ($1, $2)")
                .bind(id)
                .bind(p)
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    }

    /// Uploads a new document: the file is checked (type by content), its text extracted, both
    /// encrypted; language detected when not given.
    pub async fn create_document(
        &self,
        input: &DocumentInput,
        upload: &Upload,
    ) -> Result<Document> {
        self.authorize(Action::Create, Resource::kind(ResourceKind::Document), None)
            .await?;
        let (v, labels) = self.document_validate(input, &[]).await?;
        self.authorize_labels(Action::Create, ResourceKind::Document, &labels, None)
            .await?;
        let file = prepare(upload)?;
        let language = if v.language.is_empty() {
            Lang::detect(&format!("{}\n{}", v.title, file.text))
                .code()
                .to_string()
        } else {
            v.language.clone()
        };
        let id = new_id();
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        if let Some(c) = &labels.compartment {
            let found = sqlx::query("SELECT 1 AS x FROM compartments WHERE id = $1")
                .bind(c.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::invalid(
                    "compartment",
                    format!("compartment '{c}' does not exist"),
                ));
            }
        }
        sqlx::query(
            "INSERT INTO documents (id, title, date, language, author, countries, themes, classification, compartment_id,
                                    latest_version, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $11)",
        )
        .bind(&id)
        .bind(&v.title)
        .bind(&v.date)
        .bind(&language)
        .bind(&v.author)
        .bind(serde_json::to_string(&v.countries).unwrap_or_default())
        .bind(serde_json::to_string(&v.themes).unwrap_or_default())
        .bind(labels.classification.level())
        .bind(labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(&self.subject.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        self.document_set_links(&mut tx, &id, &v.processes).await?;
        self.document_insert_version(&mut tx, &id, 1, &file).await?;
        record_change(&mut tx, "document", &id, "upsert").await?;
        let detail = serde_json::json!({
            "classification": labels.classification, "version": 1, "filename": file.filename,
            "format": file.format.code(), "size": file.bytes.len(), "sha256": file.sha256,
        })
        .to_string();
        self.audit_in(&mut tx, "document.create", "document", &id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.document_row(&id, Action::Read).await
    }

    /// Adds a new version of the file; every old version stays. Fails with a conflict when
    /// someone else added a version since `expected` (when given).
    pub async fn add_document_version(
        &self,
        id: &str,
        upload: &Upload,
        expected: Option<i64>,
    ) -> Result<Document> {
        let doc = self.document_row(id, Action::Update).await?;
        let file = prepare(upload)?;
        let next = doc.latest_version + 1;
        let mut tx = self.store.write_tx().await?;
        let updated = sqlx::query(
            "UPDATE documents SET latest_version = $1, updated_at = $2 WHERE id = $3 AND latest_version = $4",
        )
        .bind(next)
        .bind(now_micros())
        .bind(id)
        .bind(expected.unwrap_or(doc.latest_version))
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict(
                "a newer version was uploaded meanwhile; reload the document".into(),
            ));
        }
        self.document_insert_version(&mut tx, id, next, &file)
            .await?;
        record_change(&mut tx, "document", id, "upsert").await?;
        let detail = serde_json::json!({
            "version": next, "filename": file.filename, "format": file.format.code(),
            "size": file.bytes.len(), "sha256": file.sha256,
        })
        .to_string();
        self.audit_in(&mut tx, "document.version", "document", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.document_row(id, Action::Read).await
    }

    /// Changes the metadata and labels (the labels stay at least as strict as every linked
    /// process, including links the editor may not see, which are kept). Audited with the
    /// changed fields.
    pub async fn update_document(&self, id: &str, input: &DocumentInput) -> Result<Document> {
        let before = self.document_row(id, Action::Update).await?;
        let carried: Vec<(String, Labels)> = self
            .document_links(id)
            .await?
            .into_iter()
            .filter(|(_, l)| !self.may(Action::Read, Resource::labelled(ResourceKind::Process, l)))
            .collect();
        let (v, labels) = self.document_validate(input, &carried).await?;
        self.authorize_labels(Action::Update, ResourceKind::Document, &labels, Some(id))
            .await?;
        let language = if v.language.is_empty() {
            before.language.clone()
        } else {
            v.language.clone()
        };
        let mut links = v.processes.clone();
        links.extend(carried.iter().map(|(p, _)| p.clone()));
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "UPDATE documents SET title = $1, date = $2, language = $3, author = $4, countries = $5, themes = $6,
                    classification = $7, compartment_id = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(&v.title)
        .bind(&v.date)
        .bind(&language)
        .bind(&v.author)
        .bind(serde_json::to_string(&v.countries).unwrap_or_default())
        .bind(serde_json::to_string(&v.themes).unwrap_or_default())
        .bind(labels.classification.level())
        .bind(labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(now_micros())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.document_set_links(&mut tx, id, &links).await?;
        record_change(&mut tx, "document", id, "upsert").await?;
        let mut changed = Vec::new();
        if before.title != v.title {
            changed.push("title");
        }
        if before.date != v.date {
            changed.push("date");
        }
        if before.language != language {
            changed.push("language");
        }
        if before.author != v.author {
            changed.push("author");
        }
        if before.countries != v.countries {
            changed.push("countries");
        }
        if before.themes != v.themes {
            changed.push("themes");
        }
        if before.processes != v.processes {
            changed.push("processes");
        }
        if before.labels != labels {
            changed.push("labels");
        }
        let detail = serde_json::json!({
            "changed": changed, "classification": labels.classification,
            "previous_classification": before.labels.classification,
        })
        .to_string();
        self.audit_in(&mut tx, "document.update", "document", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.document_row(id, Action::Read).await
    }

    /// Deletes a document with every version (coordinators). Audited with the hashes of the
    /// versions that went.
    pub async fn delete_document(&self, id: &str) -> Result<()> {
        let d = self.document_row(id, Action::Delete).await?;
        let hashes: Vec<String> = sqlx::query_scalar(
            "SELECT sha256 FROM document_versions WHERE document_id = $1 ORDER BY version",
        )
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        let mut tx = self.store.write_tx().await?;
        let detail = serde_json::json!({
            "title": d.title, "classification": d.labels.classification, "versions": hashes,
        })
        .to_string();
        self.delete_row(&mut tx, "documents", "document", id, &detail)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The snippet of a document hit, from its decrypted text (called after the re-check).
    pub(crate) async fn document_snippet(
        &self,
        index: &SearchIndex,
        q: &str,
        id: &str,
    ) -> Result<Snippet> {
        let Some((lang, text)) = self.readable_document_text(id).await? else {
            return Ok(Snippet::default());
        };
        index
            .snippet(
                &grotius_search::Scope::for_subject(&self.subject),
                q,
                lang,
                &text,
            )
            .map_err(|e| StoreError::Config(e.to_string()))
    }

    /// The decrypted text of a document's latest version and its language — `None` when the
    /// document is gone or, by its current labels (the index may lag the database), not
    /// readable by the subject. For snippets and "more like this", after the search's own
    /// checks.
    pub(crate) async fn readable_document_text(&self, id: &str) -> Result<Option<(Lang, String)>> {
        let row = sqlx::query(
            "SELECT d.language, d.classification, d.compartment_id, v.id AS version_id, v.body
             FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.version = d.latest_version
             WHERE d.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.store.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        if !self.may(
            Action::Read,
            Resource::labelled(ResourceKind::Document, &labels_of(&row)?),
        ) {
            return Ok(None);
        }
        let vid: String = row.try_get("version_id")?;
        let text = self
            .store
            .keys
            .decrypt(&body_aad(&vid), &row.try_get::<String, _>("body")?)?;
        let lang = Lang::parse(&row.try_get::<String, _>("language")?).unwrap_or(Lang::En);
        Ok(Some((lang, text)))
    }
}
