"""The portal's logic: everything here is plain Python, testable without Streamlit."""
