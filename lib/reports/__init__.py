"""Reports: the league table of stations (数据看板) and what the linkage center hands on."""
