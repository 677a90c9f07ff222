"""The message catalog (i18n.py) and its texts by domain (messages/): Simplified Chinese by default,
English on request."""
