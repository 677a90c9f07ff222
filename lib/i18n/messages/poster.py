"""Messages of the poster image and its QR code (lib/pushes/poster.py, poster_images.py, qr.py; the font
errors come from lib/pushes/text_layout.py)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # Text drawn on the poster itself.
    "poster.program_name": (
        "新百千万",
        "新百千万",
    ),
    "poster.program_tagline": (
        "警网融合工作平台",
        "Police-grid community policing",
    ),
    "poster.footer.unit": (
        "发布单位：{unit}",
        "Issued by: {unit}",
    ),
    "poster.footer.hotline": (
        "报警电话：{hotline}",
        "Emergency: {hotline}",
    ),
    "poster.footer.date": (
        "发布日期：{date}",
        "Date: {date}",
    ),
    "poster.qr.or_call": (
        "也可拨打 {hotline}，或联系本网格社区民警",
        "Or call {hotline}, or your grid's community officer",
    ),
    "poster.more_fields": (
        "（另有 {count} 项未显示）",
        "({count} more not shown)",
    ),

    # Refusals.
    "poster.error.no_font": (
        "未找到可显示中文的字体，无法生成海报。请安装 fonts-noto-cjk，或用环境变量 PORTAL_CJK_FONT 指定字体文件。",
        "No font that can show Chinese was found, so the poster cannot be made. Install fonts-noto-cjk, "
        "or point the PORTAL_CJK_FONT environment variable at a font file.",
    ),
    "poster.error.font_unusable": (
        "字体文件 {path} 无法使用或不含中文字形。",
        "The font file {path} cannot be used or has no Chinese glyphs.",
    ),
    "poster.error.category": (
        "未知的推送类别：{category}",
        "Unknown push category: {category}",
    ),
    "poster.error.too_many_photos": (
        "海报最多放 {max} 张照片，当前 {count} 张。",
        "A poster holds at most {max} photos; {count} were given.",
    ),
    "poster.error.bad_photo": (
        "第 {index} 张照片无法读取，请重新上传。",
        "Photo {index} cannot be read; please upload it again.",
    ),
    "poster.error.bad_qr": (
        "二维码图片无法读取。",
        "The QR code image cannot be read.",
    ),
    "qr.error.base_url": (
        "门户地址无效（需以 http:// 或 https:// 开头，且不含查询参数）：{url}",
        "Invalid portal address (must start with http:// or https:// and carry no query): {url}",
    ),
    "qr.error.id": (
        "编号无效：{value}",
        "Invalid id: {value}",
    ),
    "qr.error.empty": (
        "二维码内容为空。",
        "The QR code has no content.",
    ),
    "qr.error.size": (
        "二维码尺寸无效（模块 {box_size} 像素，边距 {border}）。",
        "Invalid QR code size (module {box_size} px, border {border}).",
    ),
}
