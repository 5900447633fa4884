//! The OpenAPI 3.1 document of `/api/v1`, served at `/api/openapi.json`.
//!
//! Paths and operations are built with utoipa; the body schemas are the JSON Schemas that
//! schemars generates from the model's own types, so the document cannot drift from the code.

use axum::Json;
use utoipa::openapi::{
    ContentBuilder, HttpMethod, InfoBuilder, OpenApiBuilder, PathItem, PathsBuilder, Ref, Required,
    ResponseBuilder,
    path::{OperationBuilder, ParameterBuilder, ParameterIn, PathItemBuilder},
    request_body::RequestBodyBuilder,
    security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme},
};

const JSON: &str = "application/json";

fn schema_ref(name: &str) -> Ref {
    Ref::from_schema_name(name)
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            JSON,
            ContentBuilder::new()
                .schema(Some(schema_ref("Error")))
                .build(),
        )
        .build()
}

fn json_response(description: &str, schema: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            JSON,
            ContentBuilder::new()
                .schema(Some(schema_ref(schema)))
                .build(),
        )
        .build()
}

fn query_parameter(name: &str, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String),
        ))
        .build()
}

fn path_parameter(name: &str, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String),
        ))
        .build()
}

fn signed_in() -> SecurityRequirement {
    SecurityRequirement::new("bearer", Vec::<String>::new())
}

fn operation(id: &str, summary: &str) -> OperationBuilder {
    OperationBuilder::new()
        .operation_id(Some(id))
        .summary(Some(summary))
        .security(signed_in())
        .response("401", error_response("missing, unknown or revoked token"))
}

fn report_body() -> utoipa::openapi::request_body::RequestBody {
    RequestBodyBuilder::new()
        .required(Some(Required::True))
        .content(
            JSON,
            ContentBuilder::new()
                .schema(Some(schema_ref("IncidentReport")))
                .build(),
        )
        .build()
}

