"""QGIS styles (QML) for the GeoPackage's layers, so QGIS opens them looking like the maps.

Each layer gets a rule-based renderer: a rule per role that its features take part in (the
role's colour; a place in several roles as interleaved stripes, each role's stripe set off
by its place in the feature's ``role_ids``; dashed outlines for schematic geometry), grey
official boundaries on top for context layers, and labels in English and Chinese. The
styles use the columns :mod:`geo.export.gpkg` writes: ``role_ids`` ("auto,consumption"),
``role_count`` and ``geometry_basis``.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

from matplotlib.colors import to_rgba

__all__ = ["layer_qml"]

_NS = uuid.UUID("6f1c3f0e-9a53-4d3e-9b61-2f43c1b0d7a1")  # rule keys are stable: the same style, the same text
STRIPE_MM = 1.2
ALPHA = {1: 0.22, 2: 0.38, 3: 0.55}


def _rgba(colour: str, alpha: float = 1.0) -> str:
    r, g, b, _ = to_rgba(colour)
    return f"{round(r * 255)},{round(g * 255)},{round(b * 255)},{round(alpha * 255)}"


def _options(parent, props: dict) -> None:
    """Both forms QGIS reads: <Option type="Map"> (3.x) and <prop k v> (older 3.x)."""
    opt = ET.SubElement(parent, "Option", type="Map")
    for k, v in props.items():
        ET.SubElement(opt, "Option", type="QString", name=k, value=str(v))
    for k, v in props.items():
        ET.SubElement(parent, "prop", k=k, v=str(v))


def _defined(parent, tag: str, expressions: dict) -> None:
    box = ET.SubElement(parent, tag)
    m = ET.SubElement(box, "Option", type="Map")
    ET.SubElement(m, "Option", type="QString", name="name", value="")
    props = ET.SubElement(m, "Option", name="properties", type="Map")
    for key, expr in expressions.items():
        p = ET.SubElement(props, "Option", name=key, type="Map")
        ET.SubElement(p, "Option", type="bool", name="active", value="true")
        ET.SubElement(p, "Option", type="QString", name="expression", value=expr)
        ET.SubElement(p, "Option", type="int", name="type", value="3")
    ET.SubElement(m, "Option", type="QString", name="type", value="collection")


def _symbol(parent, name: str, kind: str, layers: list) -> None:
    sym = ET.SubElement(parent, "symbol", type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    for cls, props, dd, sub in layers:
        lyr = ET.SubElement(sym, "layer", {"class": cls, "pass": "0", "enabled": "1", "locked": "0"})
        _options(lyr, props)
        _defined(lyr, "data_defined_properties", dd)
        if sub is not None:
            _symbol(lyr, f"@{name}@0", sub[0], sub[1])


_DASHED = "CASE WHEN \"geometry_basis\" = 'schematic' THEN 'dash' ELSE 'solid' END"


def _slot(role_id: str) -> str:
    return f"array_find(string_to_array(\"role_ids\"), '{role_id}')"


def _has(role_id: str) -> str:
    return f"array_contains(string_to_array(\"role_ids\"), '{role_id}')"


def _role_symbols(style: str, colour: str, role_id: str) -> list[tuple[str, str, str, list]]:
    """(rule label suffix, filter, symbol type, symbol layers) for one role on one layer."""
    edge = {"outline_color": _rgba(colour, 0.95), "outline_width": "0.35", "outline_width_unit": "MM"}
    if style == "point":
        size = f"1.6 + 1.2 * (\"role_count\" - {_slot(role_id)})"
        return [("", _has(role_id), "marker", [("SimpleMarker", {
            "name": "circle", "color": _rgba(colour), "outline_color": "255,255,255,255", "outline_width": "0.2",
            "outline_width_unit": "MM", "size": "2.4", "size_unit": "MM"}, {"size": size}, None)])]
    if style == "line":
        return [("", _has(role_id), "line", [("SimpleLine", {
            "line_color": _rgba(colour, 0.9), "line_width": "0.8", "line_width_unit": "MM", "capstyle": "round",
            "line_style": "solid"}, {"outlineStyle": _DASHED}, None)])]
    if style == "outline":
        return [("", _has(role_id), "fill", [("SimpleFill", {
            "color": "0,0,0,0", "style": "no", "outline_color": _rgba(colour, 0.85), "outline_width": "0.9",
            "outline_width_unit": "MM", "outline_style": "solid"}, {"outlineStyle": _DASHED}, None)])]
    fill = [("SimpleFill", {"color": _rgba(colour, ALPHA[2]), "style": "solid", "outline_style": "solid", **edge},
             {"outlineStyle": _DASHED}, None)]
    line = ("line", [("SimpleLine", {"line_color": _rgba(colour, ALPHA[3]), "line_width": str(STRIPE_MM),
                                     "line_width_unit": "MM", "capstyle": "flat"}, {}, None)])
    stripes = [("LinePatternFill", {"angle": "45", "distance": str(STRIPE_MM), "distance_unit": "MM",
                                    "offset": "0", "offset_unit": "MM", "color": _rgba(colour)},
                {"lineDistance": f"\"role_count\" * {STRIPE_MM}", "offset": f"{_slot(role_id)} * {STRIPE_MM}"}, line),
               ("SimpleFill", {"color": "0,0,0,0", "style": "no", "outline_style": "solid", **edge},
                {"outlineStyle": _DASHED}, None)]
    return [(" (only role)", f"{_has(role_id)} AND \"role_count\" = 1", "fill", fill),
            (" (with other roles: stripes)", f"{_has(role_id)} AND \"role_count\" > 1", "fill", stripes)]


def _label_expression(context: bool) -> str:
    if context:
        return "regexp_replace(\"name_en\", ' (District|County|City)$', '') || '\\n' || \"name_zh\""
    return "\"name_en\""


def _labeling(root, spec) -> None:
    lab = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(lab, "settings", calloutType="simple")
    size = "9" if spec.context and spec.label_min_zoom == 0 else ("8" if spec.context else "7")
    style = ET.SubElement(settings, "text-style", {
        "fieldName": _label_expression(spec.context), "isExpression": "1", "fontFamily": "Noto Sans CJK SC",
        "fontSize": size, "fontSizeUnit": "Point", "textColor": "34,34,34,255" if spec.context else "60,60,60,255",
        "fontWeight": "75" if spec.label_min_zoom == 0 and spec.context else "50", "multilineHeight": "1"})
    ET.SubElement(style, "text-buffer", {"bufferDraw": "1", "bufferSize": "0.8", "bufferSizeUnits": "MM",
                                         "bufferColor": "255,255,255,255", "bufferOpacity": "1"})
    ET.SubElement(settings, "text-format", {"multilineAlign": "1", "wrapChar": ""})
    ET.SubElement(settings, "placement", {"placement": "0" if spec.style == "point" else ("2" if spec.style == "line"
                                                                                            else "1"),
                                          "centroidInside": "1", "priority": "7" if spec.context else "5"})
    ET.SubElement(settings, "rendering", {"drawLabels": "1", "obstacle": "1", "displayAll": "0",
                                          "labelPerPart": "0"})


def layer_qml(spec, roles) -> str:
    """The QML of one layer; ``roles``: the registry roles its features take part in."""
    kind = {"point": "marker", "line": "line"}.get(spec.style, "fill")
    root = ET.Element("qgis", {"version": "3.22.0", "styleCategories": "Symbology|Labeling",
                               "labelsEnabled": "1" if spec.labels or not spec.context else "0"})
    rend = ET.SubElement(root, "renderer-v2", {"type": "RuleRenderer", "symbollevels": "0", "enableorderby": "0",
                                               "forceraster": "0"})
    rules = ET.SubElement(rend, "rules", key=f"{{{uuid.uuid5(_NS, spec.id)}}}")
    symbols = ET.SubElement(rend, "symbols")
    n = 0

    def rule(parent, label, flt, sym_kind=None, layers=None):
        nonlocal n
        attrs = {"key": f"{{{uuid.uuid5(_NS, f'{spec.id}/{label}/{flt}')}}}", "label": label}
        if flt:
            attrs["filter"] = flt
        if layers is not None:
            attrs["symbol"] = str(n)
            _symbol(symbols, str(n), sym_kind, layers)
            n += 1
        return ET.SubElement(parent, "rule", attrs)

    for role in roles:
        parent = rule(rules, f"{role.name_en} {role.name_zh}", _has(role.id))
        for suffix, flt, sym_kind, layers in _role_symbols(spec.style, role.colour, role.id):
            rule(parent, f"{role.name_en}{suffix}", flt.replace(f"{_has(role.id)} AND ", "") if suffix else "",
                 sym_kind, layers)
    if spec.context:
        strong = spec.id == "province"
        rule(rules, "Official boundary 官方边界", "", "fill", [("SimpleFill", {
            "color": "0,0,0,0", "style": "no", "outline_color": "85,85,85,255" if strong or spec.labels
            else "136,136,136,255", "outline_width": "0.5" if strong else "0.26", "outline_width_unit": "MM",
            "outline_style": "solid"}, {}, None)])
    else:
        grey = {"marker": ("SimpleMarker", {"name": "circle", "color": "120,120,120,255", "size": "2",
                                            "outline_color": "255,255,255,255"}),
                "line": ("SimpleLine", {"line_color": "120,120,120,255", "line_width": "0.5"}),
                "fill": ("SimpleFill", {"color": "120,120,120,60", "outline_color": "120,120,120,255",
                                        "outline_width": "0.3"})}[kind]
        rule(rules, "No role 无角色", "ELSE", kind, [(grey[0], grey[1], {"outlineStyle": _DASHED}, None)])
    _labeling(root, spec)
    ET.indent(root, space=" ")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")
