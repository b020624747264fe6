"""The API's OpenAPI 3.1 document, served at ``/api/openapi.json``.

Written here, next to the JSON it describes (views/api.py), and kept true by tests:
tests/functional/test_openapi.py checks that every ``/api`` route is in it and nothing
else, and the schemathesis run (tests/functional/test_api_fuzz.py) calls every operation
with generated input and checks each answer against its schema.
"""

from __future__ import annotations

from typing import Any

STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NULLABLE_STRING = {"type": ["string", "null"]}
ID = {"type": "string", "pattern": "^[0-9]+$"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": sorted(required),
        "properties": {**required, **(optional or {})},
    }


ACCOUNT = _object(
    {
        "id": ID, "username": STRING, "acct": STRING, "display_name": STRING,
        "locked": BOOLEAN, "bot": BOOLEAN, "group": BOOLEAN, "created_at": STRING,
        "note": STRING, "url": STRING, "avatar": STRING, "avatar_static": STRING,
        "followers_count": INTEGER, "following_count": INTEGER, "statuses_count": INTEGER,
        "emojis": {"type": "array"}, "fields": {"type": "array"},
    },
    {"source": {"type": "object"}},
)  # fmt: skip
MEDIA = _object(
    {
        "id": ID, "type": {"enum": ["image", "video"]}, "url": NULLABLE_STRING,
        "preview_url": NULLABLE_STRING, "description": NULLABLE_STRING, "meta": {"type": "object"},
    }
)  # fmt: skip
STATUS = _object(
    {
        "id": ID, "created_at": STRING, "edited_at": NULLABLE_STRING, "sensitive": BOOLEAN,
        "spoiler_text": STRING, "visibility": {"enum": ["public", "private", "direct"]},
        "url": STRING, "content": STRING, "account": _ref("Account"),
        "media_attachments": {"type": "array", "items": _ref("MediaAttachment")},
        "favourites_count": INTEGER, "replies_count": INTEGER, "reblogs_count": INTEGER,
        "favourited": BOOLEAN, "bookmarked": BOOLEAN, "reblog": {"type": "null"},
    }
)  # fmt: skip
RELATIONSHIP = _object(
    {
        "id": ID, "following": BOOLEAN, "requested": BOOLEAN, "followed_by": BOOLEAN,
        "blocking": BOOLEAN, "blocked_by": BOOLEAN, "muting": BOOLEAN,
    }
)  # fmt: skip
NOTIFICATION = _object(
    {
        "id": ID, "type": {"enum": ["favourite", "mention", "follow", "follow_request"]},
        "created_at": STRING, "account": _ref("Account"),
        "status": {"oneOf": [_ref("Status"), {"type": "null"}]},
    }
)  # fmt: skip
APPLICATION = _object(
    {"id": ID, "name": STRING, "scopes": {"type": "array", "items": STRING},
     "client_id": STRING, "client_secret": STRING},
    {"website": NULLABLE_STRING, "redirect_uri": STRING},
)  # fmt: skip
SCHEMAS = {
    "Error": _object({"error": STRING}),
    "Account": ACCOUNT,
    "MediaAttachment": MEDIA,
    "Status": STATUS,
    "Relationship": RELATIONSHIP,
    "Notification": NOTIFICATION,
    "Application": APPLICATION,
    "Context": _object({"ancestors": {"type": "array"}, "descendants": {"type": "array"}}),
    "Tag": _object({"name": STRING, "url": STRING}),
    "Search": _object(
        {
            "accounts": {"type": "array", "items": _ref("Account")},
            "statuses": {"type": "array", "maxItems": 0},
            "hashtags": {"type": "array", "items": _ref("Tag")},
        }
    ),
    "Instance": _object({"version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+"}}),
}

