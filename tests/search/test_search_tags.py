"""The results page's template filters."""

from django.utils.html import json_script

from search.templatetags.search_tags import json_data


def test_json_data_is_djangos_json_script_faster():
    value = {
        "attribution": '&copy; <a href="https://example.org/">Maps</a>',
        "markers": [{"name": "</script><script>alert(1)</script>", "area": "Tom & Jerry's"}],
        "text": "£ é \u2028 ' \"",
    }
    assert json_data(value, "map-data") == json_script(value, "map-data")
    assert "</script><script>" not in json_data(value, "map-data").removesuffix("</script>")
