"""OpenAPI links: which answer gives the id another operation takes (a saved pathway's id opens its versions,
comments and review; a submitted review's id takes the coach's decision). Clients read them to walk the API; the
stateful fuzz test (tests/test_api_fuzz_real.py) walks them to reach routes with real ids instead of random ones."""

from __future__ import annotations

from typing import Any

# The operations a pathway's id opens, as (method, path).
_PATHWAY_OPERATIONS = [
    ("get", "/pathways/{pathway_id}"),
    ("post", "/pathways/{pathway_id}/submit"),
    ("get", "/pathways/{pathway_id}/versions"),
    ("post", "/pathways/{pathway_id}/versions"),
    ("get", "/pathways/{pathway_id}/audit"),
    ("get", "/pathways/{pathway_id}/comments"),
    ("post", "/pathways/{pathway_id}/comments"),
    ("get", "/pathways/{pathway_id}/progress"),
    ("post", "/pathways/{pathway_id}/progress"),
]
_REVIEW_OPERATIONS = [("get", "/reviews/{review_id}"), ("post", "/reviews/{review_id}/decision")]
_LEARNER_OPERATIONS = [
    ("get", "/learners/{user_id}/profile"),
    ("get", "/learners/{user_id}/outcomes"),
    ("post", "/learners/{user_id}/outcomes"),
    ("get", "/learners/{user_id}/conversations"),
]


def _to(
    targets: list[tuple[str, str]], parameter: str, expression: str
) -> list[tuple[str, str, dict[str, str]]]:
    return [(method, path, {parameter: expression}) for method, path in targets]


# (method, path, answer code) of the producer -> the operations its answer feeds, with runtime expressions.
LINKS: dict[tuple[str, str, str], list[tuple[str, str, dict[str, str]]]] = {
    ("get", "/pathways", "200"): _to(_PATHWAY_OPERATIONS, "pathway_id", "$response.body#/0/id"),
    ("post", "/pathways", "201"): _to(_PATHWAY_OPERATIONS, "pathway_id", "$response.body#/id"),
    ("get", "/pathways/{pathway_id}", "200"): _to(
        _PATHWAY_OPERATIONS[1:], "pathway_id", "$response.body#/id"
    ),
    ("get", "/pathways/{pathway_id}/versions", "200"): [
        (
            "get",
            "/pathways/{pathway_id}/versions/{version}",
            {"pathway_id": "$request.path.pathway_id", "version": "$response.body#/0/version"},
        )
    ],
    ("post", "/pathways/{pathway_id}/submit", "200"): _to(
        _REVIEW_OPERATIONS, "review_id", "$response.body#/id"
    ),
    ("get", "/reviews", "200"): [
        *_to(_REVIEW_OPERATIONS, "review_id", "$response.body#/0/id"),
        *_to(_PATHWAY_OPERATIONS, "pathway_id", "$response.body#/0/pathway_id"),
    ],
    ("get", "/cohort", "200"): [
        *_to(_PATHWAY_OPERATIONS, "pathway_id", "$response.body#/0/latest_pathway_id"),
        *_to(_LEARNER_OPERATIONS, "user_id", "$response.body#/0/learner_id"),
    ],
    ("get", "/reviews/{review_id}", "200"): [
        ("post", "/reviews/{review_id}/decision", {"review_id": "$response.body#/id"}),
        ("get", "/pathways/{pathway_id}", {"pathway_id": "$response.body#/pathway_id"}),
    ],
    ("get", "/me", "200"): _to(_LEARNER_OPERATIONS, "user_id", "$response.body#/id"),
    ("get", "/learners/{user_id}/conversations", "200"): [
        ("get", "/conversations/{conversation_id}/messages", {"conversation_id": "$response.body#/0/id"})
    ],
    ("get", "/admin/users", "200"): [
        ("patch", "/admin/users/{user_id}", {"user_id": "$response.body#/0/id"}),
        *_to(_LEARNER_OPERATIONS, "user_id", "$response.body#/0/id"),
    ],
    ("get", "/admin/assignments", "200"): [
        ("delete", "/admin/assignments/{assignment_id}", {"assignment_id": "$response.body#/0/id"})
    ],
    ("post", "/admin/assignments", "201"): [
        ("delete", "/admin/assignments/{assignment_id}", {"assignment_id": "$response.body#/id"})
    ],
}


def add_links(spec: dict[str, Any]) -> None:
    """Write LINKS into an OpenAPI document, naming each target by its operationId. A link whose producer or
    target the document lacks is left out, so the table cannot point at an operation that is not served."""
    paths = spec.get("paths", {})
    for (method, path, code), targets in LINKS.items():
        answer = paths.get(path, {}).get(method, {}).get("responses", {}).get(code)
        if answer is None:
            continue
        links = answer.setdefault("links", {})
        for target_method, target_path, parameters in targets:
            target = paths.get(target_path, {}).get(target_method)
            if target is None or "operationId" not in target:
                continue
            links[target["operationId"]] = {"operationId": target["operationId"], "parameters": parameters}
