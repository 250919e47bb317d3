//! Transfer packages: a signed manifest of selected items for a recipient. Building one records a
//! `transfer` event in each item's chain (with the manifest's hash); downloading one records an
//! `export` event. The files are decrypted into the package at download time and checked
//! against the hashes in the manifest as they stream.

use grotius_domain::evidence::{
    MANIFEST_FORMAT, Manifest, ManifestItem, PackageInput, format_utc, safe_file_name,
};
use grotius_domain::{Action, Labels, Resource, ResourceKind};
use grotius_security::now_micros;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{BlobReader, EVENT_COLS, event_from_row, labels_from_row};
use crate::process::record_change;
use crate::{Access, Result, StoreError, new_id};

/// A package as listed.
#[derive(Debug, Clone, Serialize)]
pub struct PackageSummary {
    pub id: String,
    pub recipient: String,
    pub recipient_kind: String,
    pub purpose: String,
    pub use_restrictions: String,
    pub manifest_sha256: String,
    pub labels: Labels,
    pub created_by: String,
    pub created_at: i64,
    pub items: usize,
}

/// A package with its manifest (the exact signed bytes) and detached signature.
#[derive(Debug, Clone)]
pub struct PackageDetail {
    pub summary: PackageSummary,
    pub manifest: Manifest,
    pub manifest_json: String,
    pub signature: String,
    pub public_key: String,
}

const PKG_COLS: &str = "id, recipient, recipient_kind, purpose, restrictions, manifest, manifest_sha256, signature, classification, compartment_id, created_by_name, created_at";

fn package_from_row(row: &sqlx::any::AnyRow, public_key: String) -> Result<PackageDetail> {
    let manifest_json: String = row.try_get("manifest")?;
    let manifest: Manifest = serde_json::from_str(&manifest_json)
        .map_err(|e| StoreError::Integrity(format!("package manifest: {e}")))?;
    Ok(PackageDetail {
        summary: PackageSummary {
            id: row.try_get("id")?,
            recipient: row.try_get("recipient")?,
            recipient_kind: row.try_get("recipient_kind")?,
            purpose: row.try_get("purpose")?,
            use_restrictions: row.try_get("restrictions")?,
            manifest_sha256: row.try_get("manifest_sha256")?,
            labels: labels_from_row(row)?,
            created_by: row.try_get("created_by_name")?,
            created_at: row.try_get("created_at")?,
            items: manifest.items.len(),
        },
        manifest,
        manifest_json,
        signature: row.try_get("signature")?,
        public_key,
    })
}

crate::list::listed!(PackageSummary);

