import collections
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from tests.test_api_fuzz import fuzz_schema, fuzz_headers, api_db_url  # noqa

api_schema = schemathesis.pytest.from_fixture("fuzz_schema")
SEEN = collections.Counter()

@api_schema.include(path="/postings/analyze").parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_dbg(case, fuzz_headers):
    r = case.call(headers=fuzz_headers)
    SEEN[(case.method, r.status_code)] += 1
    print(case.method, case.path, r.status_code, str(case.body)[:80], r.text[:100])
