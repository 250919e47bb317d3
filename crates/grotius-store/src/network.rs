//! Actors and relationships, and the network questions. The graph is held in memory per app
//! node and rebuilt when the change feed shows a newer actor or relationship change, so several
//! nodes on one PostgreSQL each stay current. Every question is answered on the subject's
//! visible graph only.

use std::sync::Arc;

use grotius_analysis::{EdgeRow, Ego, NetworkGraph, NodeRow};
use grotius_domain::network::{Actor, ActorInput, Relationship, RelationshipInput};
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_security::now_micros;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::{Bind, Where};
use crate::process::record_change;
use crate::{Access, Page, Result, Store, StoreError, new_id};

/// The in-memory graph and the change-feed position it reflects.
#[derive(Default)]
pub struct NetworkCache {
    seq: i64,
    loaded: bool,
    graph: Arc<NetworkGraph>,
    /// Broker rankings per visibility (they cost a breadth-first search per source).
    brokers: std::collections::HashMap<String, Arc<Vec<(String, f64)>>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActorFilter {
    pub q: Option<String>,
    pub category: Option<String>,
    pub country: Option<String>,
}

/// One introduction path: actor ids and names from one of "us" to the target.
#[derive(Debug, Clone, Serialize)]
pub struct Introduction {
    pub actors: Vec<(String, String)>,
}

/// A network answer with the names of every actor it mentions (all visible to the asker).
#[derive(Debug, Clone, Serialize)]
pub struct NetworkAnswer<T> {
    pub answer: T,
    pub names: std::collections::HashMap<String, (String, String)>,
}

const ACTOR_COLS: &str = "id, name, kind, category, country, description, notes, classification, compartment_id, created_at, updated_at";
const REL_COLS: &str = "id, from_actor, to_actor, kind, since, until, holder, last_contact, channel, source, classification, compartment_id, created_at";

fn labels_of(row: &sqlx::any::AnyRow) -> Result<Labels> {
    let comp: Option<String> = row.try_get("compartment_id")?;
    Ok(Labels {
        classification: Classification::from_level(row.try_get("classification")?)?,
        compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
    })
}

fn notes_aad(id: &str) -> String {
    format!("actors.notes:{id}")
}

fn relationship_from_row(row: &sqlx::any::AnyRow) -> Result<Relationship> {
    Ok(Relationship {
        id: row.try_get("id")?,
        from_actor: row.try_get("from_actor")?,
        to_actor: row.try_get("to_actor")?,
        kind: row.try_get("kind")?,
        since: row.try_get("since")?,
        until: row.try_get("until")?,
        holder: row.try_get("holder")?,
        last_contact: row.try_get("last_contact")?,
        channel: row.try_get("channel")?,
        source: row.try_get("source")?,
        labels: labels_of(row)?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    /// The current graph: rebuilt from the database when the change feed moved on.
    pub(crate) async fn network_graph(&self) -> Result<Arc<NetworkGraph>> {
        let latest: i64 = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) AS s FROM change_feed WHERE resource_kind IN ('actor', 'relationship')",
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("s")?;
        let mut cache = self.network.lock().await;
        if cache.loaded && cache.seq == latest {
            return Ok(cache.graph.clone());
        }
        let actors = sqlx::query("SELECT id, category, classification, compartment_id FROM actors")
            .fetch_all(&self.pool)
            .await?;
        let nodes = actors
            .iter()
            .map(|r| {
                Ok(NodeRow {
                    id: r.try_get("id")?,
                    labels: labels_of(r)?,
                    ours: r.try_get::<String, _>("category")? == "ours",
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let rels = sqlx::query(
            "SELECT id, from_actor, to_actor, classification, compartment_id FROM relationships",
        )
        .fetch_all(&self.pool)
        .await?;
        let edges = rels
            .iter()
            .map(|r| {
                Ok(EdgeRow {
                    id: r.try_get("id")?,
                    from: r.try_get("from_actor")?,
                    to: r.try_get("to_actor")?,
                    labels: labels_of(r)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let graph = Arc::new(NetworkGraph::build(nodes, edges));
        tracing::debug!(
            actors = graph.node_count(),
            relationships = graph.edge_count(),
            seq = latest,
            "network graph rebuilt"
        );
        *cache = NetworkCache {
            seq: latest,
            loaded: true,
            graph: graph.clone(),
            brokers: Default::default(),
        };
        Ok(graph)
    }
}

crate::list::listed!(Actor, Relationship);

impl Access {
    fn actor_from_row(&self, row: &sqlx::any::AnyRow) -> Result<Actor> {
        let id: String = row.try_get("id")?;
        let notes: Option<String> = row.try_get("notes")?;
        let notes = match notes {
            Some(n) if !n.is_empty() => self.store.keys.decrypt(&notes_aad(&id), &n)?,
            _ => String::new(),
        };
        Ok(Actor {
            name: row.try_get("name")?,
            kind: row.try_get("kind")?,
            category: row.try_get("category")?,
            country: row.try_get("country")?,
            description: row.try_get("description")?,
            notes,
            labels: labels_of(row)?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            id,
        })
    }

    pub async fn list_actors(
        &self,
        filter: &ActorFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Page<Actor>> {
        // Actors are reference data of the network: their listing is not audited.
        let mut list = self
            .list(ResourceKind::Actor, "actors", "")
            .await?
            .columns(ACTOR_COLS)
            .order("name, id")
            .unaudited();
        let f = &mut list.filter;
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            f.push(
                "LOWER(name) LIKE ?",
                Bind::Text(format!("%{}%", q.to_lowercase().replace(['%', '_'], ""))),
            );
        }
        f.push_text("category = ?", filter.category.as_deref());
        f.push_country("country = ?", filter.country.as_deref(), str::to_string)?;
        self.list_page(list, limit, offset, |row| self.actor_from_row(row))
            .await
    }

    pub async fn get_actor(&self, id: &str) -> Result<Actor> {
        let a = self
            .get_checked(
                ResourceKind::Actor,
                Action::Read,
                format!("SELECT {ACTOR_COLS} FROM actors WHERE id = $1"),
                id,
                |row| self.actor_from_row(row),
            )
            .await?;
        if a.labels.classification.read_is_audited() {
            self.audit_now("actor.read", "actor", id, "ok", "{}")
                .await?;
        }
        Ok(a)
    }

    pub async fn create_actor(&self, input: &ActorInput) -> Result<Actor> {
        self.authorize(Action::Create, Resource::kind(ResourceKind::Actor), None)
            .await?;
        let (v, labels) = input.validate()?;
        self.authorize_labels(Action::Create, ResourceKind::Actor, &labels, None)
            .await?;
        let id = new_id();
        self.write_actor(&id, &v, &labels, true).await?;
        self.get_actor(&id).await
    }

    pub async fn update_actor(&self, id: &str, input: &ActorInput) -> Result<Actor> {
        let current = self.get_actor(id).await?;
        self.authorize(
            Action::Update,
            Resource::labelled(ResourceKind::Actor, &current.labels),
            Some(id),
        )
        .await?;
        let (v, labels) = input.validate()?;
        self.authorize_labels(Action::Update, ResourceKind::Actor, &labels, Some(id))
            .await?;
        self.write_actor(id, &v, &labels, false).await?;
        self.get_actor(id).await
    }

    async fn write_actor(
        &self,
        id: &str,
        v: &ActorInput,
        labels: &Labels,
        new: bool,
    ) -> Result<()> {
        let notes = if v.notes.is_empty() {
            None
        } else {
            Some(self.store.keys.encrypt(&notes_aad(id), &v.notes)?)
        };
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        let sql = if new {
            "INSERT INTO actors (name, kind, category, country, description, notes, classification, compartment_id, updated_at, id, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $9)"
        } else {
            "UPDATE actors SET name = $1, kind = $2, category = $3, country = $4, description = $5, notes = $6, classification = $7,
                    compartment_id = $8, updated_at = $9 WHERE id = $10"
        };
        let mut q = sqlx::query(sql)
            .bind(&v.name)
            .bind(&v.kind)
            .bind(&v.category)
            .bind(v.country.clone())
            .bind(&v.description)
            .bind(notes)
            .bind(labels.classification.level())
            .bind(labels.compartment.as_ref().map(|c| c.to_string()))
            .bind(now)
            .bind(id);
        if new {
            q = q.bind(&self.subject.user_id);
        }
        q.execute(&mut *tx).await.map_err(|e| match &e {
            sqlx::Error::Database(d) if d.message().to_lowercase().contains("foreign") => {
                StoreError::invalid("compartment", "that compartment does not exist")
            }
            _ => StoreError::Database(e),
        })?;
        record_change(&mut tx, "actor", id, "upsert").await?;
        let detail = serde_json::json!({"classification": labels.classification, "compartment": labels.compartment}).to_string();
        self.audit_in(
            &mut tx,
            if new { "actor.create" } else { "actor.update" },
            "actor",
            id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes an actor and its relationships. Refused when relationships the subject cannot
    /// see are attached (they are not the subject's to destroy).
    pub async fn delete_actor(&self, id: &str) -> Result<()> {
        let current = self.get_actor(id).await?;
        self.authorize(
            Action::Delete,
            Resource::labelled(ResourceKind::Actor, &current.labels),
            Some(id),
        )
        .await?;
        let rels = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {REL_COLS} FROM relationships WHERE from_actor = $1 OR to_actor = $1"
        )))
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        let rels = rels
            .iter()
            .map(relationship_from_row)
            .collect::<Result<Vec<_>>>()?;
        if rels.iter().any(|r| {
            !self.may(
                Action::Delete,
                Resource::labelled(ResourceKind::Relationship, &r.labels),
            )
        }) {
            return Err(StoreError::Forbidden("this actor is linked in records outside your compartments; ask a coordinator who holds them".into()));
        }
        let mut tx = self.store.write_tx().await?;
        for r in &rels {
            self.delete_row(&mut tx, "relationships", "relationship", &r.id, "{}")
                .await?;
        }
        self.delete_row(&mut tx, "actors", "actor", id, "{}")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Relationships of an actor that the subject may see (with both ends visible).
    pub async fn actor_relationships(&self, id: &str) -> Result<Vec<(Relationship, Actor)>> {
        let actor = self.get_actor(id).await?;
        self.authorize(
            Action::Read,
            Resource::kind(ResourceKind::Relationship),
            None,
        )
        .await?;
        let mut f = Where::default();
        f.visibility(self, "");
        f.push(
            "(from_actor = ? OR to_actor = ?)",
            Bind::Text(actor.id.clone()),
        );
        let rows = f
            .query(format!(
                "SELECT {REL_COLS} FROM relationships{} ORDER BY created_at, id",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let mut out = Vec::new();
        for row in &rows {
            let r = relationship_from_row(row)?;
            let other_id = if r.from_actor == actor.id {
                &r.to_actor
            } else {
                &r.from_actor
            };
            let other = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {ACTOR_COLS} FROM actors WHERE id = $1"
            )))
            .bind(other_id)
            .fetch_one(&self.store.pool)
            .await?;
            let other = self.actor_from_row(&other)?;
            if self.may(
                Action::Read,
                Resource::labelled(ResourceKind::Actor, &other.labels),
            ) && self.may(
                Action::Read,
                Resource::labelled(ResourceKind::Relationship, &r.labels),
            ) {
                out.push((r, other));
            }
        }
        Ok(out)
    }

    pub async fn create_relationship(&self, input: &RelationshipInput) -> Result<Relationship> {
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::Relationship),
            None,
        )
        .await?;
        let (v, labels) = input.validate()?;
        self.authorize_labels(Action::Create, ResourceKind::Relationship, &labels, None)
            .await?;
        // Both ends must be actors the subject can see; otherwise they do not exist for it.
        for (field, a) in [("from_actor", &v.from_actor), ("to_actor", &v.to_actor)] {
            match self.get_actor(a).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => {
                    return Err(StoreError::invalid(field, "no such actor"));
                }
                Err(e) => return Err(e),
            }
        }
        let id = new_id();
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO relationships (id, from_actor, to_actor, kind, since, until, holder, last_contact, channel, source,
                                        classification, compartment_id, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(&id)
        .bind(&v.from_actor)
        .bind(&v.to_actor)
        .bind(&v.kind)
        .bind(v.since.clone())
        .bind(v.until.clone())
        .bind(v.holder.clone())
        .bind(v.last_contact.clone())
        .bind(v.channel.clone())
        .bind(&v.source)
        .bind(labels.classification.level())
        .bind(labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(&self.subject.user_id)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, "relationship", &id, "upsert").await?;
        let detail = serde_json::json!({"from": v.from_actor, "to": v.to_actor, "kind": v.kind, "classification": labels.classification}).to_string();
        self.audit_in(
            &mut tx,
            "relationship.create",
            "relationship",
            &id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {REL_COLS} FROM relationships WHERE id = $1"
        )))
        .bind(&id)
        .fetch_one(&self.store.pool)
        .await?;
        relationship_from_row(&row)
    }

    pub async fn delete_relationship(&self, id: &str) -> Result<()> {
        self.get_checked(
            ResourceKind::Relationship,
            Action::Delete,
            format!("SELECT {REL_COLS} FROM relationships WHERE id = $1"),
            id,
            relationship_from_row,
        )
        .await?;
        let mut tx = self.store.write_tx().await?;
        self.delete_row(&mut tx, "relationships", "relationship", id, "{}")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn graph_for_question(&self) -> Result<Arc<NetworkGraph>> {
        self.authorize(Action::Read, Resource::kind(ResourceKind::Actor), None)
            .await?;
        self.authorize(
            Action::Read,
            Resource::kind(ResourceKind::Relationship),
            None,
        )
        .await?;
        self.store.network_graph().await
    }

    /// Names and categories of actors mentioned in an answer (all visible by construction; each
    /// is checked again).
    async fn names(
        &self,
        ids: impl Iterator<Item = &String>,
    ) -> Result<std::collections::HashMap<String, (String, String)>> {
        let mut out = std::collections::HashMap::new();
        let ids: Vec<String> = ids.cloned().collect();
        for chunk in ids.chunks(200) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, name, category, classification, compartment_id FROM actors WHERE id IN ({})",
                placeholders.join(", ")
            )));
            for id in chunk {
                q = q.bind(id.clone());
            }
            for row in q.fetch_all(&self.store.pool).await? {
                let labels = labels_of(&row)?;
                if !self.may(
                    Action::Read,
                    Resource::labelled(ResourceKind::Actor, &labels),
                ) {
                    return Err(StoreError::Integrity(
                        "a network answer mentioned an actor the policy denies".into(),
                    ));
                }
                out.insert(
                    row.try_get("id")?,
                    (row.try_get("name")?, row.try_get("category")?),
                );
            }
        }
        Ok(out)
    }

    /// The ego network of an actor to `depth` hops (1 to 3), at most `max_nodes` actors.
    pub async fn ego_network(
        &self,
        id: &str,
        depth: u32,
        max_nodes: usize,
    ) -> Result<NetworkAnswer<Ego>> {
        let center = self.get_actor(id).await?;
        let g = self.graph_for_question().await?;
        let v = g.visibility(&self.subject);
        let ego = g
            .ego(&v, &center.id, depth.clamp(1, 3), max_nodes.clamp(1, 2000))
            .ok_or(StoreError::NotFound)?;
        let names = self.names(ego.nodes.iter().map(|(id, _)| id)).await?;
        Ok(NetworkAnswer { answer: ego, names })
    }

    /// "Who can introduce us to X": up to `k` shortest paths from one of "us" to the actor.
    pub async fn introductions(
        &self,
        id: &str,
        k: usize,
    ) -> Result<NetworkAnswer<Vec<Vec<String>>>> {
        let target = self.get_actor(id).await?;
        let g = self.graph_for_question().await?;
        let v = g.visibility(&self.subject);
        let paths = g.introductions(&v, &target.id, k.clamp(1, 10));
        let names = self.names(paths.iter().flatten()).await?;
        self.audit_now(
            "network.introductions",
            "actor",
            id,
            "ok",
            &serde_json::json!({"paths": paths.len()}).to_string(),
        )
        .await?;
        Ok(NetworkAnswer {
            answer: paths,
            names,
        })
    }

    /// Brokers of the subject's visible network, ranked by betweenness.
    pub async fn brokers(&self, top: usize) -> Result<NetworkAnswer<Vec<(String, f64)>>> {
        let g = self.graph_for_question().await?;
        let key = NetworkGraph::visibility_key(&self.subject);
        let cached = self.store.network.lock().await.brokers.get(&key).cloned();
        let ranking = match cached {
            Some(r) => r,
            None => {
                let v = g.visibility(&self.subject);
                // Exact up to 3,000 visible actors; beyond, 32 sampled sources.
                let graph = g.clone();
                let r = Arc::new(
                    tokio::task::spawn_blocking(move || graph.brokers(&v, 100, 3000, 32))
                        .await
                        .map_err(|e| StoreError::Integrity(e.to_string()))?,
                );
                let mut cache = self.store.network.lock().await;
                if Arc::ptr_eq(&cache.graph, &g) {
                    cache.brokers.insert(key, r.clone());
                }
                r
            }
        };
        let b: Vec<(String, f64)> = ranking.iter().take(top.clamp(1, 100)).cloned().collect();
        let names = self.names(b.iter().map(|(id, _)| id)).await?;
        Ok(NetworkAnswer { answer: b, names })
    }
}
