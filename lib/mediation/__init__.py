"""Remote video mediation (远程视频调解): cases, their parties (some abroad, with their time zones),
sessions and outcomes."""
