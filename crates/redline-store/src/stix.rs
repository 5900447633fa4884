//! STIX objects and TAXII collections in the SQL store every version of every object
//! posted to a collection, the collections with each party's read and write rights, and the
//! status records of TAXII POSTs.
//!
//! The store keeps what the node decided: which parties may read a restricted object version,
//! its `date_added`, its version. It filters by those in SQL so that TAXII paging stays correct
//! under TLP; the STIX object of a stored incident report is filtered by the report's stored
//! readers as well.

use std::sync::{Arc, Mutex};

use sqlx::{AnyConnection, Row};

use redline_model::{PartyId, Timestamp};

use async_trait::async_trait;

use crate::StoreError;
use crate::sql_helpers::{classify, timestamp_from_column, value_placeholders};

/// STIX objects and TAXII collections: sharing with other nodes and tools.
#[async_trait]
pub trait SharingStore: Send + Sync {
    /// Creates a collection. Conflict if its id or alias exists.
    async fn insert_taxii_collection(&self, collection: &TaxiiCollection)
    -> Result<(), StoreError>;
    async fn get_taxii_collection(&self, id: &str) -> Result<Option<TaxiiCollection>, StoreError>;
    /// Every collection, oldest first.
    async fn list_taxii_collections(&self) -> Result<Vec<TaxiiCollection>, StoreError>;
    /// Sets (or replaces) what a party may do with a collection.
    async fn put_collection_access(&self, access: &CollectionAccess) -> Result<(), StoreError>;
    /// Every party's rights to every collection (`collection` = `None`) or to one.
    async fn list_collection_access(
        &self,
        collection: Option<&str>,
    ) -> Result<Vec<CollectionAccess>, StoreError>;
    /// Stores object versions in one transaction; answers, for each, whether it was new
    /// (`false`: that id and version were in the collection already, and nothing changed).
    async fn insert_stix_objects(
        &self,
        objects: &[StixObjectWrite],
    ) -> Result<Vec<bool>, StoreError>;
    async fn list_stix_objects(
        &self,
        query: &StixObjectQuery,
    ) -> Result<StixObjectPage, StoreError>;
    /// The latest `date_added` of any stored object, so a node keeps them increasing.
    async fn latest_stix_added_at(&self) -> Result<Option<Timestamp>, StoreError>;
    async fn insert_taxii_status(&self, status: &TaxiiStatusRecord) -> Result<(), StoreError>;
    async fn get_taxii_status(&self, id: &str) -> Result<Option<TaxiiStatusRecord>, StoreError>;
}

/// A TAXII collection. `id` is a UUID in text form (TAXII requires it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxiiCollection {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub alias: Option<String>,
    pub created_at: Timestamp,
}

/// What one party may do with one collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionAccess {
    pub collection_id: String,
    pub party: PartyId,
    pub can_read: bool,
    pub can_write: bool,
}

/// One version of one STIX object to store in a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StixObjectWrite {
    pub collection_id: String,
    pub object_id: String,
    pub object_type: String,
    pub spec_version: String,
    /// `modified`, else `created`, else the time it was added.
    pub version: Timestamp,
    /// The TAXII `date_added`.
    pub added_at: Timestamp,
    pub added_by: Option<PartyId>,
    /// `None`: every party that may read the collection may read it; `Some`: only these.
    pub readers: Option<Vec<PartyId>>,
    /// The object's JSON text.
    pub record: String,
}

/// A stored version of a STIX object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStixObject {
    pub sequence: i64,
    pub collection_id: String,
    pub object_id: String,
    pub object_type: String,
    pub spec_version: String,
    pub version: Timestamp,
    pub added_at: Timestamp,
    pub added_by: Option<PartyId>,
    pub restricted: bool,
    /// The JSON text; empty when the query asked for metadata only.
    pub record: String,
}

/// Which versions of each object a query returns (TAXII `match[version]`; the selections are
/// OR'd). The default is the latest version only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionSelection {
    pub all: bool,
    pub first: bool,
    pub last: bool,
    pub exact: Vec<Timestamp>,
}

impl Default for VersionSelection {
    fn default() -> Self {
        Self {
            all: false,
            first: false,
            last: true,
            exact: Vec::new(),
        }
    }
}

