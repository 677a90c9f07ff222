"""Messages of the grid boundary import (lib/grids/grid_import.py): file refusals, per-feature reasons, notes.

``{n}`` is the feature's 1-based position in the file ("要素" is the word GIS software uses).
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- the file as a whole (raised as ValidationError, field "file") ----------------------
    "grid_import.file_empty": (
        "上传的文件是空的，请选择导出的 GeoJSON 文件。",
        "The uploaded file is empty; choose the exported GeoJSON file.",
    ),
    "grid_import.file_too_large": (
        "文件过大（{size_mb} MB），上限为 {max_mb} MB。请按派出所分批导出后分别导入。",
        "The file is too large ({size_mb} MB); the limit is {max_mb} MB. Export one station at a time and import each file.",
    ),
    "grid_import.not_json": (
        "文件不是有效的 GeoJSON（JSON 格式错误，第 {line} 行第 {column} 列附近）。请在 GIS 软件中重新导出为 GeoJSON，不要用文本编辑器修改。",
        "The file is not valid GeoJSON (a JSON syntax error near line {line}, column {column}). Export it again as GeoJSON from the GIS software rather than editing it by hand.",
    ),
    "grid_import.not_geojson": (
        "文件是 JSON，但不是 GeoJSON 要素集（顶层类型为“{found}”，应为 FeatureCollection 或 Feature）。请在 GIS 软件中将网格图层导出为 GeoJSON。",
        "The file is JSON but not a GeoJSON feature collection (its top-level type is \"{found}\"; expected FeatureCollection or Feature). Export the grid layer as GeoJSON from the GIS software.",
    ),
    "grid_import.crs_not_wgs84": (
        "文件的坐标系为“{crs}”，本系统只接受 WGS-84 经纬度（EPSG:4326）。请在 GIS 软件中导出时将坐标系设为 WGS-84。",
        "The file's coordinate system is \"{crs}\"; only WGS-84 longitude/latitude (EPSG:4326) is accepted. Choose WGS-84 as the coordinate system when exporting.",
    ),
    "grid_import.no_features": (
        "文件中没有任何要素（网格），无可导入的内容。",
        "The file holds no features (grids); there is nothing to import.",
    ),
    "grid_import.too_many_features": (
        "文件包含 {count} 个要素，超过一次导入的上限 {max} 个。请分批导入。",
        "The file holds {count} features, more than the {max} allowed in one import. Import it in parts.",
    ),
    "grid_import.boundary_invalid": (
        "辖区边界无法保存：它必须是 WGS-84 经纬度的有效多边形（{detail}）。",
        "The district boundary cannot be saved: it must be a valid polygon in WGS-84 longitude/latitude ({detail}).",
    ),

    # --- apply (raised as ValidationError) --------------------------------------------------
    "grid_import.has_rejected": (
        "有 {count} 个要素未通过校验。请修正后重新导入，或选择“跳过未通过的要素，仅导入其余要素”。",
        "{count} features did not pass the checks. Fix them and import again, or choose to skip them and import the rest.",
    ),
    "grid_import.nothing_to_apply": (
        "没有可导入的要素：所有要素均未通过校验。",
        "Nothing to import: no feature passed the checks.",
    ),
    "grid_import.conflict_changed": (
        "第 {n} 个要素现在与网格 {other} 重叠：试运行之后网格数据已被修改。未写入任何数据，请重新进行试运行。",
        "Feature {n} now overlaps grid {other}: the grids changed after the dry run. Nothing was written; run the dry run again.",
    ),
    "grid_import.grid_changed": (
        "第 {n} 个要素对应的网格 {code} 在试运行之后已被修改、删除或占用。未写入任何数据，请重新进行试运行。",
        "The grid {code} of feature {n} was changed, deleted or taken after the dry run. Nothing was written; run the dry run again.",
    ),
    "grid_import.write_failed": (
        "写入第 {n} 个要素时出错（{detail}），整批导入已撤销，数据保持原样。",
        "Writing feature {n} failed ({detail}); the whole import was rolled back and no data was changed.",
    ),

    # --- per feature: the feature itself ------------------------------------------------------
    "grid_import.feature_invalid": (
        "第 {n} 个要素：不是 GeoJSON 要素（Feature），无法读取。",
        "Feature {n}: not a GeoJSON Feature; it cannot be read.",
    ),
    "grid_import.properties_invalid": (
        "第 {n} 个要素：属性（properties）不是键值表，无法读取网格名称等字段。",
        "Feature {n}: its properties are not an object, so the grid name and other fields cannot be read.",
    ),

    # --- per feature: geometry --------------------------------------------------------------
    "grid_import.geometry_missing": (
        "第 {n} 个要素：没有几何图形（geometry 为空）。请为该网格绘制边界。",
        "Feature {n}: it has no geometry. Draw the grid's boundary.",
    ),
    "grid_import.geometry_type": (
        "第 {n} 个要素：几何类型为“{found}”，网格边界必须是面（Polygon 或 MultiPolygon），不能是点或线。",
        "Feature {n}: its geometry type is \"{found}\"; a grid boundary must be an area (Polygon or MultiPolygon), not a point or line.",
    ),
    "grid_import.coordinates_malformed": (
        "第 {n} 个要素：坐标结构不正确，无法组成多边形。请在 GIS 软件中检查并重新导出。",
        "Feature {n}: its coordinates are not structured as a polygon. Check it in the GIS software and export again.",
    ),
    "grid_import.coordinate_not_number": (
        "第 {n} 个要素：第 {ring} 个环中有不是数字的坐标（{value}）。",
        "Feature {n}: ring {ring} has a coordinate that is not a number ({value}).",
    ),
    "grid_import.coordinate_out_of_range": (
        "第 {n} 个要素：坐标（{lon}, {lat}）不是有效的经纬度（经度 −180 至 180，纬度 −90 至 90）。可能是投影坐标（单位为米）或经纬度写反了，请导出为 WGS-84 经纬度。",
        "Feature {n}: the coordinate ({lon}, {lat}) is not a valid longitude/latitude (longitude −180 to 180, latitude −90 to 90). It may be a projected coordinate in metres, or longitude and latitude swapped; export as WGS-84 longitude/latitude.",
    ),
    "grid_import.ring_not_closed": (
        "第 {n} 个要素：第 {ring} 个环未闭合（{count} 个坐标点，末点与首点不同）：多边形的环须以首点结尾。请在 GIS 软件中修复后重新导入。",
        "Feature {n}: ring {ring} is not closed ({count} positions, the last differs from the first): a polygon ring must end where it starts. Fix it in the GIS software and import again.",
    ),
    "grid_import.ring_too_few_points": (
        "第 {n} 个要素：第 {ring} 个环只有 {count} 个坐标点，多边形的环至少需要 4 个（含与首点相同的末点）。",
        "Feature {n}: ring {ring} has only {count} positions; a polygon ring needs at least 4 (the last repeating the first).",
    ),
    "grid_import.too_many_vertices": (
        "第 {n} 个要素：顶点过多（超过 {max} 个）。请在 GIS 软件中简化边界后重新导入。",
        "Feature {n}: too many vertices (more than {max}). Simplify the boundary in the GIS software and import again.",
    ),
    "grid_import.self_intersection": (
        "第 {n} 个要素：多边形自相交（在 {lon}, {lat} 附近），请在 GIS 软件中修复后重新导入。",
        "Feature {n}: the polygon intersects itself (near {lon}, {lat}). Fix it in the GIS software and import again.",
    ),
    "grid_import.hole_outside_shell": (
        "第 {n} 个要素：多边形的内环（洞）位于外边界之外（在 {lon}, {lat} 附近），请在 GIS 软件中修复后重新导入。",
        "Feature {n}: a hole of the polygon lies outside its outer boundary (near {lon}, {lat}). Fix it in the GIS software and import again.",
    ),
    "grid_import.parts_overlap": (
        "第 {n} 个要素：多部件面中有相互重叠或嵌套的部分（在 {lon}, {lat} 附近），请合并或修复后重新导入。",
        "Feature {n}: parts of the multi-polygon overlap or nest (near {lon}, {lat}). Merge or fix them and import again.",
    ),
    "grid_import.geometry_invalid": (
        "第 {n} 个要素：多边形无效（{detail}，在 {lon}, {lat} 附近），请在 GIS 软件中修复后重新导入。",
        "Feature {n}: the polygon is invalid ({detail}, near {lon}, {lat}). Fix it in the GIS software and import again.",
    ),
    "grid_import.area_zero": (
        "第 {n} 个要素：多边形面积为零（所有点在一条线上或重合）。",
        "Feature {n}: the polygon has no area (its points lie on a line or coincide).",
    ),
    "grid_import.outside_district": (
        "第 {n} 个要素：有 {percent}% 的面积位于本区辖区范围之外（最多允许 1%）。请核对边界或坐标系（须为 WGS-84）。",
        "Feature {n}: {percent}% of its area lies outside the district (at most 1% is allowed). Check the boundary, or the coordinate system (it must be WGS-84).",
    ),
    "grid_import.overlaps_grid": (
        "第 {n} 个要素：与现有网格 {code}「{name}」重叠，重叠面积占较小网格的 {percent}%。请调整边界，或在文件中同时修改该网格的边界。",
        "Feature {n}: overlaps the existing grid {code} \"{name}\" by {percent}% of the smaller grid. Adjust the boundary, or redraw that grid in the same file.",
    ),
    "grid_import.overlaps_feature": (
        "第 {n} 个要素：与本文件第 {other} 个要素「{other_name}」重叠，重叠面积占较小者的 {percent}%。",
        "Feature {n}: overlaps feature {other} \"{other_name}\" of this file by {percent}% of the smaller one.",
    ),
    "grid_import.overlaps_more": (
        "第 {n} 个要素：另与 {count} 个网格或要素重叠（未逐一列出）。",
        "Feature {n}: also overlaps {count} more grids or features (not listed).",
    ),

    # --- per feature: properties --------------------------------------------------------------
    "grid_import.name_missing": (
        "第 {n} 个要素：缺少网格名称（属性 name）。",
        "Feature {n}: the grid name (property \"name\") is missing.",
    ),
    "grid_import.name_invalid": (
        "第 {n} 个要素：网格名称（属性 name）须为文字，且不能含控制字符。",
        "Feature {n}: the grid name (property \"name\") must be text without control characters.",
    ),
    "grid_import.name_too_long": (
        "第 {n} 个要素：网格名称有 {length} 个字，最多 {max} 个字。",
        "Feature {n}: the grid name has {length} characters; at most {max} are allowed.",
    ),
    "grid_import.name_duplicate_in_file": (
        "第 {n} 个要素：网格名称「{name}」与本文件第 {other} 个要素重复（同一派出所内网格名称不能相同）。",
        "Feature {n}: the grid name \"{name}\" is also used by feature {other} of this file (grid names must be unique within a station).",
    ),
    "grid_import.name_taken": (
        "第 {n} 个要素：本派出所已有名为「{name}」的网格（{code}）。如要修改该网格，请在属性 code 中填写 {code}。",
        "Feature {n}: the station already has a grid named \"{name}\" ({code}). To change that grid, put {code} in the \"code\" property.",
    ),
    "grid_import.station_missing": (
        "第 {n} 个要素：缺少所属派出所，且它不在任何一个派出所现有网格的范围内（八成以上），无法推断：请加上属性 station（派出所代码如 S06 或全称如 三星派出所）。",
        "Feature {n}: no station given, and it does not lie (80% or more) inside one station's existing grids, so none can be inferred: add the property \"station\" (a station code such as S06 or its full name such as 三星派出所).",
    ),
    "grid_import.station_unknown": (
        "第 {n} 个要素：找不到派出所“{station}”。请填写派出所代码（如 S06）或完整名称（如 三星派出所）。",
        "Feature {n}: no station \"{station}\". Give a station code (such as S06) or its exact name (such as 三星派出所).",
    ),
    "grid_import.code_invalid": (
        "第 {n} 个要素：网格编码“{code}”无效：只能包含字母、数字、下划线和连字符，最长 {max} 个字符。",
        "Feature {n}: the grid code \"{code}\" is invalid: letters, digits, underscores and hyphens only, at most {max} characters.",
    ),
    "grid_import.code_duplicate_in_file": (
        "第 {n} 个要素：网格编码 {code} 与本文件第 {other} 个要素重复。",
        "Feature {n}: the grid code {code} is also used by feature {other} of this file.",
    ),
    "grid_import.code_station_mismatch": (
        "第 {n} 个要素：网格 {code} 属于{grid_station}，不属于{station}。跨所调整网格请联系联动中心逐个处理。",
        "Feature {n}: grid {code} belongs to {grid_station}, not {station}. Moving grids between stations is done one by one by the linkage center.",
    ),
    "grid_import.code_not_comprehensive": (
        "第 {n} 个要素：网格 {code} 不是综合网格；边界导入只适用于综合网格。",
        "Feature {n}: grid {code} is not a comprehensive grid; boundary import applies to comprehensive grids only.",
    ),
    "grid_import.outpost_unknown": (
        "第 {n} 个要素：找不到工作站“{outpost}”。请填写工作站代码（如 S06-O03）或完整名称。",
        "Feature {n}: no outpost \"{outpost}\". Give an outpost code (such as S06-O03) or its exact name.",
    ),
    "grid_import.outpost_station_mismatch": (
        "第 {n} 个要素：工作站“{outpost}”不属于{station}。",
        "Feature {n}: the outpost \"{outpost}\" does not belong to {station}.",
    ),
    "grid_import.population_invalid": (
        "第 {n} 个要素：常住人口“{value}”不是有效的整数（0 至 {max}）。",
        "Feature {n}: the population \"{value}\" is not a valid whole number (0 to {max}).",
    ),
    "grid_import.population_negative": (
        "第 {n} 个要素：常住人口不能为负数（{value}）。",
        "Feature {n}: the population cannot be negative ({value}).",
    ),
    "grid_import.households_invalid": (
        "第 {n} 个要素：户数“{value}”不是有效的整数（0 至 {max}）。",
        "Feature {n}: the number of households \"{value}\" is not a valid whole number (0 to {max}).",
    ),
    "grid_import.households_negative": (
        "第 {n} 个要素：户数不能为负数（{value}）。",
        "Feature {n}: the number of households cannot be negative ({value}).",
    ),
    "grid_import.section_label_unknown": (
        "第 {n} 个要素：板块标签“{value}”不在标签目录中。请使用标签代码（如 residential_community）或其中文名称。",
        "Feature {n}: the section label \"{value}\" is not in the label list. Use a label code (such as residential_community) or its name.",
    ),

    # --- notes: information, nothing refused -------------------------------------------------
    "grid_import.note.matched_by_name": (
        "第 {n} 个要素：按名称对应到本所现有网格 {code}，将更新它的边界（编码不变）。",
        "Feature {n}: matched by its name to the station's grid {code}, whose outline it will update (the code stays).",
    ),
    "grid_import.note.station_inferred": (
        "第 {n} 个要素：未填派出所，按位置推断为{station}（{percent}% 的面积在该所现有网格内）。",
        "Feature {n}: no station given; inferred from where it lies: {station} ({percent}% of its area is inside that station's grids).",
    ),
    "grid_import.note.properties_unused": (
        "未使用的属性：{names}（如其中有网格名称、编码或派出所，请在上方的属性对应中指定）。",
        "Properties not used: {names} (if one of them holds the grid's name, code or station, choose it in the property mapping above).",
    ),
    "grid_import.note.new_code": (
        "第 {n} 个要素：系统中没有编码为 {code} 的网格，将按此编码新增网格。",
        "Feature {n}: no grid has the code {code}; a new grid will be added under this code.",
    ),
    "grid_import.note.no_boundary_fallback": (
        "尚未设置辖区边界，已改用现有综合网格外扩约 500 米的范围检查要素是否在辖区内。",
        "No district boundary is set; features were checked against the existing comprehensive grids grown by about 500 m.",
    ),
    "grid_import.note.no_boundary_skipped": (
        "尚未设置辖区边界，也没有带边界的综合网格，本次未检查要素是否在辖区内。",
        "No district boundary is set and no comprehensive grid has a boundary, so features were not checked against the district.",
    ),
    "grid_import.note.boundary_unreadable": (
        "已保存的辖区边界无法读取，本次改用现有网格范围检查。请联系管理员重新设置辖区边界。",
        "The saved district boundary cannot be read; the existing grids were used instead. Ask the administrator to set the boundary again.",
    ),
    "grid_import.note.gbk_encoding": (
        "文件不是 UTF-8 编码，已按 GBK（GB18030）读取。请核对网格名称是否显示正常。",
        "The file is not UTF-8; it was read as GBK (GB18030). Check that the grid names read correctly.",
    ),
}
