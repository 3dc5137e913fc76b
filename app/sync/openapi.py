"""The OpenAPI 3.1 description of /api/v1/, served at /api/v1/openapi.json."""


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def spec() -> dict:
    uuid_param = {"name": "client_id", "in": "path", "required": True,
                  "description": "The outbox entry's UUID, made on the device; the key of exactly-once delivery.",
                  "schema": {"type": "string", "format": "uuid"}}
    csrf = {"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"},
            "description": "From GET /api/v1/session."}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Wuye Field sync API", "version": "1",
                 "description": "How the offline outbox delivers records and photos exactly once. See docs/sync.md."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}},
            "schemas": {
                "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                    "code": {"type": "integer"}, "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    "reason": {"type": ["string", "null"], "description": "\"csrf\" when the token must be renewed"}}}}},
                "Envelope": {"type": "object", "required": ["kind", "project_id", "client_time", "data"], "properties": {
                    "kind": {"type": "string", "examples": ["ticket_report"]},
                    "project_id": {"type": "integer"},
                    "client_time": {"type": "string", "format": "date-time",
                                    "description": "When it happened, by the device's clock, with its offset."},
                    "data": {"type": "object", "description": "The form's fields; their meaning depends on kind."}}},
                "Answer": {"type": "object", "description": "What the kind's handler answered the first time.",
                           "properties": {"id": {"type": "integer"}, "url": {"type": "string"}},
                           "additionalProperties": True},
            },
        },
        "security": [{"session": []}],
        "paths": {
            "/api/v1/session": {"get": {
                "summary": "Who is logged in, and a fresh CSRF token",
                "responses": {"200": {"description": "logged in", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"user": {"type": "object"}, "csrf_token": {"type": "string"}}}}}},
                    "401": _error("not logged in (or the session expired): entries wait for the same user")}}},
            "/api/v1/offline-pages": {"get": {
                "summary": "The pages this user needs offline today (the service worker caches them)",
                "responses": {"200": {"description": "page URLs", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"user_id": {"type": "integer"},
                                                     "pages": {"type": "array", "items": {"type": "string"}}}}}}},
                    "401": _error("not logged in")}}},
            "/api/v1/records/{client_id}": {
                "post": {
                    "summary": "Deliver one outbox entry with its photos",
                    "description": "The record and its photos commit together or not at all. The same client_id "
                                   "again returns the first answer (200, Idempotent-Replayed: true) and changes nothing.",
                    "parameters": [uuid_param, csrf],
                    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                        "type": "object", "required": ["record"], "properties": {
                            "record": {"type": "string", "description": "The Envelope, as JSON text"},
                            "photos": {"type": "array", "items": {"type": "string", "format": "binary"},
                                       "description": "JPEG, PNG, WebP or HEIC; re-encoded by the server"}}}}}},
                    "responses": {
                        "201": {"description": "accepted now", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}}},
                        "200": {"description": "accepted before: the first answer, replayed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}}},
                        "400": _error("malformed, or CSRF token missing/expired (reason: csrf): renew and retry"),
                        "401": _error("session expired: wait for the same user to log in again"),
                        "403": _error("refused for good: the user's role may not submit this kind"),
                        "404": _error("refused for good: unknown project or not a member"),
                        "413": _error("the request is too large"),
                        "422": _error("refused for good until edited: validation errors in `fields`"),
                    }},
                "get": {
                    "summary": "Has this entry arrived?",
                    "parameters": [uuid_param],
                    "responses": {"200": {"description": "yes: the first answer", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}}},
                                  "404": _error("not (yet) received from this user")}},
            },
            "/api/v1/openapi.json": {"get": {
                "summary": "This description", "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}}}},
        },
    }
