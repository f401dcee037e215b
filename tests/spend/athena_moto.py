"""moto's server, able to answer the Athena client this botocore builds.

botocore 1.44 describes Athena with the REST-JSON protocol (`POST /query-executions`, `GET
/query-executions/{id}/results?MaxResults=&NextToken=`); moto 5.2 parses requests with botocore's own model, so it
understands them, but its Athena URL table still lists only `/` (the older JSON protocol), and its server answers
404 to the rest. `athena_routes` adds those paths, all handled by moto's own AthenaResponse."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import moto.athena.urls
from moto.athena.responses import AthenaResponse

ROUTES = (
    "{0}/query-executions/?$",
    "{0}/query-executions/(?P<query_id>[^/]+)$",
    "{0}/query-executions/(?P<query_id>[^/]+)/(?P<verb>results|stop)$",
)


@contextmanager
def athena_routes() -> Iterator[None]:
    added = [r for r in ROUTES if r not in moto.athena.urls.url_paths]
    for route in added:
        moto.athena.urls.url_paths[route] = AthenaResponse.dispatch
    try:
        yield
    finally:
        for route in added:
            moto.athena.urls.url_paths.pop(route, None)