/// The document as JSON.
pub fn document() -> serde_json::Value {
    let list_incidents = operation(
        "listIncidents",
        "List the incidents you may see, newest first",
    )
    .parameter(query_parameter(
        "victim",
        "ISO 3166-1 alpha-2 code of the victim state",
    ))
    .parameter(query_parameter("reported_by", "party id of the reporter"))
    .parameter(query_parameter(
        "sector",
        "STIX 2.1 industry sector, or `elections`",
    ))
    .parameter(query_parameter(
        "status",
        "suspected, confirmed, contained or resolved",
    ))
    .parameter(query_parameter(
        "since",
        "first observed at or after (RFC 3339)",
    ))
    .parameter(query_parameter("until", "first observed before (RFC 3339)"))
    .parameter(query_parameter(
        "cursor",
        "next_cursor of the previous page",
    ))
    .parameter(query_parameter("limit", "page size, 1 to 500 (default 50)"))
    .response(
        "200",
        json_response("one page of incidents", "IncidentListing"),
    )
    .response(
        "400",
        error_response("a bad query parameter, named in `path`"),
    );
    let submit_incident = operation("submitIncident", "Submit an incident report")
        .request_body(Some(report_body()))
        .response(
            "201",
            json_response("the stored incident, version 1", "Incident"),
        )
        .response("400", error_response("malformed JSON"))
        .response(
            "403",
            error_response("reporting on behalf of another party"),
        )
        .response("409", error_response("an incident with this id exists"))
        .response("413", error_response("body over the size limit"))
        .response("415", error_response("not application/json"))
        .response(
            "422",
            error_response("the report breaks the contract; `path` names where"),
        );
    let show_incident = operation("getIncident", "Read one incident")
        .parameter(path_parameter("id", "incident--<uuid>"))
        .response(
            "200",
            json_response("the current version; ETag names it", "Incident"),
        )
        .response(
            "404",
            error_response("no such incident, or not visible to you"),
        );
    let update_incident = operation(
        "updateIncident",
        "Replace an incident's report with a new version",
    )
    .parameter(path_parameter("id", "incident--<uuid>"))
    .parameter(
        ParameterBuilder::new()
            .name("If-Match")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "ETag of the version you edited; 409 if it is no longer current",
            )),
    )
    .request_body(Some(report_body()))
    .response("200", json_response("the new version", "Incident"))
    .response("403", error_response("only the reporter may update"))
    .response(
        "404",
        error_response("no such incident, or not visible to you"),
    )
    .response("409", error_response("someone updated it first"))
    .response(
        "422",
        error_response("the report breaks the contract; `path` names where"),
    );
    let incident_versions = operation(
        "listIncidentVersions",
        "Every version of an incident, oldest first",
    )
    .parameter(path_parameter("id", "incident--<uuid>"))
    .response(
        "200",
        ResponseBuilder::new().description("the versions").build(),
    )
    .response(
        "404",
        error_response("no such incident, or not visible to you"),
    );
    let list_parties = operation("listParties", "The parties of this node").response(
        "200",
        ResponseBuilder::new().description("the parties").build(),
    );
    let show_party = operation("getParty", "One party with its public keys")
        .parameter(path_parameter("id", "party id"))
        .response("200", json_response("the party", "Party"))
        .response("404", error_response("no such party"));

    let paths = PathsBuilder::new()
        .path(
            "/api/v1/incidents",
            PathItemBuilder::new()
                .operation(HttpMethod::Get, list_incidents)
                .operation(HttpMethod::Post, submit_incident)
                .build(),
        )
        .path(
            "/api/v1/incidents/{id}",
            PathItemBuilder::new()
                .operation(HttpMethod::Get, show_incident)
                .operation(HttpMethod::Put, update_incident)
                .build(),
        )
        .path(
            "/api/v1/incidents/{id}/versions",
            PathItem::new(HttpMethod::Get, incident_versions),
        )
        .path(
            "/api/v1/parties",
            PathItem::new(HttpMethod::Get, list_parties),
        )
        .path(
            "/api/v1/parties/{id}",
            PathItem::new(HttpMethod::Get, show_party),
        )
        .path(
            "/api/v1/schema/incident",
            PathItem::new(
                HttpMethod::Get,
                OperationBuilder::new()
                    .operation_id(Some("incidentReportSchema"))
                    .summary(Some("The JSON Schema of the incident report"))
                    .response(
                        "200",
                        ResponseBuilder::new().description("JSON Schema").build(),
                    ),
            ),
        )
        .build();
    // Transparency log.
    let mut paths = paths;
    paths.paths.extend(crate::log::openapi_paths());
    paths.paths.extend(crate::hotline::openapi_paths());
    paths.paths.extend(crate::exercise::openapi_paths());
    paths.paths.extend(crate::attribution::openapi_paths());
    paths.paths.extend(crate::notifications::openapi_paths());
    paths.paths.extend(crate::federation::openapi_paths());
    paths.paths.extend(crate::commitments::openapi_paths());
    paths.paths.extend(crate::disclosure::openapi_paths());
    paths.paths.extend(crate::supply_chain::openapi_paths());
    let components = utoipa::openapi::ComponentsBuilder::new()
        .security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        )
        .build();
    let openapi = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("redline node API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Incident reports, parties, assessments, hotline messages and the transparency log of a redline node. \
                     Errors are `{\"error\": {\"code\", \"message\", \"path\"}}`.",
                )),
        )
        .paths(paths)
        .components(Some(components))
        .build();
    let mut document = serde_json::to_value(&openapi).unwrap_or_default();
    insert_model_schemas(&mut document);
    document
}

/// Adds the schemars schemas of the model types under `components/schemas`.
fn insert_model_schemas(document: &mut serde_json::Value) {
    let generator = schemars::generate::SchemaSettings::openapi3()
        .with(|settings| settings.definitions_path = "/components/schemas".into())
        .into_generator();
    let mut generator = generator;
    let mut schemas = serde_json::Map::new();
    let top_level = [
        (
            "IncidentReport",
            generator.subschema_for::<redline_model::IncidentReport>(),
        ),
        (
            "Incident",
            generator.subschema_for::<redline_model::Incident>(),
        ),
        ("Party", generator.subschema_for::<redline_model::Party>()),
    ];
    for (name, schema) in top_level {
        if !schema.as_value().get("$ref").is_some_and(|_| true) {
            schemas.insert(name.to_string(), schema.to_value());
        }
    }
    for (name, schema) in generator.take_definitions(true) {
        schemas.insert(name, schema);
    }
    // The hotline message's payload (draft 2020-12, as OpenAPI 3.1 reads it), its definitions
    // beside the others.
    let hotline_message = redline_hotline::hotline_message_json_schema().to_string();
    let hotline_message = hotline_message.replace("#/$defs/", "#/components/schemas/");
    if let Ok(serde_json::Value::Object(mut hotline_message)) =
        serde_json::from_str::<serde_json::Value>(&hotline_message)
    {
        if let Some(serde_json::Value::Object(definitions)) = hotline_message.remove("$defs") {
            for (name, definition) in definitions {
                schemas.entry(name).or_insert(definition);
            }
        }
        hotline_message.remove("$schema");
        schemas.insert(
            "HotlineMessage".into(),
            serde_json::Value::Object(hotline_message),
        );
    }
    schemas.insert(
        "IncidentListing".into(),
        serde_json::json!({
            "type": "object",
            "required": ["incidents"],
            "properties": {
                "incidents": { "type": "array", "items": { "$ref": "#/components/schemas/Incident" } },
                "next_cursor": { "type": "string", "description": "pass as `cursor` for the next page" }
            }
        }),
    );
    schemas.insert(
        "Error".into(),
        serde_json::json!({
            "type": "object",
            "required": ["error"],
            "properties": { "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string" },
                    "message": { "type": "string" },
                    "path": { "type": "string", "description": "JSON path or parameter that was wrong" },
                    "issues": { "type": "array", "items": { "type": "object", "properties": {
                        "path": { "type": "string" }, "message": { "type": "string" } } } }
                }
            } }
        }),
    );
    if let Some(components) = document
        .get_mut("components")
        .and_then(serde_json::Value::as_object_mut)
    {
        components.insert("schemas".into(), serde_json::Value::Object(schemas));
    }
}

