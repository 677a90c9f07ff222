"""The only Streamlit code outside pages/: page setup, the session's user and language, shared
widgets and sub-views (imports, mediation parties), flash messages after a write."""
