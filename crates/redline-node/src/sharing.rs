//! Sharing with the threat-intelligence world STIX 2.1 import and export and the use
//! cases behind the TAXII 2.1 server — collections with each party's read and write rights,
//! adding objects (with a per-object status), reading them back with the TAXII filters and
//! paging, versions, manifests and status records. TLP is applied to every object read.
//!
//! The rules live in redline-stix and are only applied here: reading a TAXII envelope or a
//! bundle (`redline_stix::taxii`), who may post an object version (the authorship rule,
//! `redline_stix::access::check_object_write`) and who may read it (the TLP rule,
//! `redline_stix::access::object_readers`). This module looks up what they need — who added
//! each object's first version, which party an identity stands for, the marking definitions
//! the collection holds, the stored incident reports — and stores what they decide.
//!
//! Decided here:
//! - An `incident` carrying redline's extension becomes an incident report and goes through
//!   [`Node::submit_incident`] (validated and assessed like any other; a re-import of a changed
//!   report becomes an update by its reporter). It is also stored as a STIX object.
//! - Every other object that reads as STIX 2.1 (including types redline has no struct for, which
//!   STIX 2.1 §11 lets producers define) is stored verbatim, one row per version. The version is
//!   `modified`, else `created`, else the time it was added (cyber observables have neither).
//! - An object that cannot be read, or that the authorship rule refuses, is a failure with its
//!   id and the reason; the rest land.
//! - An object version already in the collection is a failure ("already in the collection"),
//!   as medallion answers, and changes nothing.
//! - The node's operator is not held to the authorship rule, and reads everything.
//! - `date_added` is unique and increasing within the node (one microsecond apart at least), so
//!   TAXII clients that continue with `added_after` = `X-TAXII-Date-Added-Last` never skip or
//!   repeat an object. The same lock covers the look-ups of owners and markings, so every POST
//!   is decided against every earlier one.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use base64::Engine;
use serde::Serialize;
use serde_json::Value;

use redline_model::{Incident, IncidentId, PartyId, Timestamp, ValidationIssue};
use redline_stix::{
    Bundle, ExportContext, StixObject, StixTimestamp,
    access::{
        ObjectOwner, ReadFacts, WriteFacts, check_object_write, identity_party, object_readers,
    },
    common::SPEC_VERSION,
    export_incidents,
    extension::REDLINE_INCIDENT_EXTENSION_ID,
    import_incident,
    mapping::party_identity_id,
    marking::MarkingCatalogue,
    objects::MarkingDefinition,
    taxii::{EnvelopeError, ObjectFacts, object_facts, parse_bundle_objects, parse_taxii_envelope},
};
/// Which versions of an object a TAXII filter selects (the store's own selection, named here so
/// the HTTP layer needs only the node).
pub use redline_store::VersionSelection;
use redline_store::{
    CollectionAccess, IncidentQuery, StixObjectQuery, StixObjectWrite, StoredStixObject,
    TaxiiCollection, TaxiiStatusRecord,
};

use crate::{Caller, Node, NodeError, random_bytes};

/// The media type of STIX content in collections and manifests.
pub const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";
/// The largest and default page of a TAXII listing.
pub const MAXIMUM_TAXII_PAGE: u32 = 1000;
/// The most objects one POST or import may carry.
pub const MAXIMUM_OBJECTS_PER_REQUEST: usize = 100_000;

/// The node's shared collection (created by the demo and by `redline taxii collection add`).
pub const SHARED_COLLECTION_ID: &str = "a1c0ffee-5a4e-4d1e-8e3d-000000000001";

/// The public collection: the public record (`TLP:CLEAR` incidents as the public pages show
/// them, and published `clear` attribution claims) as STIX 2.1. Anyone may read it without
/// signing in; nobody may write to it. It is not stored: it is built from the public record on
/// each read ([`Node::public_record_objects`]).
pub const PUBLIC_COLLECTION_ID: &str = "a1c0ffee-5a4e-4d1e-8e3d-00000000c1ea";

/// State the sharing use cases keep in the node.
#[derive(Default)]
pub(crate) struct SharingState {
    /// The last `date_added` given out, in microseconds; `None` until read from the store.
    /// Held across the store write, so `date_added` order is commit order.
    last_added: tokio::sync::Mutex<Option<i64>>,
}

/// A collection as one caller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectionView {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    pub can_read: bool,
    pub can_write: bool,
    pub media_types: Vec<String>,
}