pub(crate) async fn serve() -> Json<serde_json::Value> {
    Json(document())
}

/// One operation of a route group described as a table (the hotline, the exercises).
pub(crate) struct TabledOperation {
    pub(crate) path: &'static str,
    pub(crate) method: HttpMethod,
    pub(crate) operation_id: &'static str,
    /// Answered without a token (public figures); every other operation needs one.
    pub(crate) public: bool,
    pub(crate) summary: &'static str,
    /// `(name, description)` of each optional query parameter.
    pub(crate) query: &'static [(&'static str, &'static str)],
    /// `(name, description)` of each optional request header.
    pub(crate) headers: &'static [(&'static str, &'static str)],
    /// `(status, description)`.
    pub(crate) responses: &'static [(&'static str, &'static str)],
}

impl TabledOperation {
    /// An operation for signed-in callers, with no optional query parameter or header.
    pub(crate) const fn new(
        method: HttpMethod,
        path: &'static str,
        operation_id: &'static str,
        summary: &'static str,
        responses: &'static [(&'static str, &'static str)],
    ) -> TabledOperation {
        TabledOperation {
            path,
            method,
            operation_id,
            public: false,
            summary,
            query: &[],
            headers: &[],
            responses,
        }
    }

    /// The same operation, answered without a token.
    pub(crate) const fn public(self) -> TabledOperation {
        TabledOperation {
            public: true,
            ..self
        }
    }

    /// The same operation, with these optional query parameters.
    pub(crate) const fn query(
        self,
        query: &'static [(&'static str, &'static str)],
    ) -> TabledOperation {
        TabledOperation { query, ..self }
    }

    /// The same operation, with these optional request headers.
    pub(crate) const fn headers(
        self,
        headers: &'static [(&'static str, &'static str)],
    ) -> TabledOperation {
        TabledOperation { headers, ..self }
    }
}

/// The OpenAPI paths of a table of operations, each under `tag` (and the bearer scheme unless it
/// is public); path
/// parameters come from the `{name}` segments, and operations on one path share its item.
pub(crate) fn tabled_paths(tag: &str, operations: &[TabledOperation]) -> Vec<(String, PathItem)> {
    let parameter = |name: &str, description: &str, place: ParameterIn, required: bool| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(place)
            .required(if required {
                Required::True
            } else {
                Required::False
            })
            .description(Some(description))
            .schema(Some(
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String),
            ))
            .build()
    };
    let mut paths: Vec<(String, PathItem)> = Vec::new();
    for operation in operations {
        let mut builder = OperationBuilder::new()
            .operation_id(Some(operation.operation_id))
            .summary(Some(operation.summary))
            .tag(tag);
        if !operation.public {
            builder = builder.security(SecurityRequirement::new("bearer", Vec::<String>::new()));
        }
        for segment in operation.path.split('/') {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                builder = builder.parameter(parameter(name, name, ParameterIn::Path, true));
            }
        }
        for (name, description) in operation.query {
            builder = builder.parameter(parameter(name, description, ParameterIn::Query, false));
        }
        for (name, description) in operation.headers {
            builder = builder.parameter(parameter(name, description, ParameterIn::Header, false));
        }
        for (status, description) in operation.responses {
            builder = builder.response(
                *status,
                ResponseBuilder::new().description(*description).build(),
            );
        }
        let item = PathItem::new(operation.method.clone(), builder);
        match paths.iter_mut().find(|(path, _)| path == operation.path) {
            Some((_, existing)) => existing.merge_operations(item),
            None => paths.push((operation.path.to_string(), item)),
        }
    }
    paths
}
