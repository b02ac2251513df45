"""Reports for the author: a journal written out (`export`: JSON, Markdown, HTML), and a JSON
report checked against the sealed list (`verify`: a replay of its events through the rules).

`document` says what a JSON report holds; export writes it and verify rebuilds it from the
replay and compares, so the two cannot drift apart.
"""