/// A page of objects in a collection, in `date_added` order. Lists are OR'd within, filters
/// AND'd between (TAXII §3.6); empty lists do not filter.
#[derive(Debug, Clone, Default)]
pub struct StixObjectQuery {
    pub collection_id: String,
    /// `None`: everything (the node's operator); `Some(party)`: what TLP lets it read.
    pub visible_to: Option<PartyId>,
    pub added_after: Option<Timestamp>,
    pub ids: Vec<String>,
    pub types: Vec<String>,
    pub versions: VersionSelection,
    pub spec_versions: Vec<String>,
    /// Continue after this `(date_added, sequence)` (the last item of the previous page).
    pub after: Option<(Timestamp, i64)>,
    pub limit: u32,
    /// Leave `record` empty (manifests and version lists need no bodies).
    pub metadata_only: bool,
}

/// One page of objects and whether more follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StixObjectPage {
    pub objects: Vec<StoredStixObject>,
    pub more: bool,
}

/// The status of a TAXII POST: its resource as JSON text, as the node made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxiiStatusRecord {
    pub id: String,
    pub collection_id: String,
    pub requested_by: Option<PartyId>,
    pub created_at: Timestamp,
    pub record: String,
}

/// Where the writer leaves which objects of a batch were new (`true`) and which were already
/// stored with the same id and version (`false`). Rewritten if the batch is retried.
#[derive(Debug, Clone, Default)]
pub struct InsertOutcome(pub(crate) Arc<Mutex<Vec<bool>>>);

impl InsertOutcome {
    pub(crate) fn set(&self, outcome: Vec<bool>) {
        if let Ok(mut guard) = self.0.lock() {
            *guard = outcome;
        }
    }

    pub(crate) fn take(&self) -> Vec<bool> {
        self.0
            .lock()
            .map(|mut guard| std::mem::take(&mut *guard))
            .unwrap_or_default()
    }
}

/// Rows per multi-row INSERT (9 parameters each; well under both databases' limits).
const ROWS_PER_INSERT: usize = 500;

pub(crate) async fn insert_collection(
    connection: &mut AnyConnection,
    collection: &TaxiiCollection,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO taxii_collections (id, title, description, alias, created_at_us) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(collection.id.as_str())
    .bind(collection.title.as_str())
    .bind(collection.description.as_deref())
    .bind(collection.alias.as_deref())
    .bind(collection.created_at.as_microseconds())
    .execute(&mut *connection)
    .await
    .map_err(|error| classify(error, || format!("collection {}", collection.id)))?;
    Ok(())
}

pub(crate) async fn put_access(
    connection: &mut AnyConnection,
    access: &CollectionAccess,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO taxii_collection_access (collection_id, party_id, can_read, can_write) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (collection_id, party_id) DO UPDATE SET can_read = excluded.can_read, can_write = excluded.can_write",
    )
    .bind(access.collection_id.as_str())
    .bind(access.party.as_str())
    .bind(i64::from(access.can_read))
    .bind(i64::from(access.can_write))
    .execute(&mut *connection)
    .await
    .map_err(|error| {
        classify(error, || {
            format!(
                "access of {} to collection {}",
                access.party, access.collection_id
            )
        })
    })?;
    Ok(())
}

/// Inserts every object version that is not stored yet (same collection, id and version) and
/// records which ones were new in `outcome`.
pub(crate) async fn insert_objects(
    connection: &mut AnyConnection,
    objects: &[StixObjectWrite],
    outcome: &InsertOutcome,
) -> Result<(), StoreError> {
    let mut inserted = vec![false; objects.len()];
    let shift = date_added_shift(connection, objects).await?;
    for (chunk_index, chunk) in objects.chunks(ROWS_PER_INSERT).enumerate() {
        let statement = insert_objects_statement(connection, chunk.len());
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
        for object in chunk {
            query = query
                .bind(object.collection_id.clone())
                .bind(object.object_id.clone())
                .bind(object.object_type.clone())
                .bind(object.spec_version.clone())
                .bind(object.version.as_microseconds())
                .bind(object.added_at.as_microseconds().saturating_add(shift))
                .bind(
                    object
                        .added_by
                        .as_ref()
                        .map(|party| party.as_str().to_string()),
                )
                .bind(i64::from(object.readers.is_some()))
                .bind(object.record.clone());
        }
        let returned = query
            .fetch_all(&mut *connection)
            .await
            .map_err(|error| classify(error, || "a batch of STIX objects".to_string()))?;
        let mut positions: std::collections::HashMap<(&str, i64), usize> =
            std::collections::HashMap::with_capacity(chunk.len());
        for (index, object) in chunk.iter().enumerate() {
            positions
                .entry((object.object_id.as_str(), object.version.as_microseconds()))
                .or_insert(index);
        }
        let mut reader_rows: Vec<(i64, String)> = Vec::new();
        for row in &returned {
            let sequence: i64 = row.try_get("sequence")?;
            let object_id: String = row.try_get("object_id")?;
            let version_us: i64 = row.try_get("version_us")?;
            let Some(&position) = positions.get(&(object_id.as_str(), version_us)) else {
                continue;
            };
            inserted[chunk_index * ROWS_PER_INSERT + position] = true;
            if let Some(readers) = &chunk[position].readers {
                for reader in readers {
                    reader_rows.push((sequence, reader.as_str().to_string()));
                }
            }
        }
        insert_readers(connection, &reader_rows).await?;
    }
    outcome.set(inserted);
    Ok(())
}

