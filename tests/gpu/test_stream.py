"""Range answers are read one series at a time (reports/gpu/sources/stream.py): a real Prometheus's
answer comes out as it does read whole, and an answer that breaks off or carries warnings is named."""

from __future__ import annotations

import json

import httpx
import pytest

from reports.gpu.sources import SourceError
from reports.gpu.sources.prometheus import PrometheusSource

QUERY = 'DCGM_FI_DEV_GPU_UTIL{cluster="lab"}'
RANGE = (1795305600, 1795392000, 3600)  # Sun 22 Nov 2026, hourly


def test_a_streamed_answer_is_the_answer_read_whole(prometheus_url):
    whole = httpx.post(
        f"{prometheus_url}/api/v1/query_range",
        data={"query": QUERY, "start": RANGE[0], "end": RANGE[1], "step": f"{RANGE[2]}s"},
    ).json()["data"]["result"]
    streamed = list(PrometheusSource("dcgm", prometheus_url)._query_range(QUERY, *RANGE))
    assert len(streamed) == 6
    assert streamed == [(r["metric"], r["values"]) for r in whole]


def answer(body: str) -> PrometheusSource:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=httpx.ByteStream(body.encode()))

    return PrometheusSource("dcgm", "http://prometheus.test", transport=httpx.MockTransport(handler))


HEAD = '{"status":"success","data":{"resultType":"matrix","result":['
SERIES = '{"metric":{"gpu":"0"},"values":[[1795309200,"2"]]}'


def test_an_answer_that_breaks_off_inside_the_result_is_an_error_not_fewer_gpus():
    source = answer(HEAD + SERIES + ',{"metric":{"gpu":"1"},"val')
    with pytest.raises(SourceError, match="dcgm: Prometheus's answer broke off"):
        list(source._query_range(QUERY, *RANGE))


def test_warnings_after_the_result_are_logged(caplog):
    tail = ']},"warnings":["PromQL info: metric might not be a counter"]}'
    assert list(answer(HEAD + SERIES + tail)._query_range(QUERY, *RANGE)) == [({"gpu": "0"}, [[1795309200, "2"]])]
    assert "warning=PromQL info: metric might not be a counter" in caplog.text


def test_another_field_order_is_read_whole():
    body = {"data": {"result": [json.loads(SERIES)], "resultType": "matrix"}, "status": "success"}
    assert list(answer(json.dumps(body))._query_range(QUERY, *RANGE)) == [({"gpu": "0"}, [[1795309200, "2"]])]


def test_series_cut_by_the_read_chunks_come_out_whole():
    series = [
        {"metric": {"gpu": str(n)}, "values": [[1795309200 + 3600 * h, str(n * h)] for h in range(24)]}
        for n in range(900)
    ]
    body = HEAD + " , ".join(json.dumps(s) for s in series) + "]}}"
    assert len(body) > 7 * 65536  # several reads, cutting series
    found = list(answer(body)._query_range(QUERY, *RANGE))
    assert found == [(s["metric"], s["values"]) for s in series]