PATH_ID = {"name": "id", "in": "path", "required": True,
           "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}}  # fmt: skip
PAGING = [
    {"name": "max_id", "in": "query", "schema": STRING},
    {"name": "since_id", "in": "query", "schema": STRING},
    {"name": "limit", "in": "query", "schema": STRING},
]
# Lists of statuses also read forward: the posts just newer than ``min_id``.
STATUS_PAGING = [*PAGING, {"name": "min_id", "in": "query", "schema": STRING}]


def _answer(schema: dict[str, Any], *errors: int) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "OK", "content": {"application/json": {"schema": schema}}}
    }
    for code in (400, *errors, 429):  # 400: input no call could take (core/input_guard.py)
        responses[str(code)] = {
            "description": "Refused",
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    return responses


def _call(
    summary: str,
    scope: str | None,
    schema: dict[str, Any],
    *,
    parameters: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    errors: tuple[int, ...] = (),
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": parameters or [],
        "responses": _answer(schema, *(errors + ((401, 403) if scope else ()))),
    }
    if scope:
        operation["security"] = [{"bearer": [scope]}]
    if body is not None:
        operation["requestBody"] = {"content": body}
    return operation


def _form(properties: dict[str, Any], *, files: bool = False) -> dict[str, Any]:
    kind = "multipart/form-data" if files else "application/x-www-form-urlencoded"
    return {kind: {"schema": {"type": "object", "properties": properties}}}


def _many(name: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(name)}


def _on_account(
    summary: str, scope: str, schema: dict[str, Any], errors: tuple[int, ...] = (404,)
) -> dict[str, Any]:
    return _call(summary, scope, schema, parameters=[PATH_ID], errors=errors)


def _on_status(summary: str, scope: str) -> dict[str, Any]:
    return _call(summary, scope, _ref("Status"), parameters=[PATH_ID], errors=(404,))


def _paths() -> dict[str, dict[str, Any]]:
    relation = _ref("Relationship")
    return {
        "/api/v1/apps": {"post": _call(
            "Register an app", None, _ref("Application"), errors=(422,),
            body=_form({"client_name": STRING, "redirect_uris": STRING, "scopes": STRING,
                        "website": STRING}),
        )},
        "/api/v1/instance": {"get": _call("The instance (v1)", None, _ref("Instance"))},
        "/api/v1/instance/": {"get": _call("The instance (v1)", None, _ref("Instance"))},
        "/api/v2/instance": {"get": _call("The instance (v2)", None, _ref("Instance"))},
        "/api/v2/instance/": {"get": _call("The instance (v2)", None, _ref("Instance"))},
        "/api/v1/accounts/verify_credentials": {
            "get": _call("The token's person", "read:accounts", _ref("Account"))
        },
        "/api/v1/accounts/lookup": {"get": _call(
            "An account by username", "read:accounts", _ref("Account"), errors=(404,),
            parameters=[{"name": "acct", "in": "query", "required": True, "schema": STRING}],
        )},
        "/api/v1/accounts/relationships": {"get": _call(
            "Relationships with accounts", "read:follows", _many("Relationship"),
            parameters=[{"name": "id[]", "in": "query", "style": "form", "explode": True,
                         "schema": {"type": "array", "items": STRING}}],
        )},
        "/api/v1/accounts/{id}": {
            "get": _on_account("An account", "read:accounts", _ref("Account"))
        },
        "/api/v1/accounts/{id}/statuses": {"get": _call(
            "An account's posts", "read:statuses", _many("Status"),
            parameters=[PATH_ID, *STATUS_PAGING], errors=(404,),
        )},
        "/api/v1/accounts/{id}/followers": {"get": _call(
            "Who follows an account", "read:accounts", _many("Account"),
            parameters=[PATH_ID, *PAGING], errors=(404,),
        )},
        "/api/v1/accounts/{id}/following": {"get": _call(
            "Whom an account follows", "read:accounts", _many("Account"),
            parameters=[PATH_ID, *PAGING], errors=(404,),
        )},
        **{
            f"/api/v1/accounts/{{id}}/{action}": {
                "post": _on_account(f"{action.capitalize()} an account", scope, relation,
                                    errors=(404, 422))
            }
            for action, scope in (
                ("follow", "write:follows"), ("unfollow", "write:follows"),
                ("block", "write:blocks"), ("unblock", "write:blocks"),
                ("mute", "write:mutes"), ("unmute", "write:mutes"),
            )
        },
        "/api/v1/follow_requests": {
            "get": _call("Follow requests waiting", "read:follows", _many("Account"))
        },
        "/api/v1/follow_requests/{id}/authorize": {
            "post": _on_account("Accept a follow request", "write:follows", relation)
        },
        "/api/v1/follow_requests/{id}/reject": {
            "post": _on_account("Decline a follow request", "write:follows", relation)
        },
        "/api/v1/timelines/home": {"get": _call(
            "The home feed", "read:statuses", _many("Status"), parameters=STATUS_PAGING
        )},
        "/api/v1/statuses": {"post": _call(
            "Post photos", "write:statuses", _ref("Status"), errors=(422,),
            body=_form({"status": STRING, "media_ids[]": {"type": "array", "items": STRING},
                        "visibility": STRING, "sensitive": STRING, "spoiler_text": STRING}),
        )},
        "/api/v1/statuses/{id}": {
            "get": _on_status("A post", "read:statuses"),
            "delete": _on_status("Delete one's post", "write:statuses"),
        },
        "/api/v1/statuses/{id}/context": {"get": _call(
            "A post's context", "read:statuses", _ref("Context"), parameters=[PATH_ID],
            errors=(404,),
        )},
        **{
            f"/api/v1/statuses/{{id}}/{action}": {"post": _on_status(f"{action} a post", scope)}
            for action, scope in (
                ("favourite", "write:favourites"), ("unfavourite", "write:favourites"),
                ("bookmark", "write:bookmarks"), ("unbookmark", "write:bookmarks"),
            )
        },
        "/api/v1/notifications": {"get": _call(
            "Notifications", "read:notifications", _many("Notification"), parameters=PAGING
        )},
        "/api/v2/search": {"get": _call(
            "Search accounts and hashtags", "read:search", _ref("Search"),
            parameters=[{"name": "q", "in": "query", "schema": STRING},
                        {"name": "type", "in": "query", "schema": STRING}],
        )},
        **{
            path: {"post": _call(
                "Upload a photo", "write:media", _ref("MediaAttachment"), errors=(422,),
                body=_form({"file": {"type": "string", "format": "binary"},
                            "description": STRING}, files=True),
            )}
            for path in ("/api/v1/media", "/api/v2/media")
        },
        "/api/v1/media/{id}": {"put": _call(
            "Describe an upload", "write:media", _ref("MediaAttachment"), parameters=[PATH_ID],
            errors=(404, 422), body=_form({"description": STRING}),
        )},
        "/api/openapi.json": {"get": {
            "summary": "This document", "responses": {"200": {"description": "OK"}},
        }},
    }  # fmt: skip


def document(base_url: str, version: str, scopes: list[str]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sapling API",
            "version": version,
            "description": "Mastodon's shapes, for apps; see docs/api.md.",
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {
                    "type": "oauth2",
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": "/oauth/authorize",
                            "tokenUrl": "/oauth/token",
                            "scopes": {scope: scope for scope in sorted(scopes)},
                        }
                    },
                }
            },
        },
    }