/// How far a batch's `date_added` times must move so that every one is later than any stored
/// (0 when they are already). The node keeps them increasing within its process; with several
/// processes over PostgreSQL the batch's transaction holds the write-order lock, so reading the
/// latest here makes `date_added` grow in commit order across processes too, and a TAXII client
/// paging with `added_after` never skips an object committed late.
async fn date_added_shift(
    connection: &mut AnyConnection,
    objects: &[StixObjectWrite],
) -> Result<i64, StoreError> {
    let Some(earliest) = objects
        .iter()
        .map(|object| object.added_at.as_microseconds())
        .min()
    else {
        return Ok(0);
    };
    // Per collection (TAXII pages within one), through the (collection, date_added) index.
    let mut collections: Vec<&str> = objects
        .iter()
        .map(|object| object.collection_id.as_str())
        .collect();
    collections.sort_unstable();
    collections.dedup();
    let mut shift = 0_i64;
    for collection in collections {
        let latest: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(added_at_us) FROM stix_objects WHERE collection_id = $1",
        )
        .bind(collection)
        .fetch_one(&mut *connection)
        .await?;
        if let Some(latest) = latest {
            shift = shift.max(latest.saturating_add(1).saturating_sub(earliest));
        }
    }
    Ok(shift)
}

/// The multi-row INSERT for `rows` objects: built from the row count only; every value is a
/// bound parameter.
fn insert_objects_statement(connection: &AnyConnection, rows: usize) -> String {
    format!(
        "INSERT INTO stix_objects (collection_id, object_id, object_type, spec_version, version_us, added_at_us, added_by, restricted, record) VALUES {} \
         ON CONFLICT (collection_id, object_id, version_us) DO NOTHING RETURNING sequence, object_id, version_us",
        value_placeholders(connection, rows, 9)
    )
}