impl Access {
    /// Builds and signs a package of the given items for a recipient.
    pub async fn evidence_package_create(&self, input: &PackageInput) -> Result<PackageDetail> {
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::TransferPackage),
            None,
        )
        .await?;
        let input = input.validate()?;
        let mut items = Vec::new();
        for id in &input.items {
            match self.evidence_authorized(id, Action::Export).await {
                Ok(item) => items.push(item),
                Err(StoreError::NotFound) => {
                    return Err(StoreError::invalid("items", format!("no such item: {id}")));
                }
                Err(e) => return Err(e),
            }
        }
        let compartment = items[0].labels.compartment.clone();
        if items.iter().any(|i| i.labels.compartment != compartment) {
            return Err(StoreError::invalid(
                "items",
                "a package holds items of one compartment; build one package per compartment",
            ));
        }
        let labels = Labels {
            classification: items
                .iter()
                .map(|i| i.labels.classification)
                .max()
                .unwrap_or(grotius_domain::Classification::Confidential),
            compartment,
        };
        self.authorize_labels(Action::Create, ResourceKind::TransferPackage, &labels, None)
            .await?;
        let keys = self.store.evidence_keys()?;
        let id = new_id();
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        let mut entries = Vec::new();
        for item in &items {
            let events = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {EVENT_COLS} FROM custody_events WHERE item_id = $1 ORDER BY seq"
            )))
            .bind(&item.id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(event_from_row)
            .collect::<Result<Vec<_>>>()?;
            entries.push(ManifestItem {
                item_id: item.id.clone(),
                file: format!(
                    "files/{}/{}",
                    item.id,
                    safe_file_name(&item.capture.original_name)
                ),
                sha256: item.sha256.clone(),
                size: item.size,
                captured_at_utc: format_utc(item.capture.captured_at),
                capture: item.capture.clone(),
                parent_id: item.parent_id.clone(),
                derivation: item.derivation.clone(),
                incident_id: item.incident_id.clone(),
                classification: item.labels.classification.as_str().to_string(),
                custody: events,
            });
        }
        let manifest = Manifest {
            format: MANIFEST_FORMAT.into(),
            package_id: id.clone(),
            created_at: format_utc(now),
            created_by: self.subject.username.clone(),
            recipient: input.recipient.clone(),
            recipient_kind: input.recipient_kind.clone(),
            purpose: input.purpose.clone(),
            use_restrictions: input.use_restrictions.clone(),
            public_key: keys.public_key_hex(),
            items: entries,
        };
        let json = serde_json::to_string_pretty(&manifest)
            .map_err(|e| StoreError::Integrity(format!("manifest: {e}")))?;
        let manifest_sha = hex::encode(Sha256::digest(json.as_bytes()));
        let signature = keys.sign(json.as_bytes());
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO transfer_packages ({PKG_COLS}, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        )))
        .bind(&id)
        .bind(&input.recipient)
        .bind(&input.recipient_kind)
        .bind(&input.purpose)
        .bind(&input.use_restrictions)
        .bind(&json)
        .bind(&manifest_sha)
        .bind(&signature)
        .bind(labels.classification.level())
        .bind(labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(&self.subject.username)
        .bind(now)
        .bind(&self.subject.user_id)
        .execute(&mut *tx)
        .await?;
        for item in &items {
            sqlx::query("INSERT INTO transfer_package_items (package_id, item_id) VALUES ($1, $2)")
                .bind(&id)
                .bind(&item.id)
                .execute(&mut *tx)
                .await?;
            self.evidence_custody(
                &mut tx,
                &item.id,
                "transfer",
                serde_json::json!({
                    "package": id,
                    "recipient": input.recipient,
                    "recipient_kind": input.recipient_kind,
                    "manifest_sha256": manifest_sha,
                }),
            )
            .await?;
        }
        record_change(&mut tx, "transfer-package", &id, "upsert").await?;
        self.audit_in(
            &mut tx,
            "transfer-package.create",
            "transfer-package",
            &id,
            "ok",
            &serde_json::json!({"recipient": input.recipient, "items": input.items, "manifest_sha256": manifest_sha}).to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(PackageDetail {
            summary: PackageSummary {
                id,
                recipient: input.recipient.clone(),
                recipient_kind: input.recipient_kind.clone(),
                purpose: input.purpose.clone(),
                use_restrictions: input.use_restrictions.clone(),
                manifest_sha256: manifest_sha,
                labels,
                created_by: self.subject.username.clone(),
                created_at: now,
                items: manifest.items.len(),
            },
            manifest,
            manifest_json: json,
            signature,
            public_key: keys.public_key_hex(),
        })
    }

    /// Packages the subject may see, newest first.
    pub async fn evidence_package_list(&self) -> Result<Vec<PackageSummary>> {
        // Packages are not audited when listed; their creation and transfer are.
        let list = self
            .list(ResourceKind::TransferPackage, "transfer_packages", "")
            .await?
            .columns(PKG_COLS)
            .order("created_at DESC")
            .unaudited();
        let key = self.store.evidence_public_key()?;
        self.fetch_rows(&list, Some((500, 0)), |row| {
            Ok(package_from_row(row, key.clone())?.summary)
        })
        .await
    }

    async fn evidence_package_authorized(&self, id: &str, action: Action) -> Result<PackageDetail> {
        let sql = format!("SELECT {PKG_COLS} FROM transfer_packages WHERE id = $1");
        let row = self
            .fetch_row(ResourceKind::TransferPackage, sql, id)
            .await?;
        let p = package_from_row(&row, self.store.evidence_public_key()?)?;
        let r = Resource::labelled(ResourceKind::TransferPackage, &p.summary.labels);
        self.authorize(Action::Read, r, Some(id)).await?;
        if action != Action::Read {
            self.authorize(action, r, Some(id)).await?;
        }
        Ok(p)
    }

    /// A package with its manifest.
    pub async fn evidence_package_get(&self, id: &str) -> Result<PackageDetail> {
        let p = self.evidence_package_authorized(id, Action::Read).await?;
        self.audit_now("transfer-package.read", "transfer-package", id, "ok", "{}")
            .await?;
        Ok(p)
    }

    /// Opens a package for download: an `export` event in each item's chain; readers of the
    /// files in manifest order.
    pub async fn evidence_package_export(
        &self,
        id: &str,
    ) -> Result<(PackageDetail, Vec<BlobReader>)> {
        let p = self.evidence_package_authorized(id, Action::Export).await?;
        let mut readers = Vec::new();
        for item in &p.manifest.items {
            readers.push(BlobReader::open(&self.store, &item.sha256).await?);
        }
        let mut tx = self.store.write_tx().await?;
        for item in &p.manifest.items {
            self.evidence_custody(
                &mut tx,
                &item.item_id,
                "export",
                serde_json::json!({"package": id, "recipient": p.summary.recipient, "manifest_sha256": p.summary.manifest_sha256}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok((p, readers))
    }
}
