"""The five duty areas (管理·服务·基础·防范·宣传): duty standards, the checklist computed from records,
the problem list (查纠整改) and online-situation handling (网情处置)."""