async fn insert_readers(
    connection: &mut AnyConnection,
    rows: &[(i64, String)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let statement = format!(
            "INSERT INTO stix_object_readers (object_sequence, party_id) VALUES {} ON CONFLICT DO NOTHING",
            value_placeholders(connection, chunk.len(), 2)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
        for (sequence, party) in chunk {
            query = query.bind(*sequence).bind(party.clone());
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}

pub(crate) async fn insert_status(
    connection: &mut AnyConnection,
    status: &TaxiiStatusRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO taxii_statuses (id, collection_id, requested_by, created_at_us, record) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(status.id.as_str())
    .bind(status.collection_id.as_str())
    .bind(status.requested_by.as_ref().map(|party| party.as_str().to_string()))
    .bind(status.created_at.as_microseconds())
    .bind(status.record.as_str())
    .execute(&mut *connection)
    .await
    .map_err(|error| classify(error, || format!("status {}", status.id)))?;
    Ok(())
}

fn corrupt(what: &str, message: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what: what.to_string(),
        message: message.to_string(),
    }
}

fn timestamp(what: &str, microseconds: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microseconds(microseconds).map_err(|message| corrupt(what, message))
}

fn optional_party(what: &str, text: Option<String>) -> Result<Option<PartyId>, StoreError> {
    text.map(|text| PartyId::parse(&text).map_err(|message| corrupt(what, message)))
        .transpose()
}

fn collection_from_row(row: &sqlx::any::AnyRow) -> Result<TaxiiCollection, StoreError> {
    Ok(TaxiiCollection {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        alias: row.try_get("alias")?,
        created_at: timestamp("collection", row.try_get("created_at_us")?)?,
    })
}

fn access_from_row(row: &sqlx::any::AnyRow) -> Result<CollectionAccess, StoreError> {
    let party: String = row.try_get("party_id")?;
    let can_read: i64 = row.try_get("can_read")?;
    let can_write: i64 = row.try_get("can_write")?;
    Ok(CollectionAccess {
        collection_id: row.try_get("collection_id")?,
        party: PartyId::parse(&party).map_err(|message| corrupt("collection access", message))?,
        can_read: can_read != 0,
        can_write: can_write != 0,
    })
}

fn status_from_row(row: &sqlx::any::AnyRow) -> Result<TaxiiStatusRecord, StoreError> {
    Ok(TaxiiStatusRecord {
        id: row.try_get("id")?,
        collection_id: row.try_get("collection_id")?,
        requested_by: optional_party("status", row.try_get("requested_by")?)?,
        created_at: timestamp("status", row.try_get("created_at_us")?)?,
        record: row.try_get("record")?,
    })
}

fn object_from_row(
    row: &sqlx::any::AnyRow,
    metadata_only: bool,
) -> Result<StoredStixObject, StoreError> {
    let restricted: i64 = row.try_get("restricted")?;
    Ok(StoredStixObject {
        sequence: row.try_get("sequence")?,
        collection_id: row.try_get("collection_id")?,
        object_id: row.try_get("object_id")?,
        object_type: row.try_get("object_type")?,
        spec_version: row.try_get("spec_version")?,
        version: timestamp("STIX object", row.try_get("version_us")?)?,
        added_at: timestamp("STIX object", row.try_get("added_at_us")?)?,
        added_by: optional_party("STIX object", row.try_get("added_by")?)?,
        restricted: restricted != 0,
        record: if metadata_only {
            String::new()
        } else {
            row.try_get("record")?
        },
    })
}

/// Builds the SQL of a query: the text holds only column names, operators and numbered
/// placeholders; every value is bound.
struct QueryBuilder {
    conditions: Vec<String>,
    values: Vec<BoundValue>,
}

enum BoundValue {
    Text(String),
    Integer(i64),
}

impl QueryBuilder {
    fn placeholder(&mut self, value: BoundValue) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    fn text_list(&mut self, column: &str, values: &[String]) {
        if values.is_empty() {
            return;
        }
        let placeholders: Vec<String> = values
            .iter()
            .map(|value| self.placeholder(BoundValue::Text(value.clone())))
            .collect();
        self.conditions
            .push(format!("{column} IN ({})", placeholders.join(", ")));
    }
}

pub(crate) async fn list_objects(
    pool: &sqlx::AnyPool,
    query: &StixObjectQuery,
) -> Result<StixObjectPage, StoreError> {
    let limit = query.limit.clamp(1, 10_000);
    let mut builder = QueryBuilder {
        conditions: Vec::new(),
        values: Vec::new(),
    };
    let collection = builder.placeholder(BoundValue::Text(query.collection_id.clone()));
    builder
        .conditions
        .push(format!("o.collection_id = {collection}"));
    if let Some(added_after) = query.added_after {
        let value = builder.placeholder(BoundValue::Integer(added_after.as_microseconds()));
        builder.conditions.push(format!("o.added_at_us > {value}"));
    }
    if let Some((added_at, sequence)) = query.after {
        let at = builder.placeholder(BoundValue::Integer(added_at.as_microseconds()));
        let at_again = builder.placeholder(BoundValue::Integer(added_at.as_microseconds()));
        let after_sequence = builder.placeholder(BoundValue::Integer(sequence));
        // "After (at, sequence)" written so that its first half is a plain range: with bound
        // parameters SQLite cannot find the range inside `a > ? OR (a = ? AND s > ?)` and
        // scanned every earlier object for each page (a 1,000,000-object read-back went
        // quadratic).
        builder.conditions.push(format!(
            "o.added_at_us >= {at} AND (o.added_at_us > {at_again} OR o.sequence > {after_sequence})"
        ));
    }
    builder.text_list("o.object_id", &query.ids);
    builder.text_list("o.object_type", &query.types);
    builder.text_list("o.spec_version", &query.spec_versions);
    let versions = &query.versions;
    if !versions.all {
        let mut alternatives = Vec::new();
        if versions.last {
            alternatives.push(
                "o.version_us = (SELECT MAX(l.version_us) FROM stix_objects l WHERE l.collection_id = o.collection_id AND l.object_id = o.object_id)"
                    .to_string(),
            );
        }
        if versions.first {
            alternatives.push(
                "o.version_us = (SELECT MIN(f.version_us) FROM stix_objects f WHERE f.collection_id = o.collection_id AND f.object_id = o.object_id)"
                    .to_string(),
            );
        }
        if !versions.exact.is_empty() {
            let placeholders: Vec<String> = versions
                .exact
                .iter()
                .map(|version| builder.placeholder(BoundValue::Integer(version.as_microseconds())))
                .collect();
            alternatives.push(format!("o.version_us IN ({})", placeholders.join(", ")));
        }
        if alternatives.is_empty() {
            alternatives.push("1 = 0".to_string());
        }
        builder
            .conditions
            .push(format!("({})", alternatives.join(" OR ")));
    }
    if let Some(party) = &query.visible_to {
        let reader = builder.placeholder(BoundValue::Text(party.as_str().to_string()));
        builder.conditions.push(format!(
            "(o.restricted = 0 OR EXISTS (SELECT 1 FROM stix_object_readers r WHERE r.object_sequence = o.sequence AND r.party_id = {reader}))"
        ));
        // The STIX object of a stored incident report is read only by the report's current
        // readers too (the list the node stores with every incident version), so narrowing a
        // report narrows every TAXII version of it at once (`redline_stix::access::object_readers`).
        let incident_type = builder.placeholder(BoundValue::Text("incident".to_string()));
        let incident_reader = builder.placeholder(BoundValue::Text(party.as_str().to_string()));
        builder.conditions.push(format!(
            "(o.object_type <> {incident_type} OR NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = o.object_id AND i.restricted <> 0 \
             AND NOT EXISTS (SELECT 1 FROM incident_readers ir WHERE ir.incident_id = i.id AND ir.party_id = {incident_reader})))"
        ));
    }
    let limit_placeholder = builder.placeholder(BoundValue::Integer(i64::from(limit) + 1));
    let columns = if query.metadata_only {
        "o.sequence, o.collection_id, o.object_id, o.object_type, o.spec_version, o.version_us, o.added_at_us, o.added_by, o.restricted"
    } else {
        "o.sequence, o.collection_id, o.object_id, o.object_type, o.spec_version, o.version_us, o.added_at_us, o.added_by, o.restricted, o.record"
    };
    // With ids the rows are the few versions of those objects: `+ 0` keeps the planner off the
    // `date_added` index (which would scan the whole collection in order) and on the unique
    // (collection, object, version) one; the sort is of those few rows.
    let order = if query.ids.is_empty() {
        "o.added_at_us, o.sequence"
    } else {
        "o.added_at_us + 0, o.sequence"
    };
    let statement = format!(
        "SELECT {columns} FROM stix_objects o WHERE {} ORDER BY {order} LIMIT {limit_placeholder}",
        builder.conditions.join(" AND ")
    );
    let mut sql_query = sqlx::query(sqlx::AssertSqlSafe(statement));
    for value in builder.values {
        sql_query = match value {
            BoundValue::Text(text) => sql_query.bind(text),
            BoundValue::Integer(number) => sql_query.bind(number),
        };
    }
    let rows = sql_query.fetch_all(pool).await?;
    let more = rows.len() > limit as usize;
    let objects = rows
        .iter()
        .take(limit as usize)
        .map(|row| object_from_row(row, query.metadata_only))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(StixObjectPage { objects, more })
}

pub(crate) async fn get_taxii_collection(
    pool: &sqlx::AnyPool,
    id: &str,
) -> Result<Option<TaxiiCollection>, StoreError> {
    let row = sqlx::query(
        "SELECT id, title, description, alias, created_at_us FROM taxii_collections WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(collection_from_row).transpose()
}

pub(crate) async fn list_taxii_collections(
    pool: &sqlx::AnyPool,
) -> Result<Vec<TaxiiCollection>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, title, description, alias, created_at_us FROM taxii_collections ORDER BY created_at_us, id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter().map(collection_from_row).collect()
}

pub(crate) async fn list_collection_access(
    pool: &sqlx::AnyPool,
    collection: Option<&str>,
) -> Result<Vec<CollectionAccess>, StoreError> {
    let rows = sqlx::query(
        "SELECT collection_id, party_id, can_read, can_write FROM taxii_collection_access WHERE ($1 IS NULL OR collection_id = $1) ORDER BY collection_id, party_id",
    )
    .bind(collection)
    .fetch_all(pool)
    .await?;
    rows.iter().map(access_from_row).collect()
}

pub(crate) async fn latest_stix_added_at(
    pool: &sqlx::AnyPool,
) -> Result<Option<Timestamp>, StoreError> {
    let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(added_at_us) FROM stix_objects")
        .fetch_one(pool)
        .await?;
    latest
        .map(|microseconds| timestamp_from_column("STIX object", microseconds))
        .transpose()
}

pub(crate) async fn get_taxii_status(
    pool: &sqlx::AnyPool,
    id: &str,
) -> Result<Option<TaxiiStatusRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT id, collection_id, requested_by, created_at_us, record FROM taxii_statuses WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(status_from_row).transpose()
}
