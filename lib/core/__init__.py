"""The platform every domain stands on: the database and its migrations, users and login (auth), who may
see what (scope), units (the linkage center, stations, outposts), settings, the audit trail, errors,
stored files, spreadsheet-safe exports, taxonomies and the notices a user finds on the workbench."""
