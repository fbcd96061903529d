"""fakesnow's HTTP server for tests, with the adapters the Node driver and dbt-snowflake need (test fixture only).

fakesnow answers every query with an Arrow rowset (`queryResultFormat: arrow`). The Python connector
reads Arrow; the Node driver (snowflake-sdk 3.x) reads only JSON rowsets and fails on the first SELECT.
So, for sessions whose login says the client is the Node driver (CLIENT_APP_ID "JavaScript"), this
rewrites Arrow rowsets into the JSON rowset Snowflake itself sends with JSON results: every value a
string (or null), numbers in decimal, booleans "1"/"0", dates as days since 1970, times and timestamps as
"<epoch seconds>.<9-digit fraction>", TIMESTAMP_TZ with " <offset minutes + 1440>", VARIANT as JSON text.
It also adds `returned` (rows in this response) to every result, which the Node driver needs to read any
row and fakesnow leaves out. For PUT, it unquotes the stage location fakesnow's parser cannot read quoted, and passes on the statement's
OVERWRITE, which fakesnow drops (see QUOTED_PUT_TARGET and query_request). For any client, it turns
dbt-snowflake's qualified temporary table into a regular one (QUALIFIED_TEMP_TABLE). Nothing else is changed:
every other statement, every error, the uploads and DML results are fakesnow's own.

Usage: python serve.py PORT   (every session shares one in-memory database)
"""

from __future__ import annotations

import base64
import datetime
import decimal
import gzip
import json
import re
import sys

import fakesnow.server as fs_server
import pyarrow as pa
import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

node_sessions: set[str] = set()


def json_value(value: object, sf_type: str) -> str | None:
    if value is None:
        return None
    if sf_type == "boolean":
        return "1" if value else "0"
    if sf_type == "date":
        assert isinstance(value, datetime.date)
        return str((value - datetime.date(1970, 1, 1)).days)
    if sf_type.startswith("timestamp"):
        # to_sf's struct: epoch seconds, nanosecond fraction and (for _tz) the offset index
        assert isinstance(value, dict)
        text = f"{value['epoch']}.{value['fraction']:09d}"
        return f"{text} {value['timezone']}" if "timezone" in value else text
    if sf_type == "time":
        assert isinstance(value, int)  # nanoseconds since midnight
        return f"{value // 1_000_000_000}.{value % 1_000_000_000:09d}"
    if sf_type in ("variant", "object", "array"):
        return value if isinstance(value, str) else json.dumps(value)
    if sf_type == "binary":
        assert isinstance(value, bytes)
        return value.hex()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def arrow_to_json(data: dict) -> None:
    encoded = data.pop("rowsetBase64", "")
    rowtype = data.get("rowtype") or []
    rows: list[list[str | None]] = []
    if encoded:
        table = pa.ipc.open_stream(base64.b64decode(encoded)).read_all()
        columns = [c.to_pylist() for c in table.columns]
        types = [c["type"] for c in rowtype]
        rows = [[json_value(v, t) for v, t in zip(row, types, strict=True)] for row in zip(*columns, strict=True)]
    for column in rowtype:
        if column["type"].startswith("timestamp") or column["type"] == "time":
            column["scale"] = 9
    data["queryResultFormat"] = "json"
    data["rowset"] = rows


async def login_request(request: Request) -> JSONResponse:
    body = await read_json_body(request)
    response = await fs_server.login_request(request)
    if body["data"].get("CLIENT_APP_ID") == "JavaScript":
        node_sessions.add(json.loads(response.body)["data"]["token"])
    return response


# PUT 'file://...' '@stage/path/': Snowflake takes the stage location quoted (and it must be, for paths with
# special characters); fakesnow's parser takes it unquoted only.
QUOTED_PUT_TARGET = re.compile(r"^(put\s+'[^']*'\s+)'(@[^']*)'", re.IGNORECASE)
OVERWRITE_TRUE = re.compile(r"\boverwrite\s*=\s*true\b", re.IGNORECASE)
# dbt-snowflake's incremental delete+insert stages the new rows in `create or replace temporary table
# <db>.<schema>.<model>__dbt_tmp`; DuckDB keeps temporary tables in its temp catalog only, so fakesnow
# cannot create one by a qualified name. As a regular table it works (and stays behind, replaced next run).
QUALIFIED_TEMP_TABLE = re.compile(r"\bcreate\s+or\s+replace\s+temporary\s+table\b", re.IGNORECASE)


async def read_json_body(request: Request) -> dict:
    body = await request.body()
    gzipped = request.headers.get("Content-Encoding") == "gzip"
    return json.loads(gzip.decompress(body) if gzipped else body)


async def query_request(request: Request) -> JSONResponse:
    token = (request.headers.get("Authorization") or "")[17:-1]
    body = await read_json_body(request)
    sql_text: str = body.get("sqlText") or ""
    rewritten = QUALIFIED_TEMP_TABLE.sub("create or replace table", sql_text, count=1)
    if token in node_sessions:
        rewritten = QUOTED_PUT_TARGET.sub(r"\1\2", rewritten)
    if rewritten != sql_text:
        body["sqlText"] = rewritten
        encoded = json.dumps(body).encode()
        # fakesnow reads the body Starlette keeps, decompressing it when the header says gzip
        request._body = gzip.compress(encoded) if request.headers.get("Content-Encoding") == "gzip" else encoded  # noqa: SLF001
    response = await fs_server.query_request(request)
    payload = json.loads(response.body)
    data = payload.get("data") or {}
    if token not in node_sessions or not data:
        return response
    if data.get("queryResultFormat") == "arrow":
        arrow_to_json(data)
    if (stage_info := data.get("stageInfo")) is not None:
        # a PUT: the Node driver's GCS client reads the stage's region even with a presigned URL, and fakesnow
        # answers overwrite = false whatever the statement says (the driver then checks for an existing file
        # with a GET fakesnow does not serve, and never uploads)
        stage_info.setdefault("region", "")
        data["overwrite"] = bool(OVERWRITE_TRUE.search(sql_text))
    # the Node driver reads rows only up to `returned`, which fakesnow leaves out
    data.setdefault("returned", len(data.get("rowset") or []))
    return JSONResponse(payload, status_code=response.status_code)


def main() -> None:
    port = int(sys.argv[1])
    # Starlette keeps a request's body once read, so a wrapper and fakesnow's handler can both read it.
    wrappers = {"/session/v1/login-request": login_request, "/queries/v1/query-request": query_request}
    fs_server.app.router.routes = [
        Route(r.path, wrappers[r.path], methods=["POST"]) if r.path in wrappers else r for r in fs_server.routes
    ]
    uvicorn.run(fs_server.app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