impl CollectionView {
    fn new(collection: TaxiiCollection, can_read: bool, can_write: bool) -> Self {
        Self {
            id: collection.id,
            title: collection.title,
            description: collection.description,
            alias: collection.alias,
            can_read,
            can_write,
            media_types: vec![STIX_MEDIA_TYPE.to_string()],
        }
    }
}

/// One object's outcome (a TAXII status-details object).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ObjectOutcome {
    pub id: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What an import or a TAXII POST did, object by object: the TAXII status resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ImportStatus {
    pub id: String,
    pub status: String,
    pub request_timestamp: String,
    pub total_count: usize,
    pub success_count: usize,
    pub successes: Vec<ObjectOutcome>,
    pub failure_count: usize,
    pub failures: Vec<ObjectOutcome>,
    pub pending_count: usize,
    pub pendings: Vec<ObjectOutcome>,
}

/// The TAXII filters of a read, as the caller gave them (already parsed).
#[derive(Debug, Clone, Default)]
pub struct ObjectFilter {
    pub added_after: Option<Timestamp>,
    pub ids: Vec<String>,
    pub types: Vec<String>,
    /// `None`: the latest version only.
    pub versions: Option<VersionSelection>,
    pub spec_versions: Vec<String>,
    pub limit: Option<u32>,
    /// The `next` of the previous page.
    pub next: Option<String>,
}

/// One page of a collection.
#[derive(Debug, Clone)]
pub struct ObjectPage {
    pub objects: Vec<StoredStixObject>,
    pub more: bool,
    /// Give this as `next` for the following page (present when `more`).
    pub next: Option<String>,
}

/// A TAXII timestamp: RFC 3339 UTC with exactly six fractional digits.
pub fn taxii_timestamp(timestamp: Timestamp) -> String {
    let microseconds = timestamp.as_microseconds();
    let seconds = microseconds.div_euclid(1_000_000);
    let fraction = microseconds.rem_euclid(1_000_000);
    let whole = jiff::Timestamp::from_second(seconds)
        .map(|instant| instant.strftime("%Y-%m-%dT%H:%M:%S").to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00".to_string());
    format!("{whole}.{fraction:06}Z")
}

/// A STIX version timestamp as STIX writes it (milliseconds unless finer).
pub fn stix_version_text(timestamp: Timestamp) -> String {
    StixTimestamp(timestamp).to_string()
}

fn encode_next(added_at: Timestamp, sequence: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("taxii:{}:{sequence}", added_at.as_microseconds()))
}

