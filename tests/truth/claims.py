"""Reading claims out of the report JSON."""

from pathlib import Path

HERE = Path(__file__).parent


def fixture_ref(attr: str) -> str:
    """`tests/truth/models.py:ATTR` as a model reference the lab loads."""
    return f"{HERE / 'models.py'}:{attr}"


def claim(report_json: dict, *path):
    """report_json[path[0]][path[1]]...; a missing key fails saying which field is missing."""
    node, walked = report_json, []
    for key in path:
        walked.append(str(key))
        assert isinstance(node, dict) and key in node, f"the report has no {'.'.join(walked)} (not there yet?)"
        node = node[key]
    return node