fn decode_next(next: &str) -> Result<(Timestamp, i64), NodeError> {
    let invalid = || {
        NodeError::invalid(
            "next",
            "not a `next` value this node gave out; repeat the query without it",
        )
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(next)
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let mut parts = text.strip_prefix("taxii:").ok_or_else(invalid)?.split(':');
    let added: i64 = parts
        .next()
        .and_then(|part| part.parse().ok())
        .ok_or_else(invalid)?;
    let sequence: i64 = parts
        .next()
        .and_then(|part| part.parse().ok())
        .ok_or_else(invalid)?;
    let added = Timestamp::from_microseconds(added).map_err(|_| invalid())?;
    Ok((added, sequence))
}

/// How many ids one look-up binds (well under both databases' parameter limits).
const IDS_PER_LOOKUP: usize = 500;

/// A refused envelope or bundle, as the node reports bad input (with the JSON path).
fn envelope_refused(error: EnvelopeError) -> NodeError {
    NodeError::invalid(error.path, error.message)
}

/// An object of a request that could be read, waiting for the rules.
struct ReadObject {
    index: usize,
    facts: ObjectFacts,
    object: StixObject,
    version: Timestamp,
    version_text: String,
}

/// A read object waiting to be stored, with what the node decided about it.
struct Prepared {
    write: StixObjectWrite,
    version_text: String,
    /// What happened besides storing it (an incident report submitted, say).
    note: Option<String>,
}

impl Node {
    // --- collections ---------------------------------------------------------------------------

    /// Creates a collection (operator only).
    pub async fn create_collection(
        &self,
        caller: &Caller,
        id: Option<&str>,
        title: &str,
        description: Option<&str>,
        alias: Option<&str>,
    ) -> Result<TaxiiCollection, NodeError> {
        Self::require_operator(caller, "create collections")?;
        let id = match id {
            Some(text) => uuid::Uuid::parse_str(text)
                .map_err(|_| NodeError::invalid("id", format!("`{text}` is not a UUID")))?
                .to_string(),
            None => uuid::Uuid::from_bytes(random_bytes::<16>()?).to_string(),
        };
        if title.trim().is_empty() {
            return Err(NodeError::invalid("title", "a collection needs a title"));
        }
        let collection = TaxiiCollection {
            id,
            title: title.to_string(),
            description: description.map(str::to_string),
            alias: alias.map(str::to_string),
            created_at: self.now(),
        };
        self.store.insert_taxii_collection(&collection).await?;
        Ok(collection)
    }

    /// Sets what a party may do with a collection (operator only).
    pub async fn grant_collection_access(
        &self,
        caller: &Caller,
        collection_id: &str,
        party: &PartyId,
        can_read: bool,
        can_write: bool,
    ) -> Result<(), NodeError> {
        Self::require_operator(caller, "grant access to collections")?;
        if self
            .store
            .get_taxii_collection(collection_id)
            .await?
            .is_none()
        {
            return Err(NodeError::NotFound(format!("collection {collection_id}")));
        }
        if !self
            .missing_parties(std::slice::from_ref(party))
            .await?
            .is_empty()
        {
            return Err(NodeError::invalid(
                "party",
                format!("{party} is not a party of this node"),
            ));
        }
        self.store
            .put_collection_access(&CollectionAccess {
                collection_id: collection_id.to_string(),
                party: party.clone(),
                can_read,
                can_write,
            })
            .await?;
        Ok(())
    }

    /// The collections the caller may read or write, with its rights.
    pub async fn list_collections(
        &self,
        caller: &Caller,
    ) -> Result<Vec<CollectionView>, NodeError> {
        let collections = self.store.list_taxii_collections().await?;
        let rights = self.rights_of(caller, None).await?;
        Ok(collections
            .into_iter()
            .filter_map(|collection| {
                let (can_read, can_write) = rights(&collection.id);
                (can_read || can_write)
                    .then(|| CollectionView::new(collection, can_read, can_write))
            })
            .collect())
    }

    /// One collection the caller may read or write; any other is not found.
    pub async fn get_collection(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<CollectionView, NodeError> {
        let not_found = || NodeError::NotFound(format!("collection {id}"));
        let collection = self
            .store
            .get_taxii_collection(id)
            .await?
            .ok_or_else(not_found)?;
        let rights = self.rights_of(caller, Some(id)).await?;
        let (can_read, can_write) = rights(id);
        if !can_read && !can_write {
            return Err(not_found());
        }
        Ok(CollectionView::new(collection, can_read, can_write))
    }

    /// A lookup of the caller's `(can_read, can_write)` per collection id.
    async fn rights_of(
        &self,
        caller: &Caller,
        collection: Option<&str>,
    ) -> Result<impl Fn(&str) -> (bool, bool) + use<>, NodeError> {
        let (operator, access) = match caller {
            Caller::Operator => (true, HashMap::new()),
            Caller::Party(party) => {
                let access: HashMap<String, (bool, bool)> = self
                    .store
                    .list_collection_access(collection)
                    .await?
                    .into_iter()
                    .filter(|access| &access.party == party)
                    .map(|access| (access.collection_id, (access.can_read, access.can_write)))
                    .collect();
                (false, access)
            }
        };
        Ok(move |id: &str| {
            if operator {
                (true, true)
            } else {
                access.get(id).copied().unwrap_or((false, false))
            }
        })
    }

    // --- adding objects ------------------------------------------------------------------------

    /// TAXII "add objects": reads the envelope (a bundle's extra `type` and `id` are tolerated),
    /// stores what it can, and keeps the status record. The caller needs write access.
    pub async fn add_objects(
        &self,
        caller: &Caller,
        collection_id: &str,
        body: &[u8],
    ) -> Result<ImportStatus, NodeError> {
        let collection = self.get_collection(caller, collection_id).await?;
        if !collection.can_write {
            return Err(NodeError::Forbidden(format!(
                "you may not add objects to collection {collection_id}"
            )));
        }
        let objects = parse_taxii_envelope(body).map_err(envelope_refused)?;
        self.import_objects(caller, collection_id, objects).await
    }

    /// `redline stix import`: a STIX bundle into a collection (operator or a writer).
    pub async fn import_bundle(
        &self,
        caller: &Caller,
        collection_id: &str,
        bytes: &[u8],
    ) -> Result<ImportStatus, NodeError> {
        let collection = self.get_collection(caller, collection_id).await?;
        if !collection.can_write {
            return Err(NodeError::Forbidden(format!(
                "you may not add objects to collection {collection_id}"
            )));
        }
        let objects = parse_bundle_objects(bytes).map_err(envelope_refused)?;
        self.import_objects(caller, collection_id, objects).await
    }

    async fn import_objects(
        &self,
        caller: &Caller,
        collection_id: &str,
        objects: Vec<Value>,
    ) -> Result<ImportStatus, NodeError> {
        if objects.len() > MAXIMUM_OBJECTS_PER_REQUEST {
            return Err(NodeError::invalid(
                "objects",
                format!(
                    "{} objects; at most {MAXIMUM_OBJECTS_PER_REQUEST} per request",
                    objects.len()
                ),
            ));
        }
        let request_time = self.now();
        let total = objects.len();
        let mut successes = Vec::new();
        let mut failures = Vec::new();
        let added_by = caller.party().cloned();
        let mut read: Vec<ReadObject> = Vec::with_capacity(objects.len());
        let mut seen: BTreeSet<(String, i64)> = BTreeSet::new();

        for (index, raw) in objects.into_iter().enumerate() {
            let facts = object_facts(&raw);
            let fallback_id = facts
                .id
                .clone()
                .unwrap_or_else(|| format!("objects[{index}]"));
            let fail = |reason: String, version: Option<&str>| ObjectOutcome {
                id: fallback_id.clone(),
                version: version.unwrap_or("").to_string(),
                message: Some(format!("objects[{index}]: {reason}")),
            };
            let object = match StixObject::from_json_value(raw) {
                Ok(object) => object,
                Err(reason) => {
                    failures.push(fail(reason.to_string(), facts.version_text.as_deref()));
                    continue;
                }
            };
            let version = match &facts.version_text {
                Some(text) => match StixTimestamp::parse(text) {
                    Ok(timestamp) => timestamp.as_timestamp(),
                    Err(reason) => {
                        failures.push(fail(reason, Some(text)));
                        continue;
                    }
                },
                None => request_time,
            };
            let version_text = stix_version_text(version);
            if !seen.insert((object.id_text().to_string(), version.as_microseconds())) {
                failures.push(fail(
                    "the same id and version appear twice in this request".to_string(),
                    Some(&version_text),
                ));
                continue;
            }
            read.push(ReadObject {
                index,
                facts,
                object,
                version,
                version_text,
            });
        }

        // From the look-ups to the write, under the `date_added` lock: owners and markings are
        // decided against every earlier TAXII write, and no other write slips in between.
        let mut last_added = self.sharing.last_added.lock().await;
        let party_identities = self.identity_parties().await?;
        let owners = self
            .object_owners(collection_id, &read, &party_identities, added_by.as_ref())
            .await?;
        let markings = self.marking_catalogue(collection_id, &read).await?;
        let mut prepared: Vec<Prepared> = Vec::with_capacity(read.len());
        for ReadObject {
            index,
            facts,
            object,
            version,
            version_text,
        } in read
        {
            let object_id = object.id_text().to_string();
            let fail = |reason: String| ObjectOutcome {
                id: object_id.clone(),
                version: version_text.clone(),
                message: Some(format!("objects[{index}]: {reason}")),
            };
            let author = facts.created_by.as_deref().and_then(|identity| {
                identity_party(identity, &party_identities, owners.get(identity))
            });
            let carried = match &object {
                StixObject::Incident(incident)
                    if incident
                        .extensions
                        .contains_key(REDLINE_INCIDENT_EXTENSION_ID) =>
                {
                    Some(incident)
                }
                _ => None,
            };
            if let Some(poster) = &added_by {
                let reporter = carried
                    .and_then(|incident| import_incident(incident).ok())
                    .map(|imported| imported.report.reported_by);
                let write = WriteFacts {
                    poster,
                    owner: owners.get(&object_id),
                    created_by_ref: facts.created_by.as_deref(),
                    author: author.as_ref(),
                    reporter: reporter.as_ref(),
                };
                if let Err(refusal) = check_object_write(&object, &write) {
                    failures.push(fail(refusal.to_string()));
                    continue;
                }
            }
            let mut carried_report = None;
            let mut note = None;
            if let Some(incident) = carried {
                match self.import_incident_report(caller, incident).await {
                    Ok((stored, message)) => {
                        note = Some(message);
                        carried_report = Some(stored.report);
                    }
                    Err(reason) => {
                        failures.push(fail(reason));
                        continue;
                    }
                }
            }
            let readership = object_readers(&ReadFacts {
                marking_refs: &facts.marking_refs,
                markings: &markings,
                added_by: added_by.as_ref(),
                author: author.as_ref(),
                carried_report: carried_report.as_ref(),
            });
            let record = match serde_json::to_string(&object) {
                Ok(record) => record,
                Err(error) => {
                    failures.push(fail(error.to_string()));
                    continue;
                }
            };
            let object_type = object.object_type().to_string();
            prepared.push(Prepared {
                write: StixObjectWrite {
                    collection_id: collection_id.to_string(),
                    object_id,
                    object_type,
                    spec_version: SPEC_VERSION.to_string(),
                    version,
                    added_at: request_time,
                    added_by: added_by.clone(),
                    readers: readership.readers.map(|set| set.into_iter().collect()),
                    record,
                },
                version_text,
                note,
            });
        }

        if !prepared.is_empty() {
            let last = match *last_added {
                Some(last) => last,
                None => self
                    .store
                    .latest_stix_added_at()
                    .await?
                    .map_or(i64::MIN, |at| at.as_microseconds()),
            };
            let base = request_time.as_microseconds().max(last.saturating_add(1));
            let mut writes = Vec::with_capacity(prepared.len());
            for (offset, item) in prepared.iter_mut().enumerate() {
                let microseconds = base.saturating_add(offset as i64);
                item.write.added_at =
                    Timestamp::from_microseconds(microseconds).map_err(NodeError::Internal)?;
                writes.push(item.write.clone());
            }
            let inserted = self.store.insert_stix_objects(&writes).await?;
            *last_added = Some(base.saturating_add(prepared.len() as i64 - 1));
            drop(last_added);
            for (item, new) in prepared.into_iter().zip(inserted) {
                let (version, note) = (item.version_text, item.note);
                if new {
                    successes.push(ObjectOutcome {
                        id: item.write.object_id,
                        version,
                        message: note,
                    });
                } else {
                    failures.push(ObjectOutcome {
                        id: item.write.object_id,
                        version,
                        message: Some(
                            "this version of the object is already in the collection".into(),
                        ),
                    });
                }
            }
        } else {
            drop(last_added);
        }

        let status = ImportStatus {
            id: uuid::Uuid::from_bytes(random_bytes::<16>()?).to_string(),
            status: "complete".to_string(),
            request_timestamp: taxii_timestamp(request_time),
            total_count: total,
            success_count: successes.len(),
            successes,
            failure_count: failures.len(),
            failures,
            pending_count: 0,
            pendings: Vec::new(),
        };
        let record = serde_json::to_string(&status)
            .map_err(|error| NodeError::Internal(error.to_string()))?;
        self.store
            .insert_taxii_status(&TaxiiStatusRecord {
                id: status.id.clone(),
                collection_id: collection_id.to_string(),
                requested_by: caller.party().cloned(),
                created_at: request_time,
                record,
            })
            .await?;
        tracing::info!(
            collection = collection_id,
            total = status.total_count,
            succeeded = status.success_count,
            failed = status.failure_count,
            "STIX objects added"
        );
        Ok(status)
    }

    /// Who owns each object of a request and each identity their `created_by_ref` names, for
    /// the authorship rule ([`redline_stix::access::WriteFacts::owner`]): a party's identity id
    /// is that party's; an `incident` whose id is a stored incident report is its reporter's;
    /// anything else is its first adder's in this collection; and an object new to the
    /// collection is the poster's (so an identity posted in this request is the poster's own).
    async fn object_owners(
        &self,
        collection_id: &str,
        read: &[ReadObject],
        party_identities: &BTreeMap<String, PartyId>,
        poster: Option<&PartyId>,
    ) -> Result<HashMap<String, ObjectOwner>, NodeError> {
        let wanted: BTreeSet<&str> = read
            .iter()
            .flat_map(|item| {
                [
                    Some(item.object.id_text()),
                    item.facts.created_by.as_deref(),
                ]
            })
            .flatten()
            .collect();
        let mut owners: HashMap<String, ObjectOwner> = HashMap::new();
        let stored: Vec<String> = wanted
            .iter()
            .filter(|id| !party_identities.contains_key(**id))
            .map(|id| id.to_string())
            .collect();
        for chunk in stored.chunks(IDS_PER_LOOKUP) {
            for object in self.all_versions(collection_id, chunk, &[], true).await? {
                owners
                    .entry(object.object_id)
                    .or_insert(match object.added_by {
                        Some(party) => ObjectOwner::Party(party),
                        None => ObjectOwner::Operator,
                    });
            }
        }
        for item in read {
            if let StixObject::Incident(incident) = &item.object
                && let Ok(id) = IncidentId::parse(incident.id.as_str())
                && let Some(stored) = self.store.get_incident(&id).await?
            {
                owners.insert(
                    id.as_str().to_string(),
                    ObjectOwner::Party(stored.report.reported_by),
                );
            }
        }
        for id in &wanted {
            if let Some(party) = party_identities.get(*id) {
                owners.insert(id.to_string(), ObjectOwner::Party(party.clone()));
            }
        }
        let new_owner = poster.map_or(ObjectOwner::Operator, |party| {
            ObjectOwner::Party(party.clone())
        });
        for item in read {
            owners
                .entry(item.object.id_text().to_string())
                .or_insert_with(|| new_owner.clone());
        }
        Ok(owners)
    }

    /// The marking definitions the request's objects refer to besides the OASIS ones: those
    /// posted in the request and every version of those already in the collection.
    async fn marking_catalogue(
        &self,
        collection_id: &str,
        read: &[ReadObject],
    ) -> Result<MarkingCatalogue, NodeError> {
        let mut catalogue = MarkingCatalogue::default();
        for item in read {
            if let StixObject::MarkingDefinition(_) = &item.object
                && let Ok(definition) = serde_json::to_value(&item.object)
            {
                catalogue.learn(&definition);
            }
        }
        let wanted: Vec<String> = read
            .iter()
            .flat_map(|item| &item.facts.marking_refs)
            .filter(|reference| !catalogue.knows(reference))
            .cloned()
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        let types = [MarkingDefinition::TYPE.to_string()];
        for chunk in wanted.chunks(IDS_PER_LOOKUP) {
            for stored in self
                .all_versions(collection_id, chunk, &types, false)
                .await?
            {
                match serde_json::from_str::<Value>(&stored.record) {
                    Ok(definition) => catalogue.learn(&definition),
                    Err(error) => {
                        return Err(NodeError::Internal(format!(
                            "stored marking definition {}: {error}",
                            stored.object_id
                        )));
                    }
                }
            }
        }
        Ok(catalogue)
    }

    /// Every stored version of these objects in a collection, whoever may read them, in
    /// `date_added` order (so the first of each id is its first version added).
    async fn all_versions(
        &self,
        collection_id: &str,
        ids: &[String],
        types: &[String],
        metadata_only: bool,
    ) -> Result<Vec<StoredStixObject>, NodeError> {
        let mut objects = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .store
                .list_stix_objects(&StixObjectQuery {
                    collection_id: collection_id.to_string(),
                    visible_to: None,
                    ids: ids.to_vec(),
                    types: types.to_vec(),
                    versions: VersionSelection {
                        all: true,
                        ..Default::default()
                    },
                    after,
                    limit: MAXIMUM_TAXII_PAGE,
                    metadata_only,
                    ..Default::default()
                })
                .await?;
            after = page
                .objects
                .last()
                .map(|last| (last.added_at, last.sequence));
            objects.extend(page.objects);
            if !page.more || after.is_none() {
                return Ok(objects);
            }
        }
    }

    /// An incident with redline's extension becomes a report through the normal submit path
    /// (or an update of the stored one by its reporter, when it changed).
    async fn import_incident_report(
        &self,
        caller: &Caller,
        incident: &redline_stix::objects::Incident,
    ) -> Result<(Incident, String), String> {
        let imported = import_incident(incident).map_err(|error| error.to_string())?;
        let report = imported.report;
        match self.submit_incident(caller, report.clone()).await {
            Ok(stored) => Ok((
                stored,
                "submitted as an incident report and assessed".to_string(),
            )),
            Err(NodeError::Conflict(_)) => {
                let current = self
                    .get_incident(caller, &imported.id)
                    .await
                    .map_err(|error| error.to_string())?;
                if current.report == report {
                    return Ok((
                        current,
                        "the incident report is stored already, unchanged".to_string(),
                    ));
                }
                let updated = self
                    .update_incident(caller, &imported.id, report, None)
                    .await
                    .map_err(|error| error.to_string())?;
                let version = updated.version;
                Ok((
                    updated,
                    format!("the incident report was updated to version {version} and assessed"),
                ))
            }
            Err(error) => Err(describe(error)),
        }
    }

    /// Which party each party's STIX identity id stands for.
    async fn identity_parties(&self) -> Result<BTreeMap<String, PartyId>, NodeError> {
        Ok(self
            .store
            .list_parties()
            .await?
            .into_iter()
            .map(|party| (party_identity_id(&party.id).to_string(), party.id))
            .collect())
    }

    // --- reading -------------------------------------------------------------------------------

    /// One page of objects of a collection the caller may read, TLP applied per object.
    pub async fn query_objects(
        &self,
        caller: &Caller,
        collection_id: &str,
        filter: &ObjectFilter,
        metadata_only: bool,
    ) -> Result<ObjectPage, NodeError> {
        let collection = self.get_collection(caller, collection_id).await?;
        if !collection.can_read {
            return Err(NodeError::Forbidden(format!(
                "you may not read collection {collection_id}"
            )));
        }
        let limit = filter.limit.unwrap_or(MAXIMUM_TAXII_PAGE);
        if limit == 0 {
            return Err(NodeError::invalid("limit", "must be a positive integer"));
        }
        let limit = limit.min(MAXIMUM_TAXII_PAGE);
        let after = filter.next.as_deref().map(decode_next).transpose()?;
        let page = self
            .store
            .list_stix_objects(&StixObjectQuery {
                collection_id: collection_id.to_string(),
                visible_to: caller.party().cloned(),
                added_after: filter.added_after,
                ids: filter.ids.clone(),
                types: filter.types.clone(),
                versions: filter.versions.clone().unwrap_or_default(),
                spec_versions: filter.spec_versions.clone(),
                after,
                limit,
                metadata_only,
            })
            .await?;
        let next = if page.more {
            page.objects
                .last()
                .map(|last| encode_next(last.added_at, last.sequence))
        } else {
            None
        };
        Ok(ObjectPage {
            objects: page.objects,
            more: page.more,
            next,
        })
    }

    /// A status record the caller made (the operator sees every one).
    pub async fn get_import_status(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<ImportStatus, NodeError> {
        let not_found = || NodeError::NotFound(format!("status {id}"));
        let record = self
            .store
            .get_taxii_status(id)
            .await?
            .ok_or_else(not_found)?;
        if let Caller::Party(party) = caller
            && record.requested_by.as_ref() != Some(party)
        {
            return Err(not_found());
        }
        serde_json::from_str(&record.record)
            .map_err(|error| NodeError::Internal(format!("status {id}: {error}")))
    }

    // --- export --------------------------------------------------------------------------------

    /// Every incident the caller may read, as one STIX 2.1 bundle.
    pub async fn export_incidents_bundle(&self, caller: &Caller) -> Result<Bundle, NodeError> {
        let mut incidents = Vec::new();
        let mut after_cursor = None;
        loop {
            let page = self
                .store
                .list_incidents(&IncidentQuery {
                    visible_to: caller.party().cloned(),
                    after_cursor,
                    limit: 1000,
                    ..Default::default()
                })
                .await?;
            incidents.extend(page.incidents);
            match page.next_cursor {
                Some(cursor) => after_cursor = Some(cursor),
                None => break,
            }
        }
        incidents.reverse();
        Ok(export_incidents(&incidents, &ExportContext::default()))
    }

    /// Creates the shared collection if it is missing and gives `parties` read and write access
    /// (operator only; the demo uses it).
    pub async fn ensure_shared_collection(
        &self,
        caller: &Caller,
        parties: &[PartyId],
    ) -> Result<TaxiiCollection, NodeError> {
        let collection = match self
            .store
            .get_taxii_collection(SHARED_COLLECTION_ID)
            .await?
        {
            Some(collection) => collection,
            None => {
                self.create_collection(
                    caller,
                    Some(SHARED_COLLECTION_ID),
                    "Shared",
                    Some(
                        "Indicators, incidents and attribution shared by every party of this node",
                    ),
                    Some("shared"),
                )
                .await?
            }
        };
        for party in parties {
            self.grant_collection_access(caller, &collection.id, party, true, true)
                .await?;
        }
        Ok(collection)
    }
}

/// One STIX object of the public collection: its id, type, version and the object as JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicStixObject {
    pub id: String,
    pub object_type: String,
    /// `modified`, else `created`, as the object has it.
    pub version: String,
    pub record: String,
}

impl Node {
    /// The public collection, as anyone (signed in or not) sees it: readable, not writable.
    pub fn public_collection(&self) -> CollectionView {
        CollectionView {
            id: PUBLIC_COLLECTION_ID.to_string(),
            title: "Public record".to_string(),
            description: Some(
                "Incidents labelled TLP:CLEAR as the public pages show them, and published attribution claims; readable without signing in"
                    .to_string(),
            ),
            alias: Some("public".to_string()),
            can_read: true,
            can_write: false,
            media_types: vec![STIX_MEDIA_TYPE.to_string()],
        }
    }

    /// The STIX objects of the public record: every public incident through the public path
    /// (`Node::public_incident`, so without the reporter's suspected origin) exported as STIX,
    /// then every published claim the public may read (`Node::public_claim`) as STIX; an object
    /// version met twice (a party's identity) is kept once.
    pub async fn public_record_objects(&self) -> Result<Vec<PublicStixObject>, NodeError> {
        let incidents = self.every_public_incident().await?;
        let mut objects = export_incidents(&incidents, &ExportContext::default()).objects;
        for claim in self.public_claims(u32::MAX).await? {
            match self.public_claim(claim.id).await {
                Ok(_) => {}
                Err(NodeError::NotFound(_)) => continue,
                Err(error) => return Err(error),
            }
            let bundle = self.claim_stix_bundle(&Caller::Operator, claim.id).await?;
            objects.extend(bundle.objects);
        }
        let mut seen = BTreeSet::new();
        let mut public = Vec::with_capacity(objects.len());
        for object in objects {
            let value = serde_json::to_value(&object)
                .map_err(|error| NodeError::Internal(format!("public STIX object: {error}")))?;
            let text = |name: &str| {
                value
                    .get(name)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let id = text("id");
            let version = Some(text("modified"))
                .filter(|modified| !modified.is_empty())
                .unwrap_or_else(|| text("created"));
            if !seen.insert((id.clone(), version.clone())) {
                continue;
            }
            public.push(PublicStixObject {
                object_type: text("type"),
                record: value.to_string(),
                id,
                version,
            });
        }
        Ok(public)
    }

    /// Every public incident, oldest first, as the public incident page shows it.
    async fn every_public_incident(&self) -> Result<Vec<Incident>, NodeError> {
        let mut incidents = Vec::new();
        let mut before = None;
        loop {
            let page = self.public_incidents(before, None).await?;
            for row in &page.incidents {
                let Ok(id) = IncidentId::parse(&row.id) else {
                    continue;
                };
                match self.public_incident(&id).await {
                    Ok(public) => incidents.push(public.incident),
                    Err(NodeError::NotFound(_)) => {}
                    Err(error) => return Err(error),
                }
            }
            match page.next_before {
                Some(next) => before = Some(next),
                None => break,
            }
        }
        incidents.reverse();
        Ok(incidents)
    }
}

/// A refusal of the submit path, as a status message.
fn describe(error: NodeError) -> String {
    match error {
        NodeError::Invalid(issues) => issues
            .iter()
            .map(ValidationIssue::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_round_trips_and_rejects_garbage() {
        let at = Timestamp::from_microseconds(1_790_000_000_123_456)
            .unwrap_or_else(|_| Timestamp::from_jiff(jiff::Timestamp::UNIX_EPOCH));
        let next = encode_next(at, 42);
        assert_eq!(decode_next(&next).ok(), Some((at, 42)));
        assert!(decode_next("not-a-token").is_err());
        assert!(decode_next("").is_err());
    }

    #[test]
    fn taxii_timestamps_have_six_digits() {
        let at = Timestamp::parse("2026-11-22T10:00:00.5Z")
            .unwrap_or_else(|_| Timestamp::from_jiff(jiff::Timestamp::UNIX_EPOCH));
        assert_eq!(taxii_timestamp(at), "2026-11-22T10:00:00.500000Z");
    }
}
